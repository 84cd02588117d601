package io.shmbus.ipc;

import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.CommandFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's error log and log lines as an operator meets them: {@code shmbus errors} reads the errors of a
 * broker killed with SIGKILL from the CnC file it left behind, and {@code --log-format json} writes JSON lines.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrokerErrorLogProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void theErrorsOfAKilledBrokerArePrintedFromTheFileItLeftBehind() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir);
        sendUnknownCommands(dir, 4);
        BrokerDaemon.awaitCounter(broker, dir, BrokerDaemon.COMMANDS_REJECTED, v -> v == 4, "4", TIMEOUT);

        final JavaProcess running = BrokerDaemon.cli(children, "errors-running", "errors", "--dir", dir.toString());
        assertEquals(0, running.awaitExit(TIMEOUT), String.join("\n", running.stderrLines()));
        assertTrue(running.stdoutLines().get(0).startsWith("1 distinct error (broker pid " + broker.pid() +
            ", running)"), running.stdoutLines().toString());

        assertTrue(broker.kill(Duration.ofSeconds(10)), "broker killed");
        assertTrue(Files.exists(CncFile.fileIn(dir)), "SIGKILL leaves the CnC file behind");
        final JavaProcess errors = BrokerDaemon.cli(children, "errors", "errors", "--dir", dir.toString());
        assertEquals(0, errors.awaitExit(TIMEOUT), String.join("\n", errors.stderrLines()));
        final String out = String.join("\n", errors.stdoutLines());
        assertTrue(out.startsWith("1 distinct error (broker pid " + broker.pid() + ", not running), most recent " +
            "first:"), out);
        assertTrue(out.contains("\n4 times, first "), out);
        assertTrue(out.contains("\n  conductor: rejected command: UNKNOWN_COMMAND: unknown command type 999"), out);
    }

    @Test
    void jsonLogLinesFromTheDaemon()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final JavaProcess broker = BrokerDaemon.cli(children, "broker-json", "broker", "--dir", dir.toString(),
            "--no-data-dir", "--log-format", "json");
        final String ready = broker.awaitErrLine("{\"ts\":\"", TIMEOUT);
        assertTrue(ready.matches("\\{\"ts\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"," +
            "\"level\":\"INFO\",\"component\":\"broker\",\"message\":\"pid " + broker.pid() + " serving .*\"}"),
            ready);
        // a signal before the daemon's shutdown hook is registered (just after this line) ends it with 128 + 15
        final int status = broker.terminate(TIMEOUT);
        assertTrue(0 == status || 143 == status, "exit status " + status);
        assertTrue(broker.stderrLines().stream()
            .allMatch(line -> line.startsWith("{\"ts\":\"") && line.endsWith("}")),
            "every line is a JSON object: " + broker.stderrLines());
        if (0 == status)
        {
            assertTrue(broker.stderrLines().stream().anyMatch(line -> line.contains("\"message\":\"stopped\"")),
                broker.stderrLines().toString());
        }
    }

    private static void sendUnknownCommands(final Path dir, final int count) throws IOException
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(cnc.toBroker());
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
            for (int i = 0; i < count; i++)
            {
                final CommandFlyweight command = new CommandFlyweight().wrap(buffer, 0).clear()
                    .correlationId(ring.nextCorrelationId()).clientId(1).clientPid(ProcessHandle.current().pid());
                assertTrue(ring.write(999, buffer, 0, command.length()));
            }
        }
    }
}
