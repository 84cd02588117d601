package io.shmbus.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(30)
class ProducerConsumerTest
{
    private static final int CAPACITY = 64 * 1024;

    private Path dir;
    private Topic topic;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("pc");
        topic = Topic.open(new Topic.Context().dir(dir).topic("t").capacity(CAPACITY));
    }

    @AfterEach
    void tearDown()
    {
        if (null != topic)
        {
            topic.close();
        }
        TestDirs.delete(dir);
    }

    @Test
    void deliversMessagesInOrderAcrossManyLaps()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final List<Long> received = new ArrayList<>();
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            assertEquals(8 + (int)(buffer.getLong(offset) % 300), length);
            received.add(buffer.getLong(offset));
        };

        long next = 0;
        final int total = 50_000;
        while (received.size() < total)
        {
            if (next < total)
            {
                src.putLong(0, next);
                final int length = 8 + (int)(next % 300);
                final long result = producer.offer(src, 0, length);
                if (result > 0)
                {
                    next++;
                }
                else
                {
                    assertEquals(Producer.BACK_PRESSURED, result, Producer.resultName(result));
                }
            }
            consumer.poll(handler, 10);
        }
        for (int i = 0; i < total; i++)
        {
            assertEquals(i, received.get(i));
        }
        assertTrue(topic.tailPosition() > 10L * CAPACITY, "should have lapped the ring many times");
    }

    @Test
    void tryClaimCommitIsSeenAndAbortIsSkipped()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.LATEST);
        final BufferClaim claim = new BufferClaim();

        assertTrue(producer.tryClaim(100, claim) > 0);
        claim.buffer().putInt(claim.offset(), 7);
        claim.abort();
        final long committed = producer.tryClaim(4, claim);
        assertTrue(committed > 0);
        claim.buffer().putInt(claim.offset(), 42);

        final List<Integer> values = new ArrayList<>();
        final FragmentHandler handler = (DirectBuffer b, int o, int l, Header h) -> values.add(b.getInt(o));
        assertEquals(0, consumer.poll(handler, 10), "uncommitted claim must not be visible");
        claim.commit();
        assertEquals(1, consumer.poll(handler, 10));
        assertEquals(List.of(42), values);
        assertEquals(committed, consumer.position());
    }

    @Test
    void preTouchOfALiveLogChangesNothing()
    {
        final Producer producer = topic.addProducer();
        final UnsafeBuffer src = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 100; i++)
        {
            src.putInt(0, i);
            assertTrue(producer.offer(src, 0, 64) > 0);
        }
        try (Topic second = Topic.open(new Topic.Context().dir(dir).topic("t").preTouch(true)))
        {
            final Consumer consumer = second.addConsumer(StartPosition.EARLIEST);
            final List<Integer> values = new ArrayList<>();
            assertEquals(100, consumer.poll((b, o, l, h) -> values.add(b.getInt(o)), 1000));
            for (int i = 0; i < 100; i++)
            {
                assertEquals(i, values.get(i));
            }
            final Producer exact = second.addProducer();
            assertNotEquals(producer.producerId(), exact.producerId());
            // Bracketed by the wall clock before and after, so a pause of this thread only widens the bracket; the
            // slack covers the clock's offset, sampled once from the millisecond wall clock, not scheduling.
            final long slackNs = 10_000_000L;
            final long before = System.currentTimeMillis() * 1_000_000L;
            exact.offer(src, 0, 8);
            final long after = (System.currentTimeMillis() + 1) * 1_000_000L;
            final long[] stamp = new long[1];
            assertEquals(1, consumer.poll((b, o, l, h) -> stamp[0] = h.timestamp(), 10));
            assertTrue(stamp[0] >= before - slackNs && stamp[0] <= after + slackNs,
                "exact timestamp from the system clock: " + (stamp[0] - before) + " ns after the offer began, " +
                (after - stamp[0]) + " ns before it ended");
        }
    }
}
