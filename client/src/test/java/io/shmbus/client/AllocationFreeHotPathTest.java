package io.shmbus.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * offer, tryClaim/commit and poll allocate nothing once warm, across many laps of the ring (so flow control and
 * cleaning run inside the measured loop too), with and without checksums.
 */
@Timeout(120)
class AllocationFreeHotPathTest
{
    private long sum;
    private final FragmentHandler handler = this::onFragment;

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        sum += buffer.getLong(offset) + header.position();
    }

    @Test
    void hotPathAllocatesNothing()
    {
        run(false);
    }

    @Test
    void hotPathWithChecksumsAllocatesNothing()
    {
        run(true);
    }

    private void run(final boolean checksums)
    {
        final Path dir = TestDirs.create("alloc");
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("alloc").capacity(64 * 1024)
            .checksums(checksums)))
        {
            final Producer producer = topic.addProducer();
            final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
            final BufferClaim claim = new BufferClaim();
            final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(512));

            exercise(producer, consumer, claim, src, 200_000); // warm up: JIT, thread-locals
            AllocationRounds.assertOneClean("bytes allocated on the hot path in each round of 500,000 operations",
                () -> exercise(producer, consumer, claim, src, 500_000));
            assertTrue(topic.tailPosition() > 100L * topic.capacity(), "the measured loop lapped the ring");
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    private void exercise(
        final Producer producer, final Consumer consumer, final BufferClaim claim, final UnsafeBuffer src,
        final int messages)
    {
        for (int i = 0; i < messages; i++)
        {
            final int length = 8 + (i & 255);
            if ((i & 1) == 0)
            {
                src.putLong(0, i);
                while (producer.offer(src, 0, length) < 0)
                {
                    consumer.poll(handler, 64);
                }
            }
            else
            {
                while (producer.tryClaim(length, claim) < 0)
                {
                    consumer.poll(handler, 64);
                }
                claim.buffer().putLong(claim.offset(), i);
                claim.commit();
            }
            if ((i & 15) == 0)
            {
                consumer.poll(handler, 64);
            }
        }
        while (consumer.poll(handler, 64) > 0)
        {
            sum++;
        }
    }
}
