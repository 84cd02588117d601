package io.shmbus.client.remote;

import io.shmbus.client.StartPosition;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the subscribe request of one consumer ({@link SubscribeRequestDescriptor}) into a direct buffer of its
 * own and writes it to the connection, over as many calls as the socket needs. Not thread-safe: owned by the
 * polling thread.
 */
final class SubscribeRequestProxy
{
    private final ByteBuffer byteBuffer = ByteBuffer.allocateDirect(RemoteProtocol.MAX_REQUEST_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
    private final byte[] topic;
    private final byte[] token;
    private final long endPosition;

    /**
     * @param token the access token, or null for none.
     * @param endPosition exclusive end of a bounded replay, or {@link RemoteProtocol#END_LIVE}.
     */
    SubscribeRequestProxy(final String topic, final String token, final long endPosition)
    {
        this.topic = topic.getBytes(StandardCharsets.US_ASCII);
        this.token = null == token ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
        this.endPosition = endPosition;
    }

    /** Encodes the first request of a consumer: from its configured start, which the broker resolves. */
    void encodeFirst(final StartPosition start)
    {
        final byte kind = start.isEarliest() ? RemoteProtocol.START_EARLIEST : start.isLatest() ?
            RemoteProtocol.START_LATEST : start.isTime() ? RemoteProtocol.START_TIME : RemoteProtocol.START_POSITION;
        final long value = start.isEarliest() || start.isLatest() ? 0 : start.isTime() ? start.epochNs() :
            start.position();
        encode(kind, value);
    }

    /** Encodes the request of a reconnection: at the exact position after the last frame delivered. */
    void encodeResume(final long position)
    {
        encode(RemoteProtocol.START_POSITION, position);
    }

    private void encode(final byte kind, final long value)
    {
        final int length = SubscribeRequestDescriptor.encode(buffer, 0, kind, value, endPosition, topic, token);
        byteBuffer.clear().limit(length);
    }

    /**
     * Writes as much of the encoded request as the channel takes.
     *
     * @return true once all of it is written.
     */
    boolean send(final WritableByteChannel channel) throws IOException
    {
        channel.write(byteBuffer);
        return !byteBuffer.hasRemaining();
    }
}
