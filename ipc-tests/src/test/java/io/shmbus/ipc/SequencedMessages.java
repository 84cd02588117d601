package io.shmbus.ipc;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Messages of the named-consumer tests: each carries its sequence number as a {@code long} in its first 8 bytes
 * (native byte order), the rest zero, published through the broker of a shared-memory directory; the consumer
 * processes print that number for each message they handle. (Not {@link NumberedMessages}: no streams, no filler.)
 * Stateless.
 */
final class SequencedMessages
{
    private SequencedMessages()
    {
    }

    /**
     * Publishes messages {@code from} to {@code to} (exclusive), {@code length} bytes each, to {@code topic} of the
     * broker on {@code dir}, waiting up to 30 s for each to be taken.
     */
    static void publish(final Path dir, final String topic, final int from, final int to, final int length)
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir));
            Producer producer = bus.addProducer(topic))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
            for (int seq = from; seq < to; seq++)
            {
                buffer.putLong(0, seq);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long result;
                while ((result = producer.offer(buffer, 0, length)) < 0)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new AssertionError("offer of " + seq + ": " + Producer.resultName(result));
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            }
        }
    }

    /** The sequence number of the message at {@code offset}. */
    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset);
    }
}
