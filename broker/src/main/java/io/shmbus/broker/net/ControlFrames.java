package io.shmbus.broker.net;

import io.shmbus.client.log.FrameDescriptor;

import java.nio.ByteBuffer;

/**
 * Encodes the frames the broker makes for the network stream and never stores: HEARTBEAT, END and STREAM ERROR,
 * with the header of {@link FrameDescriptor} and a length padded to the frame alignment, as every frame on the
 * wire.
 */
final class ControlFrames
{
    /** Room for a STREAM ERROR with the longest message, aligned. */
    static final int MAX_LENGTH = FrameDescriptor.alignedLength(
        FrameDescriptor.HEADER_LENGTH + SubscribeResponseDescriptor.MAX_MESSAGE_LENGTH);

    private ControlFrames()
    {
    }

    static void heartbeat(final ByteBuffer buffer, final long nextPosition, final long epochNs)
    {
        encode(buffer, FrameDescriptor.TYPE_HEARTBEAT, nextPosition, epochNs, 0, null);
    }

    static void end(final ByteBuffer buffer, final long endPosition, final long epochNs)
    {
        encode(buffer, FrameDescriptor.TYPE_END, endPosition, epochNs, 0, null);
    }

    static void streamError(
        final ByteBuffer buffer, final long position, final long epochNs, final int errorCode, final String message)
    {
        encode(buffer, FrameDescriptor.TYPE_STREAM_ERROR, position, epochNs, errorCode,
            NetErrorCode.truncatedUtf8(message, SubscribeResponseDescriptor.MAX_MESSAGE_LENGTH));
    }

    private static void encode(
        final ByteBuffer buffer,
        final short type,
        final long position,
        final long epochNs,
        final int producerIdField,
        final byte[] payload)
    {
        final int length = FrameDescriptor.HEADER_LENGTH + (null == payload ? 0 : payload.length);
        final int aligned = FrameDescriptor.alignedLength(length);
        buffer.clear();
        buffer.putLong(0, FrameDescriptor.commitWord(length, type, (byte)0))
            .putLong(FrameDescriptor.POSITION_OFFSET, position)
            .putLong(FrameDescriptor.TIMESTAMP_OFFSET, epochNs)
            .putInt(FrameDescriptor.PRODUCER_ID_OFFSET, producerIdField)
            .putInt(FrameDescriptor.CHECKSUM_OFFSET, 0);
        buffer.position(FrameDescriptor.HEADER_LENGTH);
        if (null != payload)
        {
            buffer.put(payload);
        }
        while (buffer.position() < aligned)
        {
            buffer.put((byte)0);
        }
        buffer.flip();
    }
}
