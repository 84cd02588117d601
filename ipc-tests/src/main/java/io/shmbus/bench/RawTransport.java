package io.shmbus.bench;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor for the latency benchmark: the least a shared-memory log can do, a single-producer single-consumer
 * ring of fixed slots in a mapped file. The publisher writes the payload and then release-stores the message's
 * sequence number in the same cache line; the subscriber acquire-loads the sequence it expects and reads the payload
 * in place. A small message therefore crosses cores as one cache line, and the publisher looks at the subscriber's
 * position only when it is about to wrap. No headers, positions, timestamps, flow-control cleaning or multi-producer
 * claim: what a real log adds is measured as the distance to this row. Only for ping-pong.
 * <pre>
 *   0                     long consumed sequence (own 128 bytes)
 *   128 + i * SLOT_LENGTH slot i: long sequence (0 = never written), int length, payload from byte 16
 * </pre>
 */
final class RawTransport implements Transport
{
    static final int MAX_LENGTH = 112;
    private static final int SLOT_LENGTH = 128;
    private static final int SLOT_COUNT = 1024;
    private static final int CONSUMED_OFFSET = 0;
    private static final int SLOTS_OFFSET = 2 * BitUtil.CACHE_LINE_LENGTH;
    private static final int SEQUENCE_OFFSET = 0;
    private static final int LENGTH_OFFSET = 8;
    private static final int PAYLOAD_OFFSET = 16;
    private static final int FILE_LENGTH = SLOTS_OFFSET + SLOT_COUNT * SLOT_LENGTH;

    private final Path dir;
    private final List<MappedByteBuffer> mappings = new ArrayList<>();

    RawTransport(final Path dir)
    {
        this.dir = dir;
    }

    private UnsafeBuffer map(final String stream)
    {
        try
        {
            Files.createDirectories(dir);
            final Path file = dir.resolve(stream + ".raw");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE))
            {
                final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH);
                mappings.add(mapped);
                return new UnsafeBuffer(mapped);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map the raw ring of " + stream + " in " + dir, ex);
        }
    }

    private static int slotOffset(final long sequence)
    {
        return SLOTS_OFFSET + (int)((sequence - 1) & (SLOT_COUNT - 1)) * SLOT_LENGTH;
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        final UnsafeBuffer ring = map(stream);
        return new BenchPublisher()
        {
            private long sequence;
            private long consumedCache;

            public long offer(final DirectBuffer buffer, final int offset, final int length)
            {
                if (length > MAX_LENGTH)
                {
                    return -2;
                }
                final long next = sequence + 1;
                if (next - consumedCache > SLOT_COUNT)
                {
                    consumedCache = ring.getLongVolatile(CONSUMED_OFFSET);
                    if (next - consumedCache > SLOT_COUNT)
                    {
                        return -1; // the subscriber is a whole ring behind
                    }
                }
                final int slot = slotOffset(next);
                ring.putBytes(slot + PAYLOAD_OFFSET, buffer, offset, length);
                ring.putInt(slot + LENGTH_OFFSET, length);
                ring.putLongRelease(slot + SEQUENCE_OFFSET, next);
                sequence = next;
                return next;
            }

            public boolean isRetryable(final long result)
            {
                return -1 == result;
            }

            public String describe(final long result)
            {
                return -1 == result ? "RING_FULL" : -2 == result ? "TOO_LONG" : "sequence " + result;
            }

            public boolean isConnected()
            {
                return true;
            }

            public void close()
            {
            }
        };
    }

    public BenchSubscriber subscriber(final String stream, final int streamId, final MessageHandler handler)
    {
        final UnsafeBuffer ring = map(stream);
        return new BenchSubscriber()
        {
            private long consumed;

            public int poll(final int fragmentLimit)
            {
                int fragments = 0;
                while (fragments < fragmentLimit)
                {
                    final int slot = slotOffset(consumed + 1);
                    if (ring.getLongVolatile(slot + SEQUENCE_OFFSET) != consumed + 1)
                    {
                        break;
                    }
                    handler.onMessage(ring, slot + PAYLOAD_OFFSET, ring.getInt(slot + LENGTH_OFFSET));
                    consumed++;
                    fragments++;
                }
                if (fragments > 0)
                {
                    ring.putLongRelease(CONSUMED_OFFSET, consumed);
                }
                return fragments;
            }

            public boolean isConnected()
            {
                return true;
            }

            public void close()
            {
            }
        };
    }

    public void close()
    {
        for (final MappedByteBuffer mapped : mappings)
        {
            IoUtil.unmap(mapped);
        }
        mappings.clear();
    }
}
