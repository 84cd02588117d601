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
    private final byte[] consumerName;
    private final short version;

    /**
     * @param token        the access token, or null for none.
     * @param endPosition  exclusive end of a bounded replay, or {@link RemoteProtocol#END_LIVE}.
     * @param consumerName the durable consumer name, or null for an anonymous subscriber (then the request is of
     *                     version 1, which every broker speaks).
     */
    SubscribeRequestProxy(final String topic, final String token, final long endPosition, final String consumerName)
    {
        this.topic = topic.getBytes(StandardCharsets.US_ASCII);
        this.token = null == token ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
        this.endPosition = endPosition;
        this.consumerName = null == consumerName ? new byte[0] : consumerName.getBytes(StandardCharsets.US_ASCII);
        this.version = null == consumerName ? RemoteProtocol.VERSION_1 : RemoteProtocol.VERSION_NAMED;
    }

    /**
     * Encodes the first request of a consumer: from its configured start, which the broker resolves; a named
     * consumer asks to resume at its stored position, the start applying only to a name the broker has not seen.
     */
    void encodeFirst(final StartPosition start)
    {
        final byte kind = start.isEarliest() ? RemoteProtocol.START_EARLIEST : start.isLatest() ?
            RemoteProtocol.START_LATEST : start.isTime() ? RemoteProtocol.START_TIME : RemoteProtocol.START_POSITION;
        final long value = start.isEarliest() || start.isLatest() ? 0 : start.isTime() ? start.epochNs() :
            start.position();
        encode(consumerName.length > 0 ? RemoteProtocol.FLAG_RESUME_NAMED : (byte)0, kind, value);
    }

    /**
     * Encodes the request of a reconnection: at the exact position after the last frame delivered (a named
     * consumer too: what it had received before the connection broke is not delivered again).
     */
    void encodeResume(final long position)
    {
        encode((byte)0, RemoteProtocol.START_POSITION, position);
    }

    private void encode(final byte flags, final byte kind, final long value)
    {
        final int length = SubscribeRequestDescriptor.encode(
            buffer, 0, version, flags, kind, value, endPosition, topic, token, consumerName);
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
