package io.shmbus.client.log;

import org.agrona.DirectBuffer;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * The check every reader of stored frames (segment files, and what is sent from them) makes on a frame's header
 * before it trusts the frame's length: recovery, {@code verify}, a consumer reading the archive, replay, the network
 * server. A length is compared with the largest frame the topic can hold and with the bytes left before the end of
 * the data, in 64-bit arithmetic, before anything is computed from it, so a damaged length can never overflow,
 * send a reader past the end of a file or make it skip sound frames.
 * <p>
 * Stateless and thread-safe.
 */
public final class StoredFrameCheck
{
    /** The largest frame any topic can hold: a quarter of the largest ring. */
    public static final int MAX_FRAME_LENGTH = LogDescriptor.MAX_CAPACITY / 4;

    private StoredFrameCheck()
    {
    }

    /**
     * Checks the header of the frame stored at stream {@code position}.
     *
     * @param header         holds the frame's header at {@code offset}.
     * @param available      bytes from the frame's start to the end of the readable data (the segment's end).
     * @param maxFrameLength the topic's largest frame (header included), or {@link #MAX_FRAME_LENGTH} when the
     *                       reader does not know the topic's.
     * @return null when the header is sound, else what is wrong with it.
     */
    public static String problem(
        final DirectBuffer header, final int offset, final long position, final long available,
        final int maxFrameLength)
    {
        if (available < HEADER_LENGTH)
        {
            return "truncated frame header (" + Math.max(0, available) + " bytes)";
        }
        final int length = header.getInt(offset + FRAME_LENGTH_OFFSET);
        if (length < HEADER_LENGTH)
        {
            return 0 == length ? "no frame (zero length)" : length < 0 ?
                "frame claimed but never committed (length " + length + ")" : "bad frame length " + length;
        }
        if (length > maxFrameLength)
        {
            return "frame length " + length + " is larger than the largest frame, " + maxFrameLength;
        }
        if (alignedLength((long)length) > available)
        {
            return "frame of " + length + " bytes runs past the end of the data (" + available + " bytes left)";
        }
        final short type = header.getShort(offset + TYPE_OFFSET);
        if (!isKnownType(type))
        {
            return "unknown frame type " + type;
        }
        if (TYPE_DATA == type && header.getByte(offset + VERSION_OFFSET) != CURRENT_VERSION)
        {
            return "unknown frame version " + header.getByte(offset + VERSION_OFFSET);
        }
        final long framePosition = header.getLong(offset + POSITION_OFFSET);
        if (framePosition != position)
        {
            return "frame says position " + framePosition + " but sits at " + position;
        }
        return null;
    }

    /** The space a frame of this length takes, in 64 bits: never overflows for any int length. */
    public static long alignedLength(final long frameLength)
    {
        return (frameLength + FRAME_ALIGNMENT - 1) & -FRAME_ALIGNMENT;
    }
}
