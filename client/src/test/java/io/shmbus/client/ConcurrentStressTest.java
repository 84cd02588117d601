package io.shmbus.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Threads in one process hammer a small ring: many laps, constant back-pressure and padding, consumers joining
 * and leaving. Every consumer must see each producer thread's messages exactly once, in order, intact.
 */
@Timeout(120)
class ConcurrentStressTest
{
    private static final int PRODUCER_THREADS = 4;
    private static final int MESSAGES_PER_THREAD = 100_000;
    private static final int CONSUMERS = 2;

    @Test
    void manyProducerThreadsManyConsumerThreads() throws Exception
    {
        final Path dir = TestDirs.create("stress");
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("stress").capacity(64 * 1024)))
        {
            final Producer shared = topic.addProducer();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> threads = new ArrayList<>();
            final long[][] seen = new long[CONSUMERS][PRODUCER_THREADS];
            final Consumer[] consumers = new Consumer[CONSUMERS];
            for (int c = 0; c < CONSUMERS; c++)
            {
                consumers[c] = topic.addConsumer(StartPosition.EARLIEST);
            }
            // a transient consumer that joins late and leaves early must not disturb anyone
            final Consumer transientConsumer = topic.addConsumer(StartPosition.LATEST);

            for (int c = 0; c < CONSUMERS; c++)
            {
                final int consumerIndex = c;
                threads.add(new Thread(() -> consume(consumers[consumerIndex], seen[consumerIndex], failure),
                    "consumer-" + c));
            }
            for (int t = 0; t < PRODUCER_THREADS; t++)
            {
                final int threadId = t;
                threads.add(new Thread(() -> produce(shared, threadId, failure), "producer-" + t));
            }
            threads.forEach(Thread::start);
            for (int i = 0; i < 1000; i++)
            {
                transientConsumer.poll((b, o, l, h) -> { }, 100);
            }
            transientConsumer.close();

            for (final Thread thread : threads)
            {
                thread.join(100_000);
                assertFalse(thread.isAlive(), thread.getName() + " did not finish: " + failure.get());
            }
            if (null != failure.get())
            {
                fail(failure.get());
            }
            for (int c = 0; c < CONSUMERS; c++)
            {
                for (int t = 0; t < PRODUCER_THREADS; t++)
                {
                    assertEquals(MESSAGES_PER_THREAD, seen[c][t], "consumer " + c + " producer thread " + t);
                }
            }
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    private static void produce(final Producer producer, final int threadId, final AtomicReference<Throwable> failure)
    {
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        final BufferClaim claim = new BufferClaim();
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long seq = 0; seq < MESSAGES_PER_THREAD && null == failure.get(); seq++)
        {
            final int length = 16 + random.nextInt(1500);
            final boolean useClaim = (seq & 1) == 0;
            while (true)
            {
                final long result;
                if (useClaim)
                {
                    result = producer.tryClaim(length, claim);
                    if (result > 0)
                    {
                        fill(claim.buffer(), claim.offset(), length, threadId, seq);
                        claim.commit();
                    }
                }
                else
                {
                    fill(src, 0, length, threadId, seq);
                    result = producer.offer(src, 0, length);
                }
                if (result > 0)
                {
                    break;
                }
                if (result != Producer.BACK_PRESSURED)
                {
                    failure.compareAndSet(null, new AssertionError(Producer.resultName(result)));
                    return;
                }
                Thread.yield();
            }
        }
    }

    private static void fill(
        final org.agrona.MutableDirectBuffer buffer, final int offset, final int length, final int threadId,
        final long seq)
    {
        buffer.putInt(offset, threadId);
        buffer.putLong(offset + 4, seq);
        buffer.putInt(offset + 12, length);
        final byte pattern = (byte)(seq * 31 + threadId);
        for (int i = 16; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)(pattern + i));
        }
    }

    private static void consume(final Consumer consumer, final long[] seen, final AtomicReference<Throwable> failure)
    {
        final long total = (long)PRODUCER_THREADS * MESSAGES_PER_THREAD;
        long received = 0;
        final long[] count = new long[1];
        final long deadline = System.nanoTime() + 90_000_000_000L;
        try
        {
            while (received < total && null == failure.get())
            {
                count[0] = 0;
                final int n = consumer.poll((DirectBuffer b, int o, int l, Header h) ->
                {
                    final int threadId = b.getInt(o);
                    final long seq = b.getLong(o + 4);
                    assertEquals(l, b.getInt(o + 12), "length");
                    assertEquals(seen[threadId], seq, "order of producer thread " + threadId);
                    final byte pattern = (byte)(seq * 31 + threadId);
                    for (int i = 16; i < l; i++)
                    {
                        if (b.getByte(o + i) != (byte)(pattern + i))
                        {
                            fail("corrupt byte " + i + " of message " + seq + " from thread " + threadId);
                        }
                    }
                    seen[threadId]++;
                }, 64);
                received += n;
                if (0 == n)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new AssertionError("consumer stalled at " + received + " of " + total);
                    }
                    LockSupport.parkNanos(1000);
                }
            }
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }
}
