package io.shmbus.broker.net;

import io.shmbus.client.remote.RemoteProtocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

import static io.shmbus.client.remote.RemoteProtocol.MAX_REQUEST_LENGTH;
import static io.shmbus.client.remote.SubscribeRequestDescriptor.HEADER_LENGTH;

/**
 * Reads one SUBSCRIBE request from a non-blocking socket in as many pieces as it arrives, checking what it can as
 * soon as it can: the magic after 4 bytes (so garbage is refused at once), the version and request type after 8
 * (the part of the layout every version keeps, so a client of another version is told so whatever its header
 * length), the whole header after 40 (so a bad length is refused before its bytes are awaited). It never reads
 * past the request: a byte after it is left in the socket, where it is seen as a protocol violation. Network
 * server thread only.
 */
final class RequestReader
{
    private static final int MAGIC_LENGTH = 4;
    private static final int VERSION_AND_TYPE_LENGTH = 8;

    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    RequestReader()
    {
        buffer.limit(MAGIC_LENGTH);
    }

    /**
     * Reads what the socket has.
     *
     * @return the whole request (little-endian, from index 0), or null while it is incomplete.
     * @throws RequestRejectedException when what arrived is not a valid request header, or the subscriber closed
     *                                  its side before the end of the request.
     * @throws IOException              when the socket fails.
     */
    ByteBuffer read(final ReadableByteChannel channel) throws IOException, RequestRejectedException
    {
        while (true)
        {
            if (channel.read(buffer) < 0)
            {
                throw new RequestRejectedException(RemoteProtocol.MALFORMED_REQUEST, "connection closed after " +
                    buffer.position() + " bytes of an incomplete request");
            }
            if (buffer.hasRemaining())
            {
                return null;
            }
            if (MAGIC_LENGTH == buffer.limit())
            {
                SubscriptionResolver.checkMagic(buffer);
                buffer.limit(VERSION_AND_TYPE_LENGTH);
            }
            else if (VERSION_AND_TYPE_LENGTH == buffer.limit())
            {
                SubscriptionResolver.checkVersionAndType(buffer);
                buffer.limit(HEADER_LENGTH);
            }
            else if (HEADER_LENGTH == buffer.limit())
            {
                buffer.limit(SubscriptionResolver.checkHeader(buffer)); // > HEADER_LENGTH: a topic is never empty
            }
            else
            {
                return buffer;
            }
        }
    }

    /**
     * The protocol version to answer in: the request's, once its first 8 bytes are in and it is one the broker
     * speaks; otherwise version 1, which every client reads.
     */
    short responseVersion()
    {
        if (buffer.position() < VERSION_AND_TYPE_LENGTH)
        {
            return RemoteProtocol.VERSION_1;
        }
        final int version = buffer.getShort(io.shmbus.client.remote.SubscribeRequestDescriptor.VERSION_OFFSET) &
            0xFFFF;
        return version >= RemoteProtocol.VERSION_1 && version <= RemoteProtocol.VERSION ? (short)version :
            RemoteProtocol.VERSION_1;
    }

    /** Bytes received so far. */
    int received()
    {
        return buffer.position();
    }
}
