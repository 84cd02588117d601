package io.shmbus.broker.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A network subscriber written from docs/protocol.md alone, with a plain blocking socket: it encodes requests,
 * decodes the response and frames, and knows nothing of the broker's classes. Every read has a timeout.
 */
final class RawSubscriber implements AutoCloseable
{
    static final int KIND_EARLIEST = 0;
    static final int KIND_LATEST = 1;
    static final int KIND_POSITION = 2;
    static final int KIND_TIME = 3;

    record Response(int version, int type, int errorCode, long startPosition, int maxFrameLength, String message)
    {
        boolean isOk()
        {
            return 1 == type;
        }
    }

    record Frame(int length, int type, long position, long timestamp, int producerId, byte[] wire)
    {
        String payloadText()
        {
            return new String(wire, 32, length - 32, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawSubscriber(final int port, final int readTimeoutMs) throws IOException
    {
        this(port, readTimeoutMs, 0);
    }

    /** @param receiveBufferLength the socket's receive buffer, or 0 for the default. */
    RawSubscriber(final int port, final int readTimeoutMs, final int receiveBufferLength) throws IOException
    {
        socket = new Socket();
        if (receiveBufferLength > 0)
        {
            socket.setReceiveBufferSize(receiveBufferLength);
        }
        socket.setTcpNoDelay(true); // a request sent in pieces arrives in pieces
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(readTimeoutMs);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    /** The request of docs/protocol.md, byte by byte. */
    static byte[] request(final int kind, final long startValue, final long end, final String topic, final String token)
    {
        final byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        final byte[] secret = null == token ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer b = ByteBuffer.allocate(40 + name.length + secret.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte)'S').put((byte)'H').put((byte)'M').put((byte)'B');
        b.putShort((short)1).putShort((short)1).putInt(b.capacity());
        b.put((byte)kind).put((byte)0).putShort((short)name.length);
        b.putLong(startValue).putLong(end);
        b.putShort((short)secret.length).put(new byte[6]);
        b.put(name).put(secret);
        return b.array();
    }

    void send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** Sends, ignoring a broker that already closed the connection (it may refuse before reading). */
    void sendQuietly(final byte[] bytes)
    {
        try
        {
            send(bytes);
        }
        catch (final IOException ignore)
        {
            // the response says why
        }
    }

    void shutdownOutput() throws IOException
    {
        socket.shutdownOutput();
    }

    Response subscribe(final int kind, final long startValue, final long end, final String topic, final String token)
        throws IOException
    {
        send(request(kind, startValue, end, topic, token));
        return readResponse();
    }

    /** A version 2 request with a consumer name, encoded by the client's descriptor. */
    static byte[] namedRequest(
        final int flags, final int kind, final long startValue, final long end, final String topic,
        final String token, final String consumerName)
    {
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[4096]);
        final int length = io.shmbus.client.remote.SubscribeRequestDescriptor.encode(buffer, 0,
            io.shmbus.client.remote.RemoteProtocol.VERSION_NAMED, (byte)flags, (byte)kind, startValue, end,
            topic.getBytes(StandardCharsets.US_ASCII), null == token ? new byte[0] :
            token.getBytes(StandardCharsets.UTF_8), consumerName.getBytes(StandardCharsets.US_ASCII));
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** A COMMIT message of {@code position}. */
    static byte[] commit(final long position)
    {
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[16]);
        io.shmbus.client.remote.CommitMessageDescriptor.encode(buffer, 0, position);
        return buffer.byteArray();
    }

    Response readResponse() throws IOException
    {
        final ByteBuffer header = ByteBuffer.wrap(readFully(32)).order(ByteOrder.LITTLE_ENDIAN);
        if (header.getInt(0) != 0x424D4853)
        {
            throw new IOException("bad response magic " + Integer.toHexString(header.getInt(0)));
        }
        final int length = header.getInt(8);
        if (length < 32 || length > 4096)
        {
            throw new IOException("bad response length " + length);
        }
        final String message = new String(readFully(length - 32), StandardCharsets.UTF_8);
        return new Response(header.getShort(4), header.getShort(6), header.getInt(12), header.getLong(16),
            header.getInt(24), message);
    }

    Frame readFrame() throws IOException
    {
        final byte[] head = readFully(32);
        final ByteBuffer header = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        final int length = header.getInt(0);
        if (length < 32 || length > (64 << 20))
        {
            throw new IOException("bad frame length " + length);
        }
        final int aligned = (length + 31) & ~31;
        final byte[] wire = new byte[aligned];
        System.arraycopy(head, 0, wire, 0, 32);
        final byte[] rest = readFully(aligned - 32);
        System.arraycopy(rest, 0, wire, 32, rest.length);
        return new Frame(length, header.getShort(4), header.getLong(8), header.getLong(16), header.getInt(24), wire);
    }

    /**
     * Reads frames until {@code endPosition} (or an END, or a STREAM ERROR): the bytes of every stored frame (PAD,
     * DATA), in order; checks each frame's position; counts heartbeats.
     */
    Stream readStream(final long startPosition, final long endPosition) throws IOException
    {
        final Stream stream = new Stream();
        long expected = startPosition;
        while (expected < endPosition)
        {
            final Frame frame = readFrame();
            if (frame.position() != expected)
            {
                throw new IOException("frame at " + frame.position() + ", expected " + expected + ", type " +
                    frame.type());
            }
            switch (frame.type())
            {
                case 1, 2 ->
                {
                    stream.bytes.write(frame.wire(), 0, frame.wire().length);
                    expected += frame.wire().length;
                    stream.frames++;
                }
                case 3 -> stream.heartbeats++;
                case 4, 5 ->
                {
                    stream.last = frame;
                    return stream;
                }
                default -> throw new IOException("unknown frame type " + frame.type() + " at " + expected);
            }
        }
        return stream;
    }

    /** What {@link #readStream} received. */
    static final class Stream
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int frames;
        int heartbeats;
        Frame last;
    }

    /** True when the broker closed the connection (end of stream or reset) before the read timeout. */
    boolean isClosedByBroker() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final SocketException ex)
        {
            return true; // reset
        }
    }

    private byte[] readFully(final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        int done = 0;
        while (done < length)
        {
            final int n = in.read(bytes, done, length - done);
            if (n < 0)
            {
                throw new EOFException("connection closed after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return bytes;
    }

    public void close() throws IOException
    {
        socket.close();
    }
}
