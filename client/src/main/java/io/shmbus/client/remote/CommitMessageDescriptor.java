package io.shmbus.client.remote;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of COMMIT, the one message a named subscriber sends after its request (protocol version 2): it
 * acknowledges every message before the position, which the broker stores as the consumer name's position.
 * Little-endian, 16 bytes.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Length = 16                            |  0
 *  +-------------------------------+-------------------------------+
 *  |       Message type = 1        |          Reserved 0           |  4
 *  +-------------------------------+-------------------------------+
 *  |        Position: the end of the last message acknowledged     |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CommitMessageDescriptor
{
    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = LENGTH_OFFSET + 4;
    public static final int RESERVED_OFFSET = TYPE_OFFSET + 2;
    public static final int POSITION_OFFSET = RESERVED_OFFSET + 2;
    public static final int LENGTH = POSITION_OFFSET + 8;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private CommitMessageDescriptor()
    {
    }

    /** Writes a COMMIT of {@code position} at {@code offset}; returns {@link #LENGTH}. */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final long position)
    {
        buffer.putInt(offset + LENGTH_OFFSET, LENGTH, LE);
        buffer.putShort(offset + TYPE_OFFSET, RemoteProtocol.MESSAGE_COMMIT, LE);
        buffer.putShort(offset + RESERVED_OFFSET, (short)0, LE);
        buffer.putLong(offset + POSITION_OFFSET, position, LE);
        return LENGTH;
    }

    /**
     * What is wrong with the message at {@code offset} apart from its position, or null when its length, type
     * and reserved bytes are right.
     */
    public static String checkHeader(final DirectBuffer buffer, final int offset)
    {
        final int length = buffer.getInt(offset + LENGTH_OFFSET, LE);
        if (LENGTH != length)
        {
            return "a message after the request has length " + length + " (a COMMIT is " + LENGTH + " bytes)";
        }
        final int type = buffer.getShort(offset + TYPE_OFFSET, LE) & 0xFFFF;
        if (RemoteProtocol.MESSAGE_COMMIT != type)
        {
            return "unknown message type " + type + " after the request (1 = COMMIT)";
        }
        if (0 != buffer.getShort(offset + RESERVED_OFFSET, LE))
        {
            return "the reserved bytes of a COMMIT must be 0";
        }
        return null;
    }

    public static long position(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + POSITION_OFFSET, LE);
    }
}
