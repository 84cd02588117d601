package io.shmbus.bench;

import io.shmbus.client.remote.RemoteProtocol;
import io.shmbus.client.remote.SubscribeRequestDescriptor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Child role {@code net-subscriber}: a network subscriber of docs/protocol.md for the replay benchmark's
 * {@code shmbus-net} row. Prints {@code READY}, pauses briefly so the parent's first reading of the broker's CPU
 * comes before the broker has work, then asks for {@code [earliest, end)} of the topic, checks the OK response,
 * reads the stream to its end (the broker closes after the END frame) into one large direct buffer and prints
 * {@code RESULT bytes=N nanos=T}: N counts everything after the response, T runs from the request to the end.
 * With {@code go=true} it waits for the parent's go instead of pausing, so a tracer can be attached to the broker
 * first; with {@code warmupEnd=POSITION} as well it first subscribes to {@code [earliest, POSITION)} once.
 */
final class NetSubscriberRole
{
    private static final int RESPONSE_HEADER_LENGTH = 32;
    private static final long GO_TIMEOUT_MS = 300_000;

    private NetSubscriberRole()
    {
    }

    static void run(final ChildArgs args) throws Exception
    {
        final byte[] topic = args.get("topic").getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer request = ByteBuffer.allocate(SubscribeRequestDescriptor.HEADER_LENGTH + topic.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        request.putInt(SubscribeRequestDescriptor.MAGIC_OFFSET, RemoteProtocol.MAGIC)
            .putShort(SubscribeRequestDescriptor.VERSION_OFFSET, RemoteProtocol.VERSION)
            .putShort(SubscribeRequestDescriptor.REQUEST_TYPE_OFFSET, RemoteProtocol.REQUEST_SUBSCRIBE)
            .putInt(SubscribeRequestDescriptor.REQUEST_LENGTH_OFFSET, request.capacity())
            .put(SubscribeRequestDescriptor.START_KIND_OFFSET, RemoteProtocol.START_EARLIEST)
            .putShort(SubscribeRequestDescriptor.TOPIC_LENGTH_OFFSET, (short)topic.length)
            .putLong(SubscribeRequestDescriptor.START_VALUE_OFFSET, 0)
            .putLong(SubscribeRequestDescriptor.END_POSITION_OFFSET, Long.parseLong(args.get("end")));
        request.position(SubscribeRequestDescriptor.HEADER_LENGTH);
        request.put(topic).flip();
        final ByteBuffer buffer = ByteBuffer.allocateDirect((int)args.size("buffer")).order(ByteOrder.LITTLE_ENDIAN);

        final InetSocketAddress broker = new InetSocketAddress(InetAddress.getLoopbackAddress(),
            args.intValue("port"));
        final boolean go = Boolean.parseBoolean(args.get("go", "false"));
        if (go && null != args.get("warmupEnd", null))
        {
            // the same request for a shorter range first, so the broker's sending code is warm when measured
            request.putLong(SubscribeRequestDescriptor.END_POSITION_OFFSET, Long.parseLong(args.get("warmupEnd")));
            subscribe(broker, request, buffer);
            request.putLong(SubscribeRequestDescriptor.END_POSITION_OFFSET, Long.parseLong(args.get("end")))
                .rewind();
        }
        BenchChild.ready("");
        if (go)
        {
            if (!BenchChild.awaitGo(GO_TIMEOUT_MS))
            {
                return;
            }
        }
        else
        {
            Thread.sleep(200);
        }
        final long startNs = System.nanoTime();
        final long bytes = subscribe(broker, request, buffer);
        BenchChild.result("bytes=" + bytes + " nanos=" + (System.nanoTime() - startNs));
    }

    /** Sends the request, checks the response and reads the stream to its end; returns the bytes after it. */
    private static long subscribe(final InetSocketAddress broker, final ByteBuffer request, final ByteBuffer buffer)
        throws Exception
    {
        try (SocketChannel socket = SocketChannel.open(broker))
        {
            while (request.hasRemaining())
            {
                socket.write(request);
            }
            long bytes = readResponse(socket, buffer);
            int read;
            while ((read = socket.read(buffer)) >= 0)
            {
                bytes += read;
                buffer.clear();
            }
            return bytes;
        }
    }

    /** Reads and checks the response; returns how many stream bytes came with it. */
    private static long readResponse(final SocketChannel socket, final ByteBuffer buffer) throws Exception
    {
        buffer.clear();
        while (buffer.position() < RESPONSE_HEADER_LENGTH)
        {
            if (socket.read(buffer) < 0)
            {
                throw new IllegalStateException("the broker closed the connection before its response");
            }
        }
        final int type = buffer.getShort(6);
        final int length = buffer.getInt(8);
        while (buffer.position() < length)
        {
            if (socket.read(buffer) < 0)
            {
                throw new IllegalStateException("the broker closed the connection inside its response");
            }
        }
        if (1 != type)
        {
            final byte[] message = new byte[length - RESPONSE_HEADER_LENGTH];
            buffer.get(RESPONSE_HEADER_LENGTH, message);
            throw new IllegalStateException("the broker refused: error " + buffer.getInt(12) + ": " +
                new String(message, StandardCharsets.UTF_8));
        }
        final long extra = buffer.position() - length;
        buffer.clear();
        return extra;
    }
}
