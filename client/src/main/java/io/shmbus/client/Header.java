package io.shmbus.client;

import io.shmbus.client.log.FrameDescriptor;
import org.agrona.DirectBuffer;

/**
 * Flyweight over the header of the frame being delivered to a handler. Reused for every frame: read it during
 * the callback only. Not thread-safe: one per consumer.
 */
public final class Header
{
    private DirectBuffer buffer;
    private int frameOffset;

    /** Points this flyweight at a frame. */
    public Header wrap(final DirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.frameOffset = frameOffset;
        return this;
    }

    /** Stream position of the start of this frame. */
    public long position()
    {
        return buffer.getLong(frameOffset + FrameDescriptor.POSITION_OFFSET);
    }

    /** Stream position just after this frame, where the next one starts. */
    public long nextPosition()
    {
        return position() + FrameDescriptor.alignedLength(frameLength());
    }

    public int frameLength()
    {
        return buffer.getInt(frameOffset + FrameDescriptor.FRAME_LENGTH_OFFSET);
    }

    public short type()
    {
        return buffer.getShort(frameOffset + FrameDescriptor.TYPE_OFFSET);
    }

    public byte flags()
    {
        return buffer.getByte(frameOffset + FrameDescriptor.FLAGS_OFFSET);
    }

    /** Nanoseconds since the epoch when the producer claimed the frame. */
    public long timestamp()
    {
        return buffer.getLong(frameOffset + FrameDescriptor.TIMESTAMP_OFFSET);
    }

    public int producerId()
    {
        return buffer.getInt(frameOffset + FrameDescriptor.PRODUCER_ID_OFFSET);
    }

    /** CRC32C of the payload when {@link #hasChecksum()}, else 0. */
    public int checksum()
    {
        return buffer.getInt(frameOffset + FrameDescriptor.CHECKSUM_OFFSET);
    }

    public boolean hasChecksum()
    {
        return (flags() & FrameDescriptor.FLAG_CHECKSUM) != 0;
    }

    /** Offset of the frame (its header) in the buffer. */
    public int frameOffset()
    {
        return frameOffset;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }
}
