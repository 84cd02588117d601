package io.shmbus.client.remote;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of the SUBSCRIBE request, the one message a subscriber sends. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 0x424D4853 ("SHMB")                 |  0
 *  +-------------------------------+-------------------------------+
 *  |          Version = 1          |      Request type = 1         |  4
 *  +-------------------------------+-------------------------------+
 *  |               Request length (header + topic + token)         |  8
 *  +---------------+---------------+-------------------------------+
 *  |  Start kind   |   Reserved 0  |         Topic length          | 12
 *  +---------------+---------------+-------------------------------+
 *  |          Start value (position, or ns since the epoch)        | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               End position (exclusive), or -1: live           | 24
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |         Token length          |          Reserved 0           | 32
 *  +-------------------------------+-------------------------------+
 *  |                          Reserved 0                           | 36
 *  +---------------------------------------------------------------+
 *  |     Topic name (topic length bytes), then token bytes ...     | 40
 * </pre>
 */
public final class SubscribeRequestDescriptor
{
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    public static final int REQUEST_TYPE_OFFSET = VERSION_OFFSET + 2;
    public static final int REQUEST_LENGTH_OFFSET = REQUEST_TYPE_OFFSET + 2;
    public static final int START_KIND_OFFSET = REQUEST_LENGTH_OFFSET + 4;
    public static final int RESERVED_1_OFFSET = START_KIND_OFFSET + 1;
    public static final int TOPIC_LENGTH_OFFSET = RESERVED_1_OFFSET + 1;
    public static final int START_VALUE_OFFSET = TOPIC_LENGTH_OFFSET + 2;
    public static final int END_POSITION_OFFSET = START_VALUE_OFFSET + 8;
    public static final int TOKEN_LENGTH_OFFSET = END_POSITION_OFFSET + 8;
    public static final int RESERVED_2_OFFSET = TOKEN_LENGTH_OFFSET + 2;
    public static final int RESERVED_2_LENGTH = 6;
    public static final int HEADER_LENGTH = RESERVED_2_OFFSET + RESERVED_2_LENGTH;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private SubscribeRequestDescriptor()
    {
    }

    /**
     * Writes a whole request at {@code offset}.
     *
     * @param topic ASCII topic name, 1 to {@link RemoteProtocol#MAX_TOPIC_LENGTH} bytes.
     * @param token 0 to {@link RemoteProtocol#MAX_TOKEN_LENGTH} bytes.
     * @return the request length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final byte startKind, final long startValue,
        final long endPosition, final byte[] topic, final byte[] token)
    {
        final int length = HEADER_LENGTH + topic.length + token.length;
        buffer.setMemory(offset, HEADER_LENGTH, (byte)0);
        buffer.putInt(offset + MAGIC_OFFSET, RemoteProtocol.MAGIC, LE);
        buffer.putShort(offset + VERSION_OFFSET, RemoteProtocol.VERSION, LE);
        buffer.putShort(offset + REQUEST_TYPE_OFFSET, RemoteProtocol.REQUEST_SUBSCRIBE, LE);
        buffer.putInt(offset + REQUEST_LENGTH_OFFSET, length, LE);
        buffer.putByte(offset + START_KIND_OFFSET, startKind);
        buffer.putShort(offset + TOPIC_LENGTH_OFFSET, (short)topic.length, LE);
        buffer.putLong(offset + START_VALUE_OFFSET, startValue, LE);
        buffer.putLong(offset + END_POSITION_OFFSET, endPosition, LE);
        buffer.putShort(offset + TOKEN_LENGTH_OFFSET, (short)token.length, LE);
        buffer.putBytes(offset + HEADER_LENGTH, topic);
        buffer.putBytes(offset + HEADER_LENGTH + topic.length, token);
        return length;
    }
}
