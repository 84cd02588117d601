package io.shmbus.client;

import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.LogUnblocker;
import io.shmbus.client.log.ProcessDeath;
import io.shmbus.client.log.ProtocolStores;
import io.shmbus.client.log.StoreHook;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.shmbus.client.log.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A process stopped right after one store of the claim or clean protocols, reproduced in one JVM: the stopped
 * party works on its own mapping of the log through a {@link StoreHook}, which throws {@link ProcessDeath} (or lets
 * another party act) right after the chosen store; the others work on a second mapping, as separate processes do.
 */
@Timeout(60)
class CrashedProtocolTest
{
    private static final int CAPACITY = 64 * 1024;
    private static final long OTHER_PID = ProcessHandle.current().pid() + 1_000_000;

    private final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final List<Long> received = new ArrayList<>();
    private final FragmentHandler recorder = (buffer, offset, length, header) -> received.add(buffer.getLong(offset));
    private final StoreHook hook = new StoreHook();
    private Path dir;
    private Topic topic;
    private Topic stopped;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("crash");
        topic = Topic.open(new Topic.Context().dir(dir).topic("crash").capacity(CAPACITY));
        stopped = Topic.of(TopicLog.open(topic.file(), "crash", 5_000, hook), new Topic.Context());
    }

    @AfterEach
    void tearDown()
    {
        hook.disarm();
        stopped.close();
        topic.close();
        TestDirs.delete(dir);
    }

    private long offer(final Producer producer, final long value, final int length)
    {
        src.putLong(0, value);
        return producer.offer(src, 0, length);
    }

    private static Runnable die(final String store)
    {
        return () ->
        {
            throw new ProcessDeath(store);
        };
    }

    @Test
    void producerKilledRightAfterItsCommitWordCostsOnlyItsOwnMessage()
    {
        final Producer producer = topic.addProducer();
        final Producer victim = stopped.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        assertTrue(offer(producer, 1, 8) > 0);

        hook.armAfter("commit word", die("commit word"));
        assertThrows(ProcessDeath.class, () -> offer(victim, 99, 200));
        assertTrue(offer(producer, 2, 8) > 0);
        assertTrue(offer(producer, 3, 8) > 0);

        assertEquals(1, consumer.poll(recorder, 10));
        assertEquals(0, consumer.poll(recorder, 10), "blocked at the open claim");
        assertTrue(new LogUnblocker(topic.log()).unblock(consumer.position()));
        assertEquals(2, consumer.poll(recorder, 10));
        assertFalse(consumer.isRevoked(), "the padding names its own position");
        assertEquals(List.of(1L, 2L, 3L), received);
    }

    @Test
    void claimWithoutHeaderIsPaddedSlotBySlotUpToTheNextHeader()
    {
        final Producer producer = topic.addProducer();
        final Producer victim = stopped.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        hook.armAfter("CAS tailPosition", die("tail"));
        assertThrows(ProcessDeath.class, () -> offer(victim, 99, 64)); // 96 bytes claimed, nothing written
        assertTrue(offer(producer, 7, 8) > 0);

        assertEquals(0, consumer.poll(recorder, 10));
        assertTrue(new LogUnblocker(topic.log()).unblock(consumer.position()));
        final UnsafeBuffer ring = topic.log().ring();
        for (int slot = 0; slot < 3; slot++)
        {
            assertEquals(LogUnblocker.PADDING_SLOT, ring.getLong(slot * FRAME_ALIGNMENT), "slot " + slot);
            assertEquals(slot * FRAME_ALIGNMENT, ring.getLong(slot * FRAME_ALIGNMENT + POSITION_OFFSET));
        }
        assertEquals(1, consumer.poll(recorder, 10));
        assertEquals(List.of(7L), received);
    }

    @Test
    void liveProducerDescheduledInsideThePaddedSpaceClaimsAgain()
    {
        final Producer producer = topic.addProducer();
        final Producer victim = stopped.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        assertTrue(offer(producer, 1, 8) > 0);
        hook.armAfter("CAS tailPosition", die("tail"));
        assertThrows(ProcessDeath.class, () -> offer(victim, 99, 64)); // dead: claimed, no header

        // a live producer has claimed the space after it and is descheduled before its header when the broker
        // pads from the dead claim up to the tail
        final LogUnblocker unblocker = new LogUnblocker(topic.log());
        final long blocked = FrameDescriptor.alignedLength(8 + HEADER_LENGTH);
        final Producer descheduled = stopped.addProducer();
        hook.armAfter("CAS tailPosition", () -> assertTrue(unblocker.unblock(blocked)));
        final long position = offer(descheduled, 2, 8);
        assertTrue(position > 0, "the descheduled producer claimed again: " + position);
        assertTrue(offer(producer, 3, 8) > 0);

        assertEquals(3, consumer.poll(recorder, 10));
        assertEquals(List.of(1L, 2L, 3L), received, "nothing swallowed");
        assertFalse(consumer.isRevoked());
    }

    @Test
    void consumersJoinAtAClaimWhoseProducerDiedBeforeItsHeaderOrAtASlotADeadUnblockerHeld()
    {
        final Producer producer = topic.addProducer();
        final Producer victim = stopped.addProducer();
        assertTrue(offer(producer, 1, 8) > 0);
        final long claimed = topic.tailPosition();
        hook.armAfter("ring store position", die("position"));
        assertThrows(ProcessDeath.class, () -> offer(victim, 99, 64));
        final Consumer atClaim = topic.addConsumer(StartPosition.at(claimed));

        final LogUnblocker deadUnblocker = new LogUnblocker(stopped.log());
        hook.armAfter("ring CAS commit word", die("held slot"));
        assertThrows(ProcessDeath.class, () -> deadUnblocker.unblock(claimed));
        assertEquals(LogUnblocker.HELD_SLOT, topic.log().ring().getLong((int)claimed & topic.log().mask()));
        final Consumer atHeldSlot = topic.addConsumer(StartPosition.at(claimed));

        assertTrue(offer(producer, 2, 8) > 0);
        assertTrue(new LogUnblocker(topic.log()).unblock(claimed), "the next unblocker finishes the held slot");
        assertEquals(1, atClaim.poll(recorder, 10));
        assertEquals(1, atHeldSlot.poll(recorder, 10));
        assertEquals(List.of(2L, 2L), received);
    }

    @Test
    void lateCommitOfAnUnblockedClaimStaysPaddingForEveryReader()
    {
        final Producer producer = topic.addProducer();
        final Consumer early = topic.addConsumer(StartPosition.EARLIEST);
        final BufferClaim claim = new BufferClaim();
        assertTrue(producer.tryClaim(8, claim) > 0);
        claim.buffer().putLong(claim.offset(), 42);
        assertTrue(offer(producer, 5, 8) > 0);
        assertTrue(new LogUnblocker(topic.log()).unblock(early.position()));
        assertEquals(1, early.poll(recorder, 10));
        claim.commit(); // stalled past the timeout: its commit writes the length only

        final List<Long> late = new ArrayList<>();
        assertEquals(1, topic.addConsumer(StartPosition.EARLIEST).poll((b, o, l, h) -> late.add(b.getLong(o)), 10));
        assertEquals(List.of(5L), received);
        assertEquals(received, late, "every reader sees the same stream");
    }

    @Test
    void cleanerStoppedAfterEachStoreIsFinishedByTheNextHolder()
    {
        final List<String> stores = cleaningStores();
        assertEquals(ProtocolStores.CLEAN, stores, "the stores of one cleaning step");

        for (int store = 1; store <= stores.size(); store++)
        {
            tearDown();
            setUp();
            received.clear();
            final String label = stores.get(store - 1);
            final Producer producer = topic.addProducer();
            final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
            long sent = fillToTheLimit(producer, 0);
            assertEquals(sent, consumer.poll(recorder, Integer.MAX_VALUE));

            final FlowControl victim = new FlowControl(stopped.log(), new ConsumerSlots(stopped.log()));
            final long limitBefore = topic.producerLimit();
            hook.arm(store, die(label));
            assertThrows(ProcessDeath.class, victim::tryAdvance, label);
            hook.disarm();
            if (store < stores.size())
            {
                if (topic.producerLimit() == limitBefore)
                {
                    assertEquals(Producer.BACK_PRESSURED, offer(producer, sent, 100),
                        "after " + label + " the lock is held: nobody else cleans");
                }
                final FlowControl broker = new FlowControl(topic.log(), new ConsumerSlots(topic.log()), OTHER_PID);
                assertTrue(broker.recoverFrom(ProcessHandle.current().pid()), label);
            }
            assertTrue(topic.log().cleanerPidVolatile() == 0 && new FlowControl(topic.log(),
                new ConsumerSlots(topic.log()), OTHER_PID).isSettled(), "settled after " + label);
            assertCleanAheadOfTheTail(label);

            sent = fillToTheLimit(producer, sent);
            consumer.poll(recorder, Integer.MAX_VALUE);
            for (int i = 0; i < received.size(); i++)
            {
                assertEquals(i, received.get(i), "after " + label);
            }
            assertEquals(sent, received.size(), "after " + label);
            assertCleanAheadOfTheTail(label);
        }
    }

    private List<String> cleaningStores()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final long sent = fillToTheLimit(producer, 0);
        assertEquals(sent, consumer.poll(recorder, Integer.MAX_VALUE));
        hook.arm(0, null);
        new FlowControl(stopped.log(), new ConsumerSlots(stopped.log())).tryAdvance();
        final List<String> stores = hook.disarm().trace();
        received.clear();
        return stores;
    }

    /** Offers 100-byte messages numbered from {@code first} until back-pressured, cleaning only at the end. */
    private long fillToTheLimit(final Producer producer, final long first)
    {
        long next = first;
        while (offer(producer, next, 100) > 0)
        {
            next++;
            assertTrue(next - first < CAPACITY, "never back-pressured");
        }
        return next;
    }

    private void assertCleanAheadOfTheTail(final String after)
    {
        final TopicLog log = topic.log();
        final long tail = log.tailVolatile();
        final long end = log.producerLimitVolatile() + LogDescriptor.CLEAN_GUARD_LENGTH;
        for (long position = tail; position < end; position += 8)
        {
            assertEquals(0, log.ring().getLong((int)position & log.mask()),
                "ring not clean at " + position + " (tail " + tail + ", limit " + (end - 8) + ") after " + after);
        }
    }
}
