package io.shmbus.ipc;

import io.shmbus.client.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.shmbus.ipc.ChildReports.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer process that joins at {@code LATEST}, after the ring has wrapped many times, gets exactly the
 * messages sent after it joined, from each producer thread's first one, and nothing of the old laps; a consumer
 * process that was there from the start gets everything.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LatestConsumerProcessTest
{
    private static final int CAPACITY = 1024 * 1024;
    private static final int MAX_LENGTH = 4096;
    private static final int THREADS = 2;
    private static final int MESSAGES_PER_THREAD = 20_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void consumerJoiningLatestGetsOnlyLaterMessages()
    {
        final IpcTestConfig config = new IpcTestConfig(
            children.shmDirectory().toString(), CAPACITY, 2, THREADS, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config);
        final JavaProcess early = children.start("early", ConsumerMain.class,
            config.consumerArgs("early", "earliest", filled(2, MESSAGES_PER_THREAD)));
        early.awaitLine("READY", START_TIMEOUT);

        runProducer(config, 0);

        final JavaProcess late;
        try (Topic topic = Topic.open(
            new Topic.Context().dir(Paths.get(config.dir)).topic(IpcTestConfig.TOPIC).capacity(CAPACITY)))
        {
            final long tailBeforeJoin = topic.tailPosition();
            assertTrue(tailBeforeJoin > 8L * CAPACITY, "the ring has wrapped many times: tail " + tailBeforeJoin);
            late = children.start("late", ConsumerMain.class,
                config.consumerArgs("late", "latest", new long[]{ 0, MESSAGES_PER_THREAD }));
            final KeyValues ready = KeyValues.parseLine(late.awaitLine("READY", START_TIMEOUT));
            assertEquals(tailBeforeJoin, ready.getLong("position"), "a LATEST consumer starts at the tail");
        }

        runProducer(config, 1);

        early.send("FINISH");
        late.send("FINISH");
        awaitPerfectStream(early, filled(2 * THREADS, MESSAGES_PER_THREAD), RUN_TIMEOUT);
        awaitPerfectStream(late, new long[]{ 0, 0, MESSAGES_PER_THREAD, MESSAGES_PER_THREAD }, RUN_TIMEOUT);
    }

    private void runProducer(final IpcTestConfig config, final int process)
    {
        final JavaProcess producer = children.start(
            "producer-" + process, ProducerMain.class, config.producerArgs(process, MESSAGES_PER_THREAD));
        producer.awaitLine("READY", START_TIMEOUT);
        producer.send("GO");
        awaitSent(producer, RUN_TIMEOUT);
    }
}
