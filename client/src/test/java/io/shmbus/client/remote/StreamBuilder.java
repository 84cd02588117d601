package io.shmbus.client.remote;

import io.shmbus.client.log.FrameDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes a broker's frame stream the way docs/protocol.md describes it, for the fake brokers of the tests.
 */
final class StreamBuilder
{
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
    private long position;

    StreamBuilder(final long startPosition)
    {
        this.position = startPosition;
    }

    StreamBuilder data(final String payload)
    {
        return data(payload.getBytes(StandardCharsets.UTF_8), false);
    }

    /** A DATA frame; with a checksum, the CRC32C of the payload is set and flagged. */
    StreamBuilder data(final byte[] payload, final boolean checksum)
    {
        int crc = 0;
        if (checksum)
        {
            final CRC32C crc32c = new CRC32C();
            crc32c.update(payload);
            crc = (int)crc32c.getValue();
        }
        frame(FrameDescriptor.HEADER_LENGTH + payload.length, FrameDescriptor.TYPE_DATA,
            checksum ? FrameDescriptor.FLAG_CHECKSUM : 0, position, 7, crc, payload);
        position += FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + payload.length);
        return this;
    }

    /** A PAD frame of {@code alignedLength} bytes whose body is garbage, as padding may be. */
    StreamBuilder pad(final int alignedLength)
    {
        final byte[] junk = new byte[alignedLength - FrameDescriptor.HEADER_LENGTH];
        Arrays.fill(junk, (byte)0x5A);
        frame(alignedLength, FrameDescriptor.TYPE_PAD, (byte)0, position, 0, 0, junk);
        position += alignedLength;
        return this;
    }

    StreamBuilder heartbeat()
    {
        frame(FrameDescriptor.HEADER_LENGTH, FrameDescriptor.TYPE_HEARTBEAT, (byte)0, position, 0, 0, new byte[0]);
        return this;
    }

    StreamBuilder end()
    {
        frame(FrameDescriptor.HEADER_LENGTH, FrameDescriptor.TYPE_END, (byte)0, position, 0, 0, new byte[0]);
        return this;
    }

    StreamBuilder streamError(final int code, final String message)
    {
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        frame(FrameDescriptor.HEADER_LENGTH + text.length, FrameDescriptor.TYPE_STREAM_ERROR, (byte)0, position, code,
            0, text);
        return this;
    }

    /** Any frame, aligned to 32 bytes with zeros; the stream position is left as it is. */
    StreamBuilder frame(final int frameLength, final short type, final byte flags, final long framePosition,
        final int producerId, final int checksum, final byte[] payload)
    {
        final int start = bytes.position();
        bytes.putInt(frameLength).putShort(type).put(flags).put(FrameDescriptor.CURRENT_VERSION)
            .putLong(framePosition).putLong(1_700_000_000_000_000_000L).putInt(producerId).putInt(checksum)
            .put(payload);
        bytes.position(start + FrameDescriptor.alignedLength(Math.max(frameLength, FrameDescriptor.HEADER_LENGTH)));
        return this;
    }

    StreamBuilder raw(final byte[] raw)
    {
        bytes.put(raw);
        return this;
    }

    /** Position of the next stored frame. */
    long position()
    {
        return position;
    }

    byte[] toBytes()
    {
        return Arrays.copyOf(bytes.array(), bytes.position());
    }

    static byte[] ok(final long startPosition, final int maxFrameLength)
    {
        return response(RemoteProtocol.RESPONSE_OK, 0, startPosition, maxFrameLength, "");
    }

    static byte[] error(final int code, final String message)
    {
        return response(RemoteProtocol.RESPONSE_ERROR, code, 0, 0, message);
    }

    static byte[] response(final short type, final int code, final long startPosition, final int maxFrameLength,
        final String message)
    {
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer response = ByteBuffer.allocate(32 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        response.putInt(RemoteProtocol.MAGIC).putShort(RemoteProtocol.VERSION).putShort(type)
            .putInt(32 + text.length).putInt(code).putLong(startPosition).putInt(maxFrameLength).putInt(0).put(text);
        return response.array();
    }
}
