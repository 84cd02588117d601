package io.shmbus.ipc;

import io.shmbus.client.Topic;
import io.shmbus.client.log.ConsumerSlots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static io.shmbus.ipc.ChildReports.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A consumer process killed with SIGKILL mid-stream: without a broker its slot stays registered, so the producers
 * stop one ring ahead of where it stopped reading and overwrite nothing it had not read, while the other consumer
 * process goes on and gets every message that was sent, in order and intact. (Reclaiming the dead consumer's slot
 * is the broker's job, tested there.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KilledConsumerProcessTest
{
    private static final int CAPACITY = 1024 * 1024;
    private static final int MAX_LENGTH = 4096;
    private static final int THREADS = 2;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(500);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void killedConsumerHoldsProducersAndTheOtherConsumerLosesNothing()
    {
        final IpcTestConfig config = new IpcTestConfig(
            children.shmDirectory().toString(), CAPACITY, 1, THREADS, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config);
        final long[] unknown = { StreamVerifier.UNKNOWN };
        final JavaProcess victim = children.start(
            "victim", ConsumerMain.class, config.consumerArgs("victim", "earliest", unknown));
        final JavaProcess survivor = children.start(
            "survivor", ConsumerMain.class, config.consumerArgs("survivor", "earliest", unknown));
        victim.awaitLine("READY", START_TIMEOUT);
        survivor.awaitLine("READY", START_TIMEOUT);
        final JavaProcess producer = children.start(
            "producer-0", ProducerMain.class, config.producerArgs(0, Integer.MAX_VALUE));
        producer.awaitLine("READY", START_TIMEOUT);

        try (Topic topic = Topic.open(
            new Topic.Context().dir(Paths.get(config.dir)).topic(IpcTestConfig.TOPIC).capacity(CAPACITY)))
        {
            producer.send("GO");
            awaitAbove(topic::tailPosition, 8L * CAPACITY, RUN_TIMEOUT, "tail");
            assertTrue(victim.kill(Duration.ofSeconds(10)), "victim killed");

            // the survivor reads on to the tail, so the lowest consumer position is soon the dead consumer's
            final ConsumerSlots slots = new ConsumerSlots(topic.log());
            final long heldTail = awaitHeld(topic::tailPosition, () -> slots.minPosition(Long.MAX_VALUE), RUN_TIMEOUT);
            final long deadPosition = slots.minPosition(Long.MAX_VALUE);
            System.out.printf("%s: producers held at %,d, one ring (%,d) ahead of the dead consumer at %,d%n",
                getClass().getSimpleName(), heldTail, CAPACITY, deadPosition);
            assertTrue(heldTail <= deadPosition + CAPACITY,
                "nothing the dead consumer had not read is overwritten: tail " + heldTail + ", dead consumer at " +
                deadPosition);
            assertTrue(topic.earliestPosition() <= deadPosition, "the dead consumer's unread data is still held");
            assertEquals(2, topic.consumerCount(), "the dead consumer's slot stays until a broker reclaims it");
            assertTrue(producer.isAlive(), "the producer waits, back-pressured");
        }

        producer.send("STOP");
        final long[] sent = awaitSent(producer, RUN_TIMEOUT).getLongs("counts");
        survivor.send("FINISH " + sent[0] + "," + sent[1]);
        awaitPerfectStream(survivor, sent, RUN_TIMEOUT);
    }

    private static void awaitAbove(
        final LongSupplier value, final long threshold, final Duration timeout, final String what)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (value.getAsLong() <= threshold)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail(what + " still " + value.getAsLong() + ", not above " + threshold + " after " + timeout);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Waits until the tail has come to rest within the last few messages of one ring ahead of the slowest consumer
     * and stayed there for {@link #STALL_NS}.
     *
     * @return the tail at rest.
     */
    private static long awaitHeld(final LongSupplier tail, final LongSupplier slowest, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long last = tail.getAsLong();
        long sinceNs = System.nanoTime();
        while (true)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            final long now = System.nanoTime();
            final long current = tail.getAsLong();
            if (current != last)
            {
                last = current;
                sinceNs = now;
            }
            else if (now - sinceNs >= STALL_NS && current >= slowest.getAsLong() + CAPACITY - 4 * MAX_LENGTH)
            {
                return current;
            }
            if (now - deadlineNs > 0)
            {
                fail("producers not held after " + timeout + ": tail " + current + ", slowest consumer at " +
                    slowest.getAsLong());
            }
        }
    }
}
