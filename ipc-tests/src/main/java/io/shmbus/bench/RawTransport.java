package io.shmbus.bench;

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
 * The floor for the latency benchmark: the least any shared-memory IPC can do, a one-slot mailbox per stream in
 * a mapped file. The publisher writes the payload and release-stores a sequence number; the subscriber
 * acquire-loads it, copies the payload out and release-stores what it consumed. No log, no headers, no flow
 * control beyond "one message in flight", so the ping-pong round trip over it is the machine's cross-core round
 * trip at that moment. Only for ping-pong; one publisher and one subscriber per stream.
 * <pre>
 *   0   long published sequence   (own cache-line pair)
 *   8   int  payload length
 *   128 long consumed sequence    (own cache-line pair)
 *   256 payload, up to MAX_LENGTH bytes
 * </pre>
 */
final class RawTransport implements Transport
{
    static final int MAX_LENGTH = 1024;
    private static final int PUBLISHED_OFFSET = 0;
    private static final int LENGTH_OFFSET = 8;
    private static final int CONSUMED_OFFSET = 128;
    private static final int PAYLOAD_OFFSET = 256;
    private static final int FILE_LENGTH = PAYLOAD_OFFSET + MAX_LENGTH;

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
            throw new UncheckedIOException("cannot map the raw mailbox of " + stream + " in " + dir, ex);
        }
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        final UnsafeBuffer mailbox = map(stream);
        return new BenchPublisher()
        {
            private long sequence = mailbox.getLongVolatile(PUBLISHED_OFFSET);

            public long offer(final DirectBuffer buffer, final int offset, final int length)
            {
                if (length > MAX_LENGTH)
                {
                    return -2;
                }
                if (mailbox.getLongVolatile(CONSUMED_OFFSET) != sequence)
                {
                    return -1; // the previous message is still in the slot
                }
                mailbox.putBytes(PAYLOAD_OFFSET, buffer, offset, length);
                mailbox.putInt(LENGTH_OFFSET, length);
                mailbox.putLongRelease(PUBLISHED_OFFSET, ++sequence);
                return sequence;
            }

            public boolean isRetryable(final long result)
            {
                return -1 == result;
            }

            public String describe(final long result)
            {
                return -1 == result ? "SLOT_FULL" : -2 == result ? "TOO_LONG" : "sequence " + result;
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
        final UnsafeBuffer mailbox = map(stream);
        return new BenchSubscriber()
        {
            private final UnsafeBuffer copy = new UnsafeBuffer(new byte[MAX_LENGTH]);
            private long consumed = mailbox.getLongVolatile(CONSUMED_OFFSET);

            public int poll(final int fragmentLimit)
            {
                if (mailbox.getLongVolatile(PUBLISHED_OFFSET) == consumed)
                {
                    return 0;
                }
                // copy out and free the slot first, so the peer's next message never waits for this handler
                final int length = mailbox.getInt(LENGTH_OFFSET);
                copy.putBytes(0, mailbox, PAYLOAD_OFFSET, length);
                mailbox.putLongRelease(CONSUMED_OFFSET, ++consumed);
                handler.onMessage(copy, 0, length);
                return 1;
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
