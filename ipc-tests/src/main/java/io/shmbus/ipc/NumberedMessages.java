package io.shmbus.ipc;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Numbered messages of numbered streams, checkable byte for byte by whoever reads them (a consumer, a network
 * subscriber, a walk over the segment files). Payload, little-endian: {@code int stream, int seq}, then filler bytes
 * derived from (stream, seq) up to a length of {@value #MIN_LENGTH}..{@value #MAX_LENGTH} that is also derived from
 * them. A stream is one producer's sequence (a producer process, or one life of it when it is killed and started
 * again under a new stream number); its messages are numbered 0, 1, 2, ... in the order they were committed.
 * <p>
 * Stateless and thread-safe.
 */
public final class NumberedMessages
{
    public static final int MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 200;
    public static final int STREAM_OFFSET = 0;
    public static final int SEQ_OFFSET = 4;

    private NumberedMessages()
    {
    }

    /** Payload length of message {@code seq} of {@code stream}. */
    public static int length(final int stream, final int seq)
    {
        return MIN_LENGTH + (int)(((seq * 0x9E3779B1L) ^ stream) & 0x7FFF_FFFFL) % (MAX_LENGTH - MIN_LENGTH + 1);
    }

    public static byte filler(final int stream, final int seq, final int index)
    {
        return (byte)(seq * 31 + index * 7 + stream);
    }

    /**
     * Writes message {@code seq} of {@code stream} at {@code offset}.
     *
     * @return its length, {@link #length(int, int)}.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final int stream, final int seq)
    {
        final int length = length(stream, seq);
        buffer.putInt(offset + STREAM_OFFSET, stream, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + SEQ_OFFSET, seq, ByteOrder.LITTLE_ENDIAN);
        for (int i = MIN_LENGTH; i < length; i++)
        {
            buffer.putByte(offset + i, filler(stream, seq, i));
        }
        return length;
    }

    public static int stream(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + STREAM_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static int seq(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SEQ_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** True when the message has the length and filler of its (stream, seq). */
    public static boolean isIntact(
        final DirectBuffer buffer, final int offset, final int length, final int stream, final int seq)
    {
        if (length != length(stream, seq))
        {
            return false;
        }
        for (int i = MIN_LENGTH; i < length; i++)
        {
            if (buffer.getByte(offset + i) != filler(stream, seq, i))
            {
                return false;
            }
        }
        return true;
    }

    /** True when the payload (position to limit) has the length and filler of its (stream, seq). */
    public static boolean isIntact(final ByteBuffer payload, final int stream, final int seq)
    {
        if (payload.remaining() != length(stream, seq))
        {
            return false;
        }
        for (int i = MIN_LENGTH; i < payload.remaining(); i++)
        {
            if (payload.get(payload.position() + i) != filler(stream, seq, i))
            {
                return false;
            }
        }
        return true;
    }
}
