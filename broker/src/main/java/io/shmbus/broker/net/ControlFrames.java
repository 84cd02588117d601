package io.shmbus.broker.net;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.remote.RemoteProtocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.shmbus.client.remote.SubscribeResponseDescriptor.*;

/**
 * Encodes what the broker writes to a subscriber besides the stored frames: the one response to a SUBSCRIBE
 * request (the layout of {@link io.shmbus.client.remote.SubscribeResponseDescriptor}), and the frames it makes for
 * the stream and never stores, HEARTBEAT, END and STREAM ERROR (the header of {@link FrameDescriptor}, a length
 * padded to the frame alignment, as every frame on the wire). Each call leaves the buffer flipped, ready to be
 * written out. Stateless: the caller owns the buffer.
 */
final class ControlFrames
{
    /** The longest message the broker sends (the protocol allows up to 4096 - 32 bytes). */
    static final int MAX_MESSAGE_LENGTH = 480;

    /** Room for a STREAM ERROR with the longest message, aligned. */
    static final int MAX_LENGTH = FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + MAX_MESSAGE_LENGTH);

    private ControlFrames()
    {
    }

    /** An OK response, in the request's protocol version (the layout is the same in every version). */
    static void okResponse(
        final ByteBuffer buffer, final short version, final long startPosition, final int maxFrameLength)
    {
        response(buffer, version, RemoteProtocol.RESPONSE_OK, 0, startPosition, maxFrameLength, "");
    }

    /** An ERROR response in {@code version}, its message cut to {@link #MAX_MESSAGE_LENGTH} bytes. */
    static void errorResponse(final ByteBuffer buffer, final short version, final int errorCode, final String message)
    {
        response(buffer, version, RemoteProtocol.RESPONSE_ERROR, errorCode, 0, 0, message);
    }

    static void heartbeat(final ByteBuffer buffer, final long nextPosition, final long epochNs)
    {
        frame(buffer, FrameDescriptor.TYPE_HEARTBEAT, nextPosition, epochNs, 0, null);
    }

    static void end(final ByteBuffer buffer, final long endPosition, final long epochNs)
    {
        frame(buffer, FrameDescriptor.TYPE_END, endPosition, epochNs, 0, null);
    }

    static void streamError(
        final ByteBuffer buffer, final long position, final long epochNs, final int errorCode, final String message)
    {
        frame(buffer, FrameDescriptor.TYPE_STREAM_ERROR, position, epochNs, errorCode, truncatedUtf8(message));
    }

    private static void response(
        final ByteBuffer buffer,
        final short version,
        final short type,
        final int errorCode,
        final long startPosition,
        final int maxFrameLength,
        final String message)
    {
        final byte[] text = truncatedUtf8(message);
        buffer.clear();
        buffer.putInt(MAGIC_OFFSET, RemoteProtocol.MAGIC)
            .putShort(VERSION_OFFSET, version)
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

    private static void frame(
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

    /** The UTF-8 bytes of a message, cut at a character boundary to at most {@link #MAX_MESSAGE_LENGTH} bytes. */
    private static byte[] truncatedUtf8(final String message)
    {
        final byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_LENGTH)
        {
            return bytes;
        }
        int end = MAX_MESSAGE_LENGTH;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80)
        {
            end--; // never cut inside a multi-byte character
        }
        return Arrays.copyOf(bytes, end);
    }
}
