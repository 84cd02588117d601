package io.shmbus.client;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.LogUnblocker;
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
 * Wrap and padding, back-pressure, lap safety, abort and unblocking, driven step by step in one thread.
 */
@Timeout(30)
class RingBehaviourTest
{
    private static final int CAPACITY = 64 * 1024;

    private final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final List<Long> received = new ArrayList<>();
    private final FragmentHandler recorder = (buffer, offset, length, header) -> received.add(buffer.getLong(offset));
    private Path dir;
    private Topic topic;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("ring");
        topic = Topic.open(new Topic.Context().dir(dir).topic("ring").capacity(CAPACITY));
    }

    @AfterEach
    void tearDown()
    {
        topic.close();
        TestDirs.delete(dir);
    }

    private long offer(final Producer producer, final long value, final int length)
    {
        src.putLong(0, value);
        return producer.offer(src, 0, length);
    }

    @Test
    void frameThatDoesNotFitBeforeTheEndIsPrecededByPadding()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        // 65 frames of 1000 aligned bytes... use 992 + 32 = 1024 byte frames: 63 fill 64512 bytes
        for (int i = 0; i < 63; i++)
        {
            assertTrue(offer(producer, i, 992) > 0);
        }
        assertEquals(63, consumer.poll(recorder, 100));
        assertEquals(63 * 1024, topic.tailPosition());

        // 1024 bytes remain before the end: a 2016-byte frame must pad them and start at offset 0
        final long result = offer(producer, 63, 2016);
        assertEquals(CAPACITY + 2048, result);
        final UnsafeBuffer ring = topic.log().ring();
        assertEquals(1024, ring.getInt(63 * 1024));
        assertEquals(TYPE_PAD, ring.getShort(63 * 1024 + TYPE_OFFSET));
        assertEquals(63 * 1024, ring.getLong(63 * 1024 + POSITION_OFFSET));
        assertEquals(2048, ring.getInt(0));
        assertEquals(CAPACITY, ring.getLong(POSITION_OFFSET));

        final List<Long> positions = new ArrayList<>();
        assertEquals(1, consumer.poll((b, o, l, h) -> positions.add(h.position()), 10), "padding is not delivered");
        assertEquals(List.of((long)CAPACITY), positions);
        assertEquals(CAPACITY + 2048, consumer.position());
    }

    @Test
    void backPressuredByTheSlowestConsumerNeverOverwritesUnreadData()
    {
        final Producer producer = topic.addProducer();
        final Consumer slow = topic.addConsumer(StartPosition.EARLIEST);
        final Consumer fast = topic.addConsumer(StartPosition.EARLIEST);

        long sent = 0;
        while (offer(producer, sent, 100) > 0)
        {
            sent++;
            fast.poll(recorder, 10);
        }
        assertEquals(Producer.BACK_PRESSURED, offer(producer, sent, 100));
        assertTrue(topic.tailPosition() <= CAPACITY, "never more than a lap ahead of the slow consumer");
        assertTrue(topic.tailPosition() > CAPACITY - 256, "uses the whole ring: " + topic.tailPosition());

        fast.poll(recorder, 10_000);
        assertEquals(sent, received.size());
        // the fast consumer now sits where the slow one's unread frame lies a lap earlier: it must not take it
        assertEquals(0, fast.poll(recorder, 10));

        final List<Long> slowReceived = new ArrayList<>();
        assertEquals(sent, slow.poll((b, o, l, h) -> slowReceived.add(b.getLong(o)), 10_000));
        for (int i = 0; i < sent; i++)
        {
            assertEquals(i, slowReceived.get(i));
        }
        assertTrue(offer(producer, sent, 100) > 0, "the producer resumes once the slow consumer reads");
    }

    @Test
    void spaceAheadOfTheTailIsCleanAfterManyLaps()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        for (long i = 0; i < 20_000; i++)
        {
            while (offer(producer, i, 1 + (int)(i % 500)) < 0)
            {
                consumer.poll(recorder, 100);
            }
        }
        while (received.size() < 20_000)
        {
            consumer.poll(recorder, 100);
        }
        final TopicLog log = topic.log();
        final long tail = log.tailVolatile();
        final long limit = log.producerLimitVolatile();
        assertTrue(tail > 10L * CAPACITY);
        for (long p = tail; p < limit + 8; p += 8)
        {
            assertEquals(0L, log.ring().getLong((int)p & log.mask()), "stale bytes at position " + p);
        }
        assertEquals(0, consumer.poll(recorder, 10));
    }

    @Test
    void invalidLengthsAreRejectedWithCodes()
    {
        final Producer producer = topic.addProducer();
        final BufferClaim claim = new BufferClaim();
        assertEquals(Producer.INVALID_LENGTH, producer.offer(src, 0, 0));
        assertEquals(Producer.INVALID_LENGTH, producer.tryClaim(-1, claim));
        assertEquals(Producer.MAX_MESSAGE_LENGTH_EXCEEDED, producer.tryClaim(producer.maxMessageLength() + 1, claim));
        assertTrue(producer.tryClaim(producer.maxMessageLength(), claim) > 0);
        claim.abort();
        producer.close();
        assertEquals(Producer.CLOSED, producer.offer(src, 0, 8));
        assertEquals("BACK_PRESSURED", Producer.resultName(Producer.BACK_PRESSURED));
        assertEquals("MAX_MESSAGE_LENGTH_EXCEEDED", Producer.resultName(Producer.MAX_MESSAGE_LENGTH_EXCEEDED));
    }

    @Test
    void abandonedClaimWithHeaderBecomesPaddingAndLaterMessagesFlow()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BufferClaim abandoned = new BufferClaim();
        assertTrue(offer(producer, 1, 8) > 0);
        final long claimEnd = producer.tryClaim(200, abandoned);
        assertTrue(claimEnd > 0);
        assertTrue(offer(producer, 2, 8) > 0);
        assertTrue(offer(producer, 3, 8) > 0);

        assertEquals(1, consumer.poll(recorder, 10));
        assertEquals(0, consumer.poll(recorder, 10), "blocked at the open claim");
        final LogUnblocker unblocker = new LogUnblocker(topic.log());
        assertTrue(unblocker.isBlocked(consumer.position()));
        assertTrue(unblocker.unblock(consumer.position()));
        assertEquals(2, consumer.poll(recorder, 10));
        assertEquals(List.of(1L, 2L, 3L), received);

        // a producer that commits after being unblocked cannot resurrect its message
        abandoned.commit();
        final Consumer late = topic.addConsumer(StartPosition.EARLIEST);
        final List<Long> lateReceived = new ArrayList<>();
        assertEquals(3, late.poll((b, o, l, h) -> lateReceived.add(b.getLong(o)), 10));
        assertEquals(List.of(1L, 2L, 3L), lateReceived);
    }

    @Test
    void unblockLeavesCommittedFramesAlone()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        assertTrue(offer(producer, 5, 8) > 0);
        final LogUnblocker unblocker = new LogUnblocker(topic.log());
        assertFalse(unblocker.isBlocked(consumer.position()));
        assertFalse(unblocker.unblock(consumer.position()));
        assertFalse(unblocker.unblock(topic.tailPosition()), "nothing claimed at the tail");
        assertEquals(1, consumer.poll(recorder, 10));
        assertEquals(List.of(5L), received);
    }

    @Test
    void startPositions()
    {
        final Producer producer = topic.addProducer();
        final Consumer first = topic.addConsumer(StartPosition.EARLIEST);
        final long p1 = offer(producer, 1, 8);
        offer(producer, 2, 8);
        first.poll(recorder, 10);

        final Consumer latest = topic.addConsumer(StartPosition.LATEST);
        assertEquals(topic.tailPosition(), latest.position());
        final Consumer exact = topic.addConsumer(StartPosition.at(p1));
        final List<Long> got = new ArrayList<>();
        assertEquals(1, exact.poll((b, o, l, h) -> got.add(b.getLong(o)), 10));
        assertEquals(List.of(2L), got);

        assertThrows(PositionUnavailableException.class, () -> topic.addConsumer(StartPosition.at(p1 + 32)),
            "inside a frame");
        final PositionUnavailableException beyond = assertThrows(PositionUnavailableException.class,
            () -> topic.addConsumer(StartPosition.at(topic.tailPosition() + 64)));
        assertTrue(beyond.getMessage().contains("beyond the tail"), beyond.getMessage());
        assertEquals(3, topic.consumerCount());
    }

    @Test
    void earliestAfterOverwritingWithoutConsumersStartsOnAnIntactFrame()
    {
        final Producer producer = topic.addProducer();
        for (long i = 0; i < 5_000; i++)
        {
            assertTrue(offer(producer, i, 8 + (int)(i % 200)) > 0, "no consumer: never back-pressured");
        }
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        assertTrue(consumer.position() > 0);
        final PositionUnavailableException gone = assertThrows(PositionUnavailableException.class,
            () -> topic.addConsumer(StartPosition.at(0)));
        assertTrue(gone.getMessage().contains("no longer in the ring"), gone.getMessage());

        consumer.poll(recorder, 10_000);
        assertFalse(received.isEmpty());
        for (int i = 1; i < received.size(); i++)
        {
            assertEquals(received.get(i - 1) + 1, received.get(i));
        }
        assertEquals(4_999L, received.get(received.size() - 1));
    }

    @Test
    void closedConsumerStopsHoldingProducers()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        long sent = 0;
        while (offer(producer, sent, 100) > 0)
        {
            sent++;
        }
        consumer.close();
        assertEquals(0, consumer.poll(recorder, 10));
        assertTrue(offer(producer, sent, 100) > 0);
    }

    @Test
    void checksumsCoverThePayload()
    {
        final Path otherDir = TestDirs.create("crc");
        try (Topic crcTopic = Topic.open(new Topic.Context().dir(otherDir).topic("crc").checksums(true)))
        {
            final Producer producer = crcTopic.addProducer();
            final Consumer consumer = crcTopic.addConsumer(StartPosition.EARLIEST);
            final BufferClaim claim = new BufferClaim();
            src.putLong(0, 99);
            producer.offer(src, 0, 8);
            producer.tryClaim(8, claim);
            claim.buffer().putLong(claim.offset(), 99);
            claim.commit();
            final java.util.zip.CRC32C expected = new java.util.zip.CRC32C();
            final byte[] bytes = new byte[8];
            src.getBytes(0, bytes);
            expected.update(bytes);
            final List<Integer> checksums = new ArrayList<>();
            assertEquals(2, consumer.poll((b, o, l, h) ->
            {
                assertTrue(h.hasChecksum());
                checksums.add(h.checksum());
            }, 10));
            assertEquals(List.of((int)expected.getValue(), (int)expected.getValue()), checksums);
        }
        finally
        {
            TestDirs.delete(otherDir);
        }
    }

    @Test
    void producersCleanInSmallStepsWhileConsumersKeepUp()
    {
        final Path otherDir = TestDirs.create("steps");
        try (Topic big = Topic.open(new Topic.Context().dir(otherDir).topic("steps").capacity(1 << 20)))
        {
            final Producer producer = big.addProducer();
            final Consumer consumer = big.addConsumer(StartPosition.EARLIEST);
            long maxStep = 0;
            long steps = 0;
            for (int i = 0; i < 100_000; i++)
            {
                final long before = big.producerLimit();
                assertTrue(offer(producer, i, 100) > 0, "never blocked while the consumer keeps up");
                final long step = big.producerLimit() - before;
                if (step > 0)
                {
                    steps++;
                    maxStep = Math.max(maxStep, step);
                }
                consumer.poll(recorder, 10);
            }
            assertTrue(big.tailPosition() > 10L * big.capacity());
            assertTrue(steps > 100, "steps: " + steps);
            // one step is about 64 KiB (1 MiB / 16) between sampled frame boundaries: never half a ring inline
            assertTrue(maxStep <= 2 * 64 * 1024 + 256, "largest inline cleaning step: " + maxStep);
        }
        finally
        {
            TestDirs.delete(otherDir);
        }
    }

    @Test
    void revokedConsumerStopsInsteadOfReadingOverwrittenData()
    {
        final Producer producer = topic.addProducer();
        final Consumer dropped = topic.addConsumer(StartPosition.EARLIEST);
        final Consumer other = topic.addConsumer(StartPosition.EARLIEST);
        assertTrue(offer(producer, 1, 8) > 0);
        assertEquals(1, dropped.poll(recorder, 10));

        // what the broker does to a consumer whose client went silent: producers may now lap it
        final io.shmbus.client.log.ConsumerSlots slots = new io.shmbus.client.log.ConsumerSlots(topic.log());
        assertTrue(slots.revoke(dropped.slot()));
        for (long i = 0; i < 5_000; i++)
        {
            while (offer(producer, i, 100) < 0)
            {
                other.poll((b, o, l, h) -> { }, 100);
            }
        }
        received.clear();
        assertEquals(0, dropped.poll(recorder, 10));
        assertTrue(dropped.isRevoked());
        assertTrue(received.isEmpty());
        assertEquals(io.shmbus.client.log.LogDescriptor.SLOT_FREE, slots.stateVolatile(dropped.slot()),
            "the owner frees its revoked slot once it has seen the revocation");
        dropped.close();
    }

    @Test
    void frameWithTheWrongPositionIsNeverDelivered()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final long end = offer(producer, 1, 8);
        offer(producer, 2, 8);
        // a frame at the consumer's position that claims another position (bytes of another lap)
        topic.log().ring().putLong((int)end + POSITION_OFFSET, end + CAPACITY);
        assertEquals(1, consumer.poll(recorder, 10));
        assertEquals(List.of(1L), received);
        assertTrue(consumer.isRevoked());
        assertEquals(0, consumer.poll(recorder, 10));
    }
}
