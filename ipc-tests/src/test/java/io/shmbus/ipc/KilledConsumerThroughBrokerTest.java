package io.shmbus.ipc;

import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmbus.ipc.BusChildren.*;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A slow consumer process holds the producers back (they may not overwrite what it has not read); then it is killed
 * with SIGKILL. The broker daemon notices the dead process and frees its slot, the producers resume, and the other
 * consumer process still gets every message, in order and intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KilledConsumerThroughBrokerTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final int CAPACITY = 256 * 1024;
    private static final int MAX_LENGTH = 1024;
    private static final int THREADS = 2;
    private static final long CLIENT_TIMEOUT_MS = 5_000;
    /** Generous: the broker checks client processes every second; the liveness timeout is the backstop. */
    private static final Duration RESUME_DEADLINE = Duration.ofMillis(CLIENT_TIMEOUT_MS + 15_000);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
    /** The producers have filled the ring up to the slow consumer but for a few messages in flight. */
    private static final int HELD_DISTANCE = CAPACITY - 4 * (MAX_LENGTH + 64);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void producersResumeAfterTheConsumerHoldingThemIsKilled()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic " + TOPIC + "]", "capacity = 256k");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir,
            "--config", configFile.toString(), "--client-timeout", CLIENT_TIMEOUT_MS + "ms");
        final IpcTestConfig config = new IpcTestConfig(dir.toString(), CAPACITY, 1, THREADS, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config);

        final long[] unknown = { StreamVerifier.UNKNOWN };
        // one message a millisecond at most: the producers soon wait for this consumer
        final JavaProcess victim = consumer(children, config, "victim", "earliest", unknown,
            "pauseMs=1", "fragmentLimit=1");
        final int victimSlot = KeyValues.parseLine(victim.awaitLine("READY", Duration.ZERO)).getInt("slot");
        final JavaProcess survivor = consumer(children, config, "survivor", "earliest", unknown);
        final JavaProcess producer = producer(children, config, 0);

        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, TOPIC), TOPIC, 5_000))
        {
            producer.send("GO " + Integer.MAX_VALUE);
            final long heldAt = awaitHeld(log, victimSlot, victim);
            System.out.printf("%s: producers held by the slow consumer: tail %,d, its position %,d%n",
                getClass().getSimpleName(), heldAt, log.slotPositionVolatile(victimSlot));

            assertTrue(victim.kill(Duration.ofSeconds(10)), "victim killed");
            final long killedNs = System.nanoTime();
            final long deadPosition = log.slotPositionVolatile(victimSlot);
            final long resumedPast = deadPosition + CAPACITY; // a producer held by the dead consumer stops short
            while (log.tailVolatile() <= resumedPast)
            {
                if (System.nanoTime() - killedNs > RESUME_DEADLINE.toNanos())
                {
                    throw broker.failure("producers still held " + RESUME_DEADLINE.toMillis() + " ms after the " +
                        "consumer at " + deadPosition + " was killed: tail " + log.tailVolatile() + ", slot state " +
                        log.slotStateVolatile(victimSlot) + ", counters " + BrokerDaemon.counters(dir));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            final long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            System.out.printf("%s: producers resumed %,d ms after the consumer at %,d was killed " +
                "(client timeout %,d ms; the broker checks client processes every second)%n",
                getClass().getSimpleName(), resumedMs, deadPosition, CLIENT_TIMEOUT_MS);
            assertTrue(log.slotStateVolatile(victimSlot) != LogDescriptor.SLOT_ACTIVE, "the dead consumer's slot " +
                "is no longer active");
        }

        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": consumers", v -> v == 1, "1", RUN_TIMEOUT);
        BrokerDaemon.awaitCounter(broker, dir, BrokerDaemon.CLIENTS_GONE, v -> v == 1, "1", RUN_TIMEOUT);
        BrokerDaemon.awaitCounter(broker, dir, BrokerDaemon.CONSUMERS_FREED, v -> v == 1, "1", RUN_TIMEOUT);
        final String logLine = broker.awaitErrLine("conductor: client ", RUN_TIMEOUT);
        assertTrue(logLine.contains("pid " + victim.pid()) && logLine.contains("freed 1 consumer"),
            "the broker says which client it freed: " + logLine);

        producer.send("STOP");
        final long[] sent = awaitSent(producer, 1, false, RUN_TIMEOUT).getLongs("counts");
        survivor.send("FINISH " + sent[0] + "," + sent[1]);
        final KeyValues summary = ChildReports.awaitPerfectStream(survivor, sent, RUN_TIMEOUT);
        System.out.printf("%s: the survivor got all %,d messages%n", getClass().getSimpleName(),
            summary.getLong("received"));
        exit(producer, RUN_TIMEOUT);
    }

    /**
     * Waits until the tail is within a few messages of one ring ahead of the slow consumer, where the producers
     * must stop, checking all along that it is never more than a ring ahead (nothing unread is overwritten).
     *
     * @return the tail then.
     */
    private static long awaitHeld(final TopicLog log, final int slot, final JavaProcess victim)
    {
        final long deadlineNs = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (true)
        {
            final long tail = log.tailVolatile(); // first: the position read after can only be further on
            final long position = log.slotPositionVolatile(slot);
            if (tail - position > CAPACITY)
            {
                fail("the tail " + tail + " is more than a ring ahead of the consumer at " + position);
            }
            if (tail - position >= HELD_DISTANCE)
            {
                return tail;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw victim.failure("the producers never got " + HELD_DISTANCE + " bytes ahead of it: tail " +
                    tail + ", its position " + position);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
