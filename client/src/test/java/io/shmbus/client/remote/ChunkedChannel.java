package io.shmbus.client.remote;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A channel that hands out its bytes in the chunks it was given, at most one chunk a read, then nothing (or the
 * end of the stream): the cuts a TCP stream may make, made on purpose.
 */
final class ChunkedChannel implements ReadableByteChannel
{
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final boolean endAfterChunks;
    private byte[] current = new byte[0];
    private int offset;

    ChunkedChannel(final boolean endAfterChunks)
    {
        this.endAfterChunks = endAfterChunks;
    }

    /** The stream cut at each of {@code cuts}, in increasing order. */
    static ChunkedChannel cutAt(final byte[] stream, final int... cuts)
    {
        final ChunkedChannel channel = new ChunkedChannel(false);
        int from = 0;
        for (final int cut : cuts)
        {
            channel.add(Arrays.copyOfRange(stream, from, cut));
            from = cut;
        }
        channel.add(Arrays.copyOfRange(stream, from, stream.length));
        return channel;
    }

    ChunkedChannel add(final byte[] chunk)
    {
        chunks.add(chunk);
        return this;
    }

    public int read(final ByteBuffer dst)
    {
        if (offset == current.length)
        {
            if (chunks.isEmpty())
            {
                return endAfterChunks ? -1 : 0;
            }
            current = chunks.poll();
            offset = 0;
        }
        final int length = Math.min(dst.remaining(), current.length - offset);
        dst.put(current, offset, length);
        offset += length;
        return length;
    }

    public boolean isOpen()
    {
        return true;
    }

    public void close()
    {
    }
}
