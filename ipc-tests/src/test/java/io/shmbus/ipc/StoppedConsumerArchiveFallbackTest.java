package io.shmbus.ipc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.shmbus.ipc.BusChildren.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow-consumer policy "archive" across processes: a consumer process is stopped with SIGSTOP (it cannot poll at
 * all) while two producer processes publish many rings' worth into a persistent topic. The broker moves it to the
 * archive after the detach timeout, so the producers and the other consumer go on at full speed; after SIGCONT the
 * stopped consumer reads what it missed from the segment files, rejoins the ring, and its stream is perfect: every
 * message once, in order, intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StoppedConsumerArchiveFallbackTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final int CAPACITY = 256 * 1024;
    private static final int MAX_LENGTH = 512;
    private static final int PROCESSES = 2;
    private static final int THREADS = 2;
    private static final int MESSAGES = 20_000;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(40);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void producersAreNotHeldByAStoppedConsumerWhichThenCatchesUpFromTheArchive()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic " + TOPIC + "]", "capacity = 256k", "durability = none", "slow.consumer = archive",
            "slow.consumer.detach.timeout = 200ms");
        // a client timeout well beyond the stop, so the stopped client is moved to the archive, not declared dead
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir, "--config", configFile.toString(),
            "--data-dir", children.shmDirectory().resolve("data").toString(), "--client-timeout", "60s");
        final IpcTestConfig config = new IpcTestConfig(dir.toString(), CAPACITY, PROCESSES, THREADS, MAX_LENGTH);

        final long[] expect = ChildReports.filled(PROCESSES, MESSAGES);
        final JavaProcess running = consumer(children, config, "running", "earliest", expect);
        final JavaProcess stopped = consumer(children, config, "stopped", "earliest", expect);
        final JavaProcess p0 = producer(children, config, 0);
        final JavaProcess p1 = producer(children, config, 1);
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": consumers", v -> v == 2, "2", RUN_TIMEOUT);

        signal("STOP", stopped);
        try
        {
            p0.send("GO " + MESSAGES);
            p1.send("GO " + MESSAGES);
            // with the "hold" policy these would never come: the stopped consumer would hold the producers
            assertArrayEquals(ChildReports.filled(THREADS, MESSAGES),
                awaitSent(p0, 1, false, RUN_TIMEOUT).getLongs("counts"), "p0 sent everything");
            assertArrayEquals(ChildReports.filled(THREADS, MESSAGES),
                awaitSent(p1, 1, false, RUN_TIMEOUT).getLongs("counts"), "p1 sent everything");
            assertTrue(BrokerDaemon.counter(dir, "topic " + TOPIC + ": slow consumers moved to the archive") >= 1,
                "the stopped consumer was moved to the archive");
        }
        finally
        {
            signal("CONT", stopped);
        }

        final long[] perStream = ChildReports.filled(PROCESSES * THREADS, MESSAGES);
        running.send("FINISH");
        stopped.send("FINISH");
        final KeyValues s0 = ChildReports.awaitPerfectStream(running, perStream, RUN_TIMEOUT);
        final KeyValues s1 = ChildReports.awaitPerfectStream(stopped, perStream, RUN_TIMEOUT);
        assertEquals(s0.getLong("bytes"), s1.getLong("bytes"), "both consumers read the same bytes");
        System.out.printf("%s: %,d messages (%,d bytes) reached the running consumer and, after SIGCONT, the " +
            "stopped one%n", getClass().getSimpleName(), s1.getLong("received"), s1.getLong("bytes"));
        exit(p0, RUN_TIMEOUT);
        exit(p1, RUN_TIMEOUT);
        assertTrue(broker.isAlive(), "the broker serves on");
    }

    private static void signal(final String signal, final JavaProcess process)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run kill -" + signal, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }
}
