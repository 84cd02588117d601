package io.shmbus.broker.net;

import java.nio.ByteBuffer;

/**
 * Layout of the one response the broker sends to a SUBSCRIBE request (docs/protocol.md), all little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 0x424D4853 ("SHMB")                 |  0
 *  +-------------------------------+-------------------------------+
 *  |          Version = 1          |  Response type 1 OK, 2 ERROR  |  4
 *  +-------------------------------+-------------------------------+
 *  |             Response length (header + message)                |  8
 *  +---------------------------------------------------------------+
 *  |                Error code (0 when the type is OK)             | 12
 *  +---------------------------------------------------------------+
 *  |                   Start position (OK), else 0                 | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Max frame length (OK), else 0                    | 24
 *  +---------------------------------------------------------------+
 *  |                           Reserved 0                          | 28
 *  +---------------------------------------------------------------+
 *  |                 Message (UTF-8), response length - 32 bytes   | 32
 * </pre>
 */
public final class SubscribeResponseDescriptor
{
    public static final short TYPE_OK = 1;
    public static final short TYPE_ERROR = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    public static final int RESPONSE_TYPE_OFFSET = VERSION_OFFSET + 2;
    public static final int RESPONSE_LENGTH_OFFSET = RESPONSE_TYPE_OFFSET + 2;
    public static final int ERROR_CODE_OFFSET = RESPONSE_LENGTH_OFFSET + 4;
    public static final int START_POSITION_OFFSET = ERROR_CODE_OFFSET + 4;
    public static final int MAX_FRAME_LENGTH_OFFSET = START_POSITION_OFFSET + 8;
    public static final int RESERVED_OFFSET = MAX_FRAME_LENGTH_OFFSET + 4;
    public static final int HEADER_LENGTH = RESERVED_OFFSET + 4;

    /** The longest message the broker sends (the protocol allows up to 4096 - 32 bytes). */
    public static final int MAX_MESSAGE_LENGTH = 480;

    private SubscribeResponseDescriptor()
    {
    }

    /** Writes an OK response at the buffer's position and leaves it ready to be written out (flipped). */
    public static void encodeOk(final ByteBuffer buffer, final long startPosition, final int maxFrameLength)
    {
        encode(buffer, TYPE_OK, 0, startPosition, maxFrameLength, "");
    }

    /** Writes an ERROR response (message cut to {@link #MAX_MESSAGE_LENGTH} bytes) ready to be written out. */
    public static void encodeError(final ByteBuffer buffer, final int errorCode, final String message)
    {
        encode(buffer, TYPE_ERROR, errorCode, 0, 0, message);
    }

    private static void encode(
        final ByteBuffer buffer,
        final short type,
        final int errorCode,
        final long startPosition,
        final int maxFrameLength,
        final String message)
    {
        final byte[] text = NetErrorCode.truncatedUtf8(message, MAX_MESSAGE_LENGTH);
        buffer.clear();
        buffer.putInt(MAGIC_OFFSET, SubscribeRequestDescriptor.MAGIC)
            .putShort(VERSION_OFFSET, SubscribeRequestDescriptor.VERSION)
            .putShort(RESPONSE_TYPE_OFFSET, type)
            .putInt(RESPONSE_LENGTH_OFFSET, HEADER_LENGTH + text.length)
            .putInt(ERROR_CODE_OFFSET, errorCode)
            .putLong(START_POSITION_OFFSET, startPosition)
            .putInt(MAX_FRAME_LENGTH_OFFSET, maxFrameLength)
            .putInt(RESERVED_OFFSET, 0);
        buffer.position(HEADER_LENGTH);
        buffer.put(text);
        buffer.flip();
    }
}
