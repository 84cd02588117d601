package io.shmbus.client.remote;

import io.shmbus.client.FragmentHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A broker's network side as docs/protocol.md describes it, driven by the test: accepts a subscriber on an
 * ephemeral loopback port, reads its request, and writes whatever the test tells it to.
 */
final class FakeBroker implements AutoCloseable
{
    static final long DEADLINE_MS = 10_000;

    private final ServerSocketChannel server;

    FakeBroker()
    {
        try
        {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    int port()
    {
        return server.socket().getLocalPort();
    }

    /**
     * Polls the consumer until it has connected and sent its whole request.
     */
    Session accept(final RemoteConsumer consumer, final FragmentHandler handler) throws IOException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        SocketChannel channel = null;
        while (null == channel)
        {
            assertTrue(System.currentTimeMillis() < deadline, "no connection from the consumer within " +
                DEADLINE_MS + " ms; it is " + consumer);
            consumer.poll(handler, 10);
            channel = server.accept();
        }
        channel.configureBlocking(false);
        final ByteBuffer request = ByteBuffer.allocate(RemoteProtocol.MAX_REQUEST_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        request.limit(SubscribeRequestDescriptor.HEADER_LENGTH);
        while (request.hasRemaining())
        {
            assertTrue(System.currentTimeMillis() < deadline, "no whole request within " + DEADLINE_MS +
                " ms, got " + request.position() + " bytes; the consumer is " + consumer);
            consumer.poll(handler, 10);
            assertTrue(channel.read(request) >= 0, "the consumer closed the connection before its request");
            if (!request.hasRemaining() && request.limit() == SubscribeRequestDescriptor.HEADER_LENGTH)
            {
                request.limit(request.getInt(SubscribeRequestDescriptor.REQUEST_LENGTH_OFFSET));
            }
        }
        channel.configureBlocking(true);
        return new Session(channel, Arrays.copyOf(request.array(), request.position()));
    }

    public void close() throws IOException
    {
        server.close();
    }

    /** One subscriber's connection. */
    static final class Session implements AutoCloseable
    {
        final SocketChannel channel;
        final byte[] request;

        Session(final SocketChannel channel, final byte[] request)
        {
            this.channel = channel;
            this.request = request;
        }

        ByteBuffer request()
        {
            return ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN);
        }

        byte startKind()
        {
            return request[SubscribeRequestDescriptor.START_KIND_OFFSET];
        }

        long startValue()
        {
            return request().getLong(SubscribeRequestDescriptor.START_VALUE_OFFSET);
        }

        long endPosition()
        {
            return request().getLong(SubscribeRequestDescriptor.END_POSITION_OFFSET);
        }

        Session send(final byte[] bytes) throws IOException
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            return this;
        }

        /** True once the consumer closed its end: a read sees the end of the stream. */
        boolean isClosedByPeer() throws IOException
        {
            channel.configureBlocking(false);
            try
            {
                return channel.read(ByteBuffer.allocate(64)) < 0;
            }
            catch (final IOException ex)
            {
                return true; // reset: closed with bytes it had not read
            }
            finally
            {
                channel.configureBlocking(true);
            }
        }

        public void close() throws IOException
        {
            channel.close();
        }
    }
}
