package io.shmbus.client.remote;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of the SUBSCRIBE request, the request a subscriber sends first. Little-endian. Version 2 gives the bytes
 * that version 1 keeps 0 a meaning (the flags, the consumer name length), so a version 1 request is a version 2
 * request without a consumer name.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 0x424D4853 ("SHMB")                 |  0
 *  +-------------------------------+-------------------------------+
 *  |        Version = 1 or 2       |      Request type = 1         |  4
 *  +-------------------------------+-------------------------------+
 *  |           Request length (header + topic + token + name)      |  8
 *  +---------------+---------------+-------------------------------+
 *  |  Start kind   |  Flags (v2)   |         Topic length          | 12
 *  +---------------+---------------+-------------------------------+
 *  |          Start value (position, or ns since the epoch)        | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               End position (exclusive), or -1: live           | 24
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |         Token length          |  Consumer name length (v2)    | 32
 *  +-------------------------------+-------------------------------+
 *  |                          Reserved 0                           | 36
 *  +---------------------------------------------------------------+
 *  |  Topic name, then token, then consumer name (v2) bytes ...    | 40
 * </pre>
 */
public final class SubscribeRequestDescriptor
{
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    public static final int REQUEST_TYPE_OFFSET = VERSION_OFFSET + 2;
    public static final int REQUEST_LENGTH_OFFSET = REQUEST_TYPE_OFFSET + 2;
    public static final int START_KIND_OFFSET = REQUEST_LENGTH_OFFSET + 4;
    /** Version 1: reserved, 0. Version 2: {@link RemoteProtocol#FLAG_RESUME_NAMED} or 0. */
    public static final int FLAGS_OFFSET = START_KIND_OFFSET + 1;
    public static final int TOPIC_LENGTH_OFFSET = FLAGS_OFFSET + 1;
    public static final int START_VALUE_OFFSET = TOPIC_LENGTH_OFFSET + 2;
    public static final int END_POSITION_OFFSET = START_VALUE_OFFSET + 8;
    public static final int TOKEN_LENGTH_OFFSET = END_POSITION_OFFSET + 8;
    /** Version 1: reserved, 0. Version 2: 0 for an anonymous subscriber, else 1 to 64. */
    public static final int CONSUMER_NAME_LENGTH_OFFSET = TOKEN_LENGTH_OFFSET + 2;
    public static final int RESERVED_OFFSET = CONSUMER_NAME_LENGTH_OFFSET + 2;
    public static final int RESERVED_LENGTH = 4;
    public static final int HEADER_LENGTH = RESERVED_OFFSET + RESERVED_LENGTH;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final byte[] EMPTY = new byte[0];

    private SubscribeRequestDescriptor()
    {
    }

    /**
     * Writes a whole version 1 request (no consumer name) at {@code offset}.
     *
     * @param topic ASCII topic name, 1 to {@link RemoteProtocol#MAX_TOPIC_LENGTH} bytes.
     * @param token 0 to {@link RemoteProtocol#MAX_TOKEN_LENGTH} bytes.
     * @return the request length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final byte startKind, final long startValue,
        final long endPosition, final byte[] topic, final byte[] token)
    {
        return encode(buffer, offset, RemoteProtocol.VERSION_1, (byte)0, startKind, startValue, endPosition, topic,
            token, EMPTY);
    }

    /**
     * Writes a whole request at {@code offset}.
     *
     * @param version      {@link RemoteProtocol#VERSION_1}, or {@link RemoteProtocol#VERSION_NAMED} for a name.
     * @param flags        0, or {@link RemoteProtocol#FLAG_RESUME_NAMED} with a consumer name.
     * @param topic        ASCII topic name, 1 to {@link RemoteProtocol#MAX_TOPIC_LENGTH} bytes.
     * @param token        0 to {@link RemoteProtocol#MAX_TOKEN_LENGTH} bytes.
     * @param consumerName ASCII consumer name, 0 to {@link RemoteProtocol#MAX_CONSUMER_NAME_LENGTH} bytes (0 in
     *                     version 1).
     * @return the request length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final short version, final byte flags,
        final byte startKind, final long startValue, final long endPosition, final byte[] topic, final byte[] token,
        final byte[] consumerName)
    {
        final int length = HEADER_LENGTH + topic.length + token.length + consumerName.length;
        buffer.setMemory(offset, HEADER_LENGTH, (byte)0);
        buffer.putInt(offset + MAGIC_OFFSET, RemoteProtocol.MAGIC, LE);
        buffer.putShort(offset + VERSION_OFFSET, version, LE);
        buffer.putShort(offset + REQUEST_TYPE_OFFSET, RemoteProtocol.REQUEST_SUBSCRIBE, LE);
        buffer.putInt(offset + REQUEST_LENGTH_OFFSET, length, LE);
        buffer.putByte(offset + START_KIND_OFFSET, startKind);
        buffer.putByte(offset + FLAGS_OFFSET, flags);
        buffer.putShort(offset + TOPIC_LENGTH_OFFSET, (short)topic.length, LE);
        buffer.putLong(offset + START_VALUE_OFFSET, startValue, LE);
        buffer.putLong(offset + END_POSITION_OFFSET, endPosition, LE);
        buffer.putShort(offset + TOKEN_LENGTH_OFFSET, (short)token.length, LE);
        buffer.putShort(offset + CONSUMER_NAME_LENGTH_OFFSET, (short)consumerName.length, LE);
        buffer.putBytes(offset + HEADER_LENGTH, topic);
        buffer.putBytes(offset + HEADER_LENGTH + topic.length, token);
        buffer.putBytes(offset + HEADER_LENGTH + topic.length + token.length, consumerName);
        return length;
    }
}
