package io.shmbus.ipc;

import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmbus.ipc.BusChildren.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A producer process claims a message and is killed with SIGKILL before it commits. The consumer stops at the open
 * claim and the other producer, which goes on committing, soon waits for the consumer; after the broker's unblock
 * timeout the broker turns the claim into padding and every message committed before and after it arrives: exactly
 * the committed messages, none lost, none duplicated, and never the abandoned one.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KilledClaimingProducerTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final int CAPACITY = 256 * 1024;
    private static final int MAX_LENGTH = 1024;
    private static final int THREADS = 2;
    private static final int MESSAGES_BEFORE = 5_000;
    private static final int MESSAGES_AFTER = 40_000;
    private static final long UNBLOCK_TIMEOUT_MS = 1_000;
    private static final Duration UNBLOCK_DEADLINE = Duration.ofMillis(UNBLOCK_TIMEOUT_MS + 15_000);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void claimOfAKilledProducerIsUnblockedAndEveryCommittedMessageArrives()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic " + TOPIC + "]", "capacity = 256k");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir,
            "--config", configFile.toString(), "--unblock-timeout", UNBLOCK_TIMEOUT_MS + "ms");
        final IpcTestConfig config = new IpcTestConfig(dir.toString(), CAPACITY, 1, THREADS, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config);

        final JavaProcess consumer = consumer(children, config, "consumer", "earliest",
            new long[] { StreamVerifier.UNKNOWN });
        final JavaProcess claimer = children.start("claimer", AbandonedClaimMain.class,
            "dir=" + dir, "topic=" + TOPIC, "length=200");
        claimer.awaitLine("READY", START_TIMEOUT);
        final JavaProcess producer = producer(children, config, 0);

        producer.send("GO " + MESSAGES_BEFORE);
        awaitSent(producer, 1, false, RUN_TIMEOUT);

        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, TOPIC), TOPIC, 5_000))
        {
            claimer.send("CLAIM");
            final KeyValues claimed = KeyValues.parseLine(claimer.awaitLine("CLAIMED", RUN_TIMEOUT));
            final long claimStart = claimed.getLong("start");
            final long claimedNs = System.nanoTime();
            producer.send("GO " + MESSAGES_AFTER); // commits after the claim, while it is open and after it dies
            assertTrue(claimer.kill(Duration.ofSeconds(10)), "claimer killed");

            // while the claim blocks the consumer, no producer can get a ring past it
            final long unblockedPast = claimStart + CAPACITY;
            while (log.tailVolatile() <= unblockedPast)
            {
                if (System.nanoTime() - claimedNs > UNBLOCK_DEADLINE.toNanos())
                {
                    throw broker.failure("the claim at " + claimStart + " still blocks " +
                        UNBLOCK_DEADLINE.toMillis() + " ms after it was made: tail " + log.tailVolatile() +
                        ", counters " + BrokerDaemon.counters(dir));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            System.out.printf("%s: the claim at %,d, abandoned by a killed producer, blocked the stream for %,d ms " +
                "(unblock timeout %,d ms)%n", getClass().getSimpleName(), claimStart,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - claimedNs), UNBLOCK_TIMEOUT_MS);
        }

        final long[] sent = awaitSent(producer, 2, false, RUN_TIMEOUT).getLongs("counts");
        assertEquals(MESSAGES_BEFORE + MESSAGES_AFTER, BusChildren.sum(sent) / THREADS, "every message was sent");
        consumer.send("FINISH " + sent[0] + "," + sent[1]);
        final KeyValues summary = ChildReports.awaitPerfectStream(consumer, sent, RUN_TIMEOUT);
        assertEquals(BusChildren.sum(sent), summary.getLong("received"), "committed messages received == sent");
        System.out.printf("%s: %,d committed messages sent, %,d received, once each, in order%n",
            getClass().getSimpleName(), BusChildren.sum(sent), summary.getLong("received"));

        assertEquals(1, BrokerDaemon.counter(dir, BrokerDaemon.CLAIMS_UNBLOCKED), "one claim unblocked");
        assertEquals(1, BrokerDaemon.counter(dir, "topic " + TOPIC + ": claims unblocked"), "one claim unblocked");
        final String logLine = broker.awaitErrLine("conductor: topic '" + TOPIC + "': turned", RUN_TIMEOUT);
        assertTrue(logLine.contains("turned 1 abandoned claim"), logLine);
        exit(producer, RUN_TIMEOUT);
    }
}
