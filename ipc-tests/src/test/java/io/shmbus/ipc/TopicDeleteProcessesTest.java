package io.shmbus.ipc;

import io.shmbus.broker.cli.Main;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shmbus topic delete} against a broker daemon while a consumer in another process reads the topic: refused,
 * naming that process; once the process is killed (SIGKILL, its slot still marked in the ring), the topic is
 * deleted at once: a dead process uses nothing.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TopicDeleteProcessesTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private static String[] delete(final Path dir, final String topic)
    {
        return new String[]{"topic", "delete", topic, "--dir", dir.toString(), "--yes"};
    }

    @Test
    void aConsumerProcessKeepsTheTopicUntilItDies()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir);
        final JavaProcess consumer = children.start("consumer", BusConsumerMain.class, "dir=" + dir, "topic=t",
            "name=c", "start=earliest", "processes=1", "threads=1", "expect=-1", "seed=1", "maxLength=64");
        consumer.awaitLine("READY", TIMEOUT);

        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int refused = Main.run(delete(dir, "t"), new ByteArrayInputStream(new byte[0]),
            new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));
        final String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, refused, message);
        assertTrue(message.contains("1 consumer(s) (pid " + consumer.pid() + " in slot "), message);
        assertTrue(Files.exists(TopicLog.fileOf(dir, "t")));

        assertTrue(consumer.kill(TIMEOUT), "the consumer was killed");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream errAfter = new ByteArrayOutputStream();
        final int deleted = Main.run(delete(dir, "t"), new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true), new PrintStream(errAfter, true));
        assertEquals(0, deleted, errAfter.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("deleted topic 't'"), out.toString());
        assertFalse(Files.exists(TopicLog.fileOf(dir, "t")));
    }
}
