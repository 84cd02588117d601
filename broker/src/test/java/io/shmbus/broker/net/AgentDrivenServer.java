package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network server whose duty cycle runs on the test's thread, over one topic published through an
 * {@link ArchiveView}, and a subscriber that reads a whole conversation (response, frames, last frame) until the
 * server closes: deterministic and fast enough for thousands of cases.
 */
final class AgentDrivenServer implements AutoCloseable
{
    static final int KIND_EARLIEST = RawSubscriber.KIND_EARLIEST;
    static final int KIND_POSITION = RawSubscriber.KIND_POSITION;
    static final int KIND_TIME = RawSubscriber.KIND_TIME;

    /** What the subscriber received, parsed. */
    static final class Conversation
    {
        short responseType;
        int errorCode;
        String message = "";
        long startPosition;
        /** Stored frames received: position, length, type; and the payloads' first int when there is one. */
        final List<long[]> frames = new ArrayList<>();
        /** The last control frame: END, STREAM ERROR, or 0 when the connection ended without one. */
        short lastType;
        long lastPosition;
        int lastCode;
        String lastMessage = "";
        boolean closed;

        public String toString()
        {
            return "response " + responseType + " code " + errorCode + " '" + message + "', " + frames.size() +
                " frames, last " + lastType + " at " + lastPosition + " code " + lastCode + " '" + lastMessage + "'";
        }
    }

    final CachedNanoClock clock = new CachedNanoClock();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final ArchiveView view;
    final NetCounters counters;
    final AtomicCounter damage;
    final NetServer server;

    AgentDrivenServer(final Path topicDir, final long segmentLength, final int maxFrameLength, final long first,
        final long archived)
    {
        final ArchiveViews views = new ArchiveViews();
        view = new ArchiveView(topicDir.getFileName().toString(), topicDir, segmentLength, maxFrameLength, first,
            archived);
        views.add(view);
        final CountersManager manager = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
        counters = new NetCounters(manager);
        damage = manager.newCounter("damage");
        view.damageCounter(damage);
        clock.update(1_000_000_000L);
        server = new NetServer(new NetSettings("127.0.0.1", 0, null, 8, TimeUnit.SECONDS.toNanos(5),
            TimeUnit.SECONDS.toNanos(1)), views, counters,
            io.shmbus.broker.logging.BrokerLogger.text(new PrintStream(log, true)), Throwable::printStackTrace,
            clock);
    }

    /**
     * Sends a request and reads the conversation to its end: the server closes after an ERROR, END or STREAM ERROR;
     * a live stream that reaches the archived position and only sends heartbeats ends the read there.
     */
    Conversation converse(final byte[] request) throws IOException
    {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        boolean closed = false;
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1",
            server.boundAddress().getPort())))
        {
            client.configureBlocking(false);
            final ByteBuffer out = ByteBuffer.wrap(request);
            final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int idleCycles = 0;
            while (!closed && idleCycles < 200)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("the conversation did not end within 20 s: " + received.size() +
                        " bytes received; log:\n" + log);
                }
                if (out.hasRemaining())
                {
                    client.write(out);
                }
                final int work = server.doWork();
                in.clear();
                final int n = client.read(in);
                if (n < 0)
                {
                    closed = true;
                }
                else if (n > 0)
                {
                    received.write(in.array(), 0, n);
                }
                idleCycles = n > 0 || work > 0 ? 0 : idleCycles + 1;
                if (0 == n && 0 == work)
                {
                    Thread.yield();
                }
            }
        }
        final Conversation conversation = parse(ByteBuffer.wrap(received.toByteArray()).order(ByteOrder.LITTLE_ENDIAN));
        conversation.closed = closed;
        return conversation;
    }

    private static Conversation parse(final ByteBuffer bytes)
    {
        final Conversation c = new Conversation();
        if (bytes.remaining() < 32)
        {
            return c;
        }
        c.responseType = bytes.getShort(6);
        final int responseLength = bytes.getInt(8);
        c.errorCode = bytes.getInt(12);
        c.startPosition = bytes.getLong(16);
        c.message = new String(bytes.array(), 32, Math.max(0, responseLength - 32), StandardCharsets.UTF_8);
        int at = responseLength;
        while (at + FrameDescriptor.HEADER_LENGTH <= bytes.limit())
        {
            final int length = bytes.getInt(at);
            final short type = bytes.getShort(at + FrameDescriptor.TYPE_OFFSET);
            final long position = bytes.getLong(at + FrameDescriptor.POSITION_OFFSET);
            if (FrameDescriptor.TYPE_HEARTBEAT == type)
            {
                at += 32;
                continue;
            }
            if (FrameDescriptor.TYPE_END == type || FrameDescriptor.TYPE_STREAM_ERROR == type)
            {
                c.lastType = type;
                c.lastPosition = position;
                c.lastCode = bytes.getInt(at + FrameDescriptor.PRODUCER_ID_OFFSET);
                c.lastMessage = new String(bytes.array(), at + 32, Math.max(0, Math.min(length - 32,
                    bytes.limit() - at - 32)), StandardCharsets.UTF_8);
                break;
            }
            c.frames.add(new long[]{position, length, type, length >= 36 && at + 36 <= bytes.limit() ?
                bytes.getInt(at + FrameDescriptor.HEADER_LENGTH) : -1});
            if (length <= 0 || length > bytes.limit())
            {
                break; // what a blind sender would have sent: not parseable further
            }
            at += FrameDescriptor.alignedLength(length);
        }
        return c;
    }

    public void close()
    {
        server.onClose();
        counters.close();
    }
}
