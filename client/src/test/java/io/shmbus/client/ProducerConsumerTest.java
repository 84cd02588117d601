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
}
