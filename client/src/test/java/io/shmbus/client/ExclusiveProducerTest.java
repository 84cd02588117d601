package io.shmbus.client;

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
 * The exclusive producer: the same stream as a shared producer's (order, padding at the ring's end, claims, aborts,
 * checksums, back-pressure), the topic kept to itself, and what its death after each of its stores leaves.
 */
@Timeout(60)
class ExclusiveProducerTest
{
    private static final int CAPACITY = 64 * 1024;

    private final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final List<Long> received = new ArrayList<>();
    private final FragmentHandler recorder = (buffer, offset, length, header) -> received.add(buffer.getLong(offset));
    private final StoreHook hook = new StoreHook();
    private Path dir;
    private Topic topic;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("exclusive");
        topic = Topic.open(new Topic.Context().dir(dir).topic("x").capacity(CAPACITY).checksums(true));
    }

    @AfterEach
    void tearDown()
    {
        hook.disarm();
        topic.close();
        TestDirs.delete(dir);
    }

    private long offer(final ExclusiveProducer producer, final long value, final int length)
    {
        src.putLong(0, value);
        return producer.offer(src, 0, length);
    }

    @Test
    void publishesInOrderAcrossLapsWithPaddingAtTheRingEnd()
    {
        final ExclusiveProducer producer = topic.addExclusiveProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        long next = 0;
        while (next < 5_000)
        {
            final long result = offer(producer, next, 8 + (int)(next % 1000));
            if (result > 0)
            {
                assertEquals(result, producer.position());
                assertEquals(result, topic.tailPosition(), "the tail is published with each claim");
                next++;
            }
            else
            {
                assertEquals(Producer.BACK_PRESSURED, result, Producer.resultName(result));
                consumer.poll(recorder, 100);
            }
        }
        while (received.size() < next)
        {
            assertTrue(consumer.poll(recorder, 100) > 0);
        }
        for (int i = 0; i < received.size(); i++)
        {
            assertEquals(i, received.get(i));
        }
        assertTrue(topic.tailPosition() > 10L * CAPACITY, "many laps, so many paddings: " + topic.tailPosition());
    }

    @Test
    void claimsCommitsAbortsAndChecksums()
    {
        final ExclusiveProducer producer = topic.addExclusiveProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BufferClaim claim = new BufferClaim();
        assertTrue(producer.tryClaim(8, claim) > 0);
        claim.buffer().putLong(claim.offset(), 1);
        claim.commit();
        assertTrue(producer.tryClaim(8, claim) > 0);
        claim.abort();
        assertTrue(offer(producer, 2, 8) > 0);
        final List<Integer> checksums = new ArrayList<>();
        assertEquals(2, consumer.poll((buffer, offset, length, header) ->
        {
            received.add(buffer.getLong(offset));
            checksums.add(header.flags() & FLAG_CHECKSUM);
        }, 10));
        assertEquals(List.of(1L, 2L), received);
        assertEquals(List.of((int)FLAG_CHECKSUM, (int)FLAG_CHECKSUM), checksums);
        assertEquals(Producer.INVALID_LENGTH, offer(producer, 0, 0));
        assertEquals(Producer.MAX_MESSAGE_LENGTH_EXCEEDED, offer(producer, 0, producer.maxMessageLength() + 1));
        producer.close();
        assertEquals(Producer.CLOSED, offer(producer, 0, 8));
    }

    @Test
    void keepsTheTopicToItselfWhileItLives()
    {
        final ExclusiveProducer producer = topic.addExclusiveProducer();
        assertTrue(assertThrows(ShmbusException.class, topic::addExclusiveProducer).getMessage()
            .contains("already has an exclusive producer"));
        assertTrue(assertThrows(ShmbusException.class, topic::addProducer).getMessage()
            .contains("has an exclusive producer"));
        producer.close();
        assertEquals(0, topic.log().exclusiveOwnerPidVolatile());
        topic.addProducer();
    }

    @Test
    void diesAfterEachStoreOfAnOfferAndLeavesNothingAnyoneMisreads()
    {
        final List<String> stores = storesOfAnOffer();
        assertEquals(ProtocolStores.EXCLUSIVE_OFFER, stores);
        for (int store = 1; store <= stores.size(); store++)
        {
            tearDown();
            setUp();
            received.clear();
            final String label = stores.get(store - 1);
            final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
            try (Topic stopped = Topic.of(TopicLog.open(topic.file(), "x", 5_000, hook), new Topic.Context()))
            {
                final ExclusiveProducer victim = stopped.addExclusiveProducer();
                assertTrue(offer(victim, 1, 8) > 0);
                final long tailBefore = topic.tailPosition();
                hook.arm(store, () ->
                {
                    throw new ProcessDeath(label);
                });
                assertThrows(ProcessDeath.class, () -> offer(victim, 99, 100), label);
                hook.disarm();
                final boolean published = topic.tailPosition() != tailBefore;
                final boolean committed = store == stores.size();

                consumer.poll(recorder, 10);
                if (published && !committed)
                {
                    assertEquals(0, consumer.poll(recorder, 10), "waits at the open claim: " + label);
                    assertTrue(new LogUnblocker(topic.log()).unblock(consumer.position()), label);
                    consumer.poll(recorder, 10);
                }
                assertEquals(committed ? List.of(1L, 99L) : List.of(1L), received, label);
                assertEquals(topic.tailPosition(), consumer.position(), "nothing past the tail is read: " + label);

                // the broker's part once the process is gone: what it left past the tail is cleared
                final long owner = topic.log().exclusiveOwnerPidVolatile();
                assertTrue(topic.log().releaseDeadExclusiveOwner(owner) > topic.tailPosition(), label);
            }
            // a shared producer takes its header by a CAS from 0: it needs the space past the tail clean
            final Producer next = topic.addProducer();
            src.putLong(0, 2);
            assertTrue(next.offer(src, 0, 8) > 0, label);
            consumer.poll(recorder, 10);
            assertEquals(2L, received.get(received.size() - 1), "the next producer's message after: " + label);
            assertFalse(consumer.isRevoked(), label);
        }
    }

    private List<String> storesOfAnOffer()
    {
        try (Topic stopped = Topic.of(TopicLog.open(topic.file(), "x", 5_000, hook), new Topic.Context()))
        {
            final ExclusiveProducer producer = stopped.addExclusiveProducer();
            assertTrue(offer(producer, 1, 8) > 0);
            hook.arm(0, null);
            assertTrue(offer(producer, 2, 100) > 0);
            return hook.disarm().trace();
        }
    }
}
