package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.remote.RemoteProtocol;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The server as an agent driven by hand: its duty cycle on this thread, its clock injected, the archive published
 * through an {@link ArchiveView} as the conductor does. Timeouts and heartbeats follow the injected clock alone,
 * and a live subscriber gets what is published only once the view says it is archived.
 */
@Timeout(30)
class NetServerAgentTest
{
    private static final long SEGMENT_LENGTH = 64 * 1024;
    private static final long HANDSHAKE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long HEARTBEAT_NS = TimeUnit.SECONDS.toNanos(1);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private Path topicDir;
    private ArchiveView view;
    private NetServer server;
    private NetCounters counters;

    @BeforeEach
    void setUp() throws IOException
    {
        topicDir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-net-agent-").resolve("t");
        Files.createDirectories(topicDir);
        Files.createFile(SegmentDescriptor.file(topicDir, 0));
        final ArchiveViews views = new ArchiveViews();
        view = new ArchiveView("t", topicDir, SEGMENT_LENGTH, 1024, 0, 0);
        views.add(view);
        counters = new NetCounters(new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024))));
        clock.update(1_000_000_000L);
        server = new NetServer(new NetSettings("127.0.0.1", 0, null, 8, HANDSHAKE_TIMEOUT_NS, HEARTBEAT_NS), views,
            counters, io.shmbus.broker.logging.BrokerLogger.text(new PrintStream(log, true)),
            Throwable::printStackTrace, clock);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        server.onClose();
        counters.close();
        try (Stream<Path> paths = Files.walk(topicDir.getParent()))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theHandshakeTimesOutOnTheInjectedClockOnly() throws Exception
    {
        try (SocketChannel client = connect())
        {
            client.write(ByteBuffer.wrap(RawSubscriber.request(RawSubscriber.KIND_LATEST, 0, -1, "t", null), 0, 30));
            cycle();
            clock.advance(HANDSHAKE_TIMEOUT_NS - 1);
            cycle();
            assertEquals(0, counters.handshakeErrors.get(), "not before the timeout");
            clock.advance(1);
            cycle();
            assertEquals(1, counters.handshakeErrors.get());
            final ByteBuffer response = read(client, 32);
            assertEquals(RemoteProtocol.RESPONSE_ERROR, response.getShort(6));
            assertEquals(RemoteProtocol.HANDSHAKE_TIMEOUT, response.getInt(12));
        }
    }

    @Test
    void heartbeatsFollowTheClockAndFramesFollowTheView() throws Exception
    {
        try (SocketChannel client = connect())
        {
            client.write(ByteBuffer.wrap(RawSubscriber.request(RawSubscriber.KIND_EARLIEST, 0, -1, "t", null)));
            cycle();
            final ByteBuffer response = read(client, 32);
            assertEquals(RemoteProtocol.RESPONSE_OK, response.getShort(6));
            assertEquals(1024, response.getInt(24), "the view's max frame length");

            clock.advance(HEARTBEAT_NS - 1);
            cycle();
            clock.advance(1);
            cycle();
            final ByteBuffer heartbeat = read(client, 32);
            assertEquals(FrameDescriptor.TYPE_HEARTBEAT, heartbeat.getShort(FrameDescriptor.TYPE_OFFSET));
            assertEquals(0, heartbeat.getLong(FrameDescriptor.POSITION_OFFSET));

            // frames in the file are not sent until the view publishes them as archived
            final byte[] frames = appendFrames(0, 3);
            cycle();
            assertEquals(0, counters.bytesSent.get(), "nothing beyond the archived position");
            view.update(0, frames.length);
            cycle();
            final ByteBuffer received = read(client, frames.length);
            assertArrayEquals(frames, received.array());
            assertEquals(frames.length, counters.bytesSent.get());

            clock.advance(HEARTBEAT_NS);
            cycle();
            assertEquals(frames.length, read(client, 32).getLong(FrameDescriptor.POSITION_OFFSET),
                "the next heartbeat carries the next position");
            assertEquals(2, counters.heartbeatsSent.get());
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counters.connectionsOpen.get() != 0)
        {
            assertTrue(System.nanoTime() < deadline, "a closed subscriber is freed within 10 s");
            server.doWork();
        }
    }

    private SocketChannel connect() throws IOException
    {
        final SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1",
            server.boundAddress().getPort()));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final long accepted = counters.connectionsAccepted.get();
        while (counters.connectionsAccepted.get() == accepted)
        {
            assertTrue(System.nanoTime() < deadline, "the server accepts within 10 s");
            server.doWork();
        }
        return client;
    }

    /** A few duty cycles, so that socket events that are in flight are seen. */
    private void cycle()
    {
        for (int i = 0; i < 5; i++)
        {
            server.doWork();
            Thread.yield();
        }
    }

    /** Reads exactly {@code length} bytes, driving the server while waiting (blocking socket, 10 s deadline). */
    private ByteBuffer read(final SocketChannel client, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        client.configureBlocking(false);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (buffer.hasRemaining())
        {
            assertTrue(System.nanoTime() < deadline, "received " + buffer.position() + " of " + length + " bytes");
            if (client.read(buffer) < 0)
            {
                fail("closed after " + buffer.position() + " of " + length + " bytes; log:\n" + log);
            }
            server.doWork();
        }
        return buffer.flip();
    }

    private byte[] appendFrames(final long from, final int count) throws IOException
    {
        final ByteBuffer frames = ByteBuffer.allocate(count * 64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            final int at = i * 64;
            frames.putLong(at, FrameDescriptor.commitWord(40, FrameDescriptor.TYPE_DATA, (byte)0));
            frames.putLong(at + FrameDescriptor.POSITION_OFFSET, from + at);
            frames.putLong(at + FrameDescriptor.TIMESTAMP_OFFSET, 1000 + i);
            frames.putLong(at + FrameDescriptor.HEADER_LENGTH, 0x0102030405060708L * (i + 1));
        }
        try (FileChannel segment = FileChannel.open(SegmentDescriptor.file(topicDir, 0), StandardOpenOption.WRITE))
        {
            segment.write(frames, from);
        }
        return frames.array();
    }
}
