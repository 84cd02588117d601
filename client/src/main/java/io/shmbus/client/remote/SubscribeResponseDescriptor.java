package io.shmbus.client.remote;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of the broker's one response to a SUBSCRIBE request. Little-endian.
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
 *  |              Start position (OK): the first frame's           | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Max frame length (OK), header included, else 0         | 24
 *  +---------------------------------------------------------------+
 *  |                           Reserved 0                          | 28
 *  +---------------------------------------------------------------+
 *  |                 Message (UTF-8), response length - 32 bytes   | 32
 * </pre>
 */
public final class SubscribeResponseDescriptor
{
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    public static final int RESPONSE_TYPE_OFFSET = VERSION_OFFSET + 2;
    public static final int RESPONSE_LENGTH_OFFSET = RESPONSE_TYPE_OFFSET + 2;
    public static final int ERROR_CODE_OFFSET = RESPONSE_LENGTH_OFFSET + 4;
    public static final int START_POSITION_OFFSET = ERROR_CODE_OFFSET + 4;
    public static final int MAX_FRAME_LENGTH_OFFSET = START_POSITION_OFFSET + 8;
    public static final int RESERVED_OFFSET = MAX_FRAME_LENGTH_OFFSET + 4;
    public static final int HEADER_LENGTH = RESERVED_OFFSET + 4;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private SubscribeResponseDescriptor()
    {
    }

    public static int magic(final DirectBuffer buffer)
    {
        return buffer.getInt(MAGIC_OFFSET, LE);
    }

    public static short version(final DirectBuffer buffer)
    {
        return buffer.getShort(VERSION_OFFSET, LE);
    }

    public static short responseType(final DirectBuffer buffer)
    {
        return buffer.getShort(RESPONSE_TYPE_OFFSET, LE);
    }

    public static int responseLength(final DirectBuffer buffer)
    {
        return buffer.getInt(RESPONSE_LENGTH_OFFSET, LE);
    }

    public static int errorCode(final DirectBuffer buffer)
    {
        return buffer.getInt(ERROR_CODE_OFFSET, LE);
    }

    public static long startPosition(final DirectBuffer buffer)
    {
        return buffer.getLong(START_POSITION_OFFSET, LE);
    }

    public static int maxFrameLength(final DirectBuffer buffer)
    {
        return buffer.getInt(MAX_FRAME_LENGTH_OFFSET, LE);
    }

    /** The message of a response of {@code responseLength} bytes, empty when there is none. */
    public static String message(final DirectBuffer buffer, final int responseLength)
    {
        final int length = responseLength - HEADER_LENGTH;
        return length <= 0 ? "" : buffer.getStringWithoutLengthUtf8(HEADER_LENGTH, length);
    }

    /**
     * Why a response header cannot be read as a version 1 response, or null when it can.
     * A wrong version is left to the caller, which reports it as such.
     */
    public static String checkHeader(final DirectBuffer buffer)
    {
        if (RemoteProtocol.MAGIC != magic(buffer))
        {
            return "not a shmbus broker: the response starts with 0x" +
                Integer.toHexString(buffer.getInt(MAGIC_OFFSET, ByteOrder.BIG_ENDIAN)) + ", not 'SHMB'";
        }
        final int length = responseLength(buffer);
        if (length < HEADER_LENGTH || length > RemoteProtocol.MAX_RESPONSE_LENGTH)
        {
            return "response length " + length + " is outside [" + HEADER_LENGTH + ", " +
                RemoteProtocol.MAX_RESPONSE_LENGTH + "]";
        }
        return null;
    }
}
