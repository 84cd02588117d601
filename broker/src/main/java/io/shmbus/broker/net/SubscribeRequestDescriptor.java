package io.shmbus.broker.net;

/**
 * Layout of the SUBSCRIBE request a network subscriber sends first (docs/protocol.md), all little-endian:
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
 *  |                          Start value                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                End position (-1: follow live)                 | 24
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
    /** The bytes {@code S H M B} read as a little-endian int; also the magic of the response. */
    public static final int MAGIC = 0x424D4853;
    public static final short VERSION = 1;
    public static final short TYPE_SUBSCRIBE = 1;

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
    public static final int TOPIC_OFFSET = HEADER_LENGTH;

    public static final int MAX_REQUEST_LENGTH = 4096;
    public static final int MAX_TOPIC_LENGTH = 255;
    public static final int MAX_TOKEN_LENGTH = 1024;

    public static final byte START_EARLIEST = 0;
    public static final byte START_LATEST = 1;
    public static final byte START_POSITION = 2;
    public static final byte START_TIME = 3;

    /** End position of a subscription that follows the topic live. */
    public static final long END_LIVE = -1;

    private SubscribeRequestDescriptor()
    {
    }

    public static String startKindName(final int kind)
    {
        switch (kind)
        {
            case START_EARLIEST: return "earliest";
            case START_LATEST: return "latest";
            case START_POSITION: return "position";
            case START_TIME: return "time";
            default: return "unknown (" + kind + ")";
        }
    }
}
