package io.shmbus.client.log;

import org.agrona.BitUtil;

/**
 * Layout of one frame: the unit that lives in the shared-memory ring, in segment files and on the wire, byte for
 * byte the same everywhere. All fields are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Frame Length (header + payload)               |  0  negative while claimed
 *  +-------------------------------+---------------+---------------+
 *  |             Type              |     Flags     |    Version    |  4
 *  +-------------------------------+---------------+---------------+
 *  |                  Stream Position of this frame                |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Timestamp (ns since the epoch)               | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Producer Id                          | 24
 *  +---------------------------------------------------------------+
 *  |          Checksum (CRC32C of the payload, if flagged)         | 28
 *  +---------------------------------------------------------------+
 *  |                        Payload ...                            | 32
 * </pre>
 * The first 8 bytes form the <em>commit word</em>: length, type, flags and version are published together by one
 * release store, so a reader that sees a positive length with an acquire load sees the whole frame. Frames start
 * on {@link #FRAME_ALIGNMENT} boundaries; the space up to the next boundary after a frame belongs to it.
 */
public final class FrameDescriptor
{
    public static final int FRAME_LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = FRAME_LENGTH_OFFSET + 4;
    public static final int FLAGS_OFFSET = TYPE_OFFSET + 2;
    public static final int VERSION_OFFSET = FLAGS_OFFSET + 1;
    public static final int POSITION_OFFSET = VERSION_OFFSET + 1;
    public static final int TIMESTAMP_OFFSET = POSITION_OFFSET + 8;
    public static final int PRODUCER_ID_OFFSET = TIMESTAMP_OFFSET + 8;
    public static final int CHECKSUM_OFFSET = PRODUCER_ID_OFFSET + 4;
    public static final int HEADER_LENGTH = CHECKSUM_OFFSET + 4;

    /** Frames start at multiples of this, so a padding frame always has room for a full header. */
    public static final int FRAME_ALIGNMENT = 32;

    /** Padding: skipped by readers; fills the end of the ring and replaces aborted or abandoned claims. */
    public static final short TYPE_PAD = 1;
    /** A message. */
    public static final short TYPE_DATA = 2;
    /** Network only, never stored: the broker is alive and has nothing new (see docs/protocol.md). */
    public static final short TYPE_HEARTBEAT = 3;
    /** Network only, never stored: a bounded replay is complete; the broker closes the connection. */
    public static final short TYPE_END = 4;
    /** Network only, never stored: the broker cannot go on; error code as producer id, message as payload. */
    public static final short TYPE_STREAM_ERROR = 5;

    /** The checksum field holds the CRC32C of the payload. */
    public static final byte FLAG_CHECKSUM = 0x01;

    public static final byte CURRENT_VERSION = 1;

    private FrameDescriptor()
    {
    }

    /**
     * The commit word as one little-endian long: length in the low 32 bits, then type, flags and version.
     */
    public static long commitWord(final int frameLength, final short type, final byte flags)
    {
        return (frameLength & 0xFFFF_FFFFL) |
            ((type & 0xFFFFL) << 32) |
            ((flags & 0xFFL) << 48) |
            ((CURRENT_VERSION & 0xFFL) << 56);
    }

    public static int frameLength(final long commitWord)
    {
        return (int)commitWord;
    }

    public static short type(final long commitWord)
    {
        return (short)(commitWord >>> 32);
    }

    /** Space a frame of this length occupies in the log, including alignment. */
    public static int alignedLength(final int frameLength)
    {
        return BitUtil.align(frameLength, FRAME_ALIGNMENT);
    }

    /** True for the types that are stored (padding and data); the network-only types are not. */
    public static boolean isKnownType(final short type)
    {
        return TYPE_PAD == type || TYPE_DATA == type;
    }
}
