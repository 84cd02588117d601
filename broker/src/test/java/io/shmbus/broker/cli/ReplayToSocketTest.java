package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.archive.SegmentRangeSender;
import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus replay --connect} and {@code --listen} against in-process receivers: the bytes on the socket are
 * the segment files (frames) or exactly what {@code --out} writes (payload, lines); receivers that close early or
 * read slowly. One broker and one archived topic (about 24 MiB over 64 KiB segments) for the whole class.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayToSocketTest
{
    private static final String TOPIC = "replayed";
    private static final int MESSAGES = 24_000;
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(15);

    private Path root;
    private Broker broker;
    private String shm;
    private byte[] segments;

    @BeforeAll
    void publishAnArchivedTopic() throws Exception
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-replay-socket-");
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n[topic scratch]\npersistent = false\n");
        final Path dataDir = root.resolve("data");
        shm = root.resolve("shm").toString();
        broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(dataDir).configFile(config)
            .segmentLength(64 * 1024).log(new PrintStream(new ByteArrayOutputStream(), true)));
        long tail = 0;
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final Producer producer = bus.addProducer(TOPIC);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[1100]);
            final long deadline = System.nanoTime() + WAIT_NS;
            for (int i = 0; i < MESSAGES; i++)
            {
                final int length = 16 + (i * 7919) % 1000; // varied lengths: padding at every ring end
                for (int b = 0; b < length; b++)
                {
                    message.putByte(b, (byte)('a' + (i + b) % 26));
                }
                while ((tail = producer.offer(message, 0, length)) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, "publishing: held back for 15 s");
                    Thread.yield();
                }
            }
        }
        final Path topicDir = dataDir.resolve(TOPIC);
        final long deadline = System.nanoTime() + WAIT_NS;
        ByteArrayOutputStream all;
        do
        {
            assertTrue(System.nanoTime() < deadline, "the archive did not reach the tail " + tail);
            Thread.sleep(10);
            all = new ByteArrayOutputStream();
            for (final Path segment : SegmentScanner.segmentFiles(topicDir))
            {
                all.write(Files.readAllBytes(segment));
            }
        }
        while (all.size() < tail);
        segments = all.toByteArray();
        assertEquals(tail, segments.length, "one contiguous archive from position 0");
        assertTrue(SegmentScanner.segmentFiles(topicDir).size() > 100, "many segments");
    }

    @AfterAll
    void tearDown() throws IOException
    {
        if (null != broker)
        {
            broker.close();
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void connectSendsTheSameBytesAsOutInEachFormat() throws Exception
    {
        for (final String format : new String[]{"frames", "payload", "lines"})
        {
            final byte[] file = replayToFile(format);
            try (ServerSocket server = listener())
            {
                final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(server, 0));
                final Result result = replay("--format", format, "--connect", "127.0.0.1:" + server.getLocalPort());
                assertEquals(0, result.code, result.err);
                assertArrayEquals(file, await(received), format + ": the socket got what --out wrote");
            }
            if ("frames".equals(format))
            {
                assertArrayEquals(segments, file, "frames are the segment files, byte for byte");
            }
        }
    }

    @Test
    void framesOfATopicWithoutArchiveComeThroughAConsumer() throws Exception
    {
        final String d = shm;
        assertEquals(0, Main.run(new String[]{"publish", "--dir", d, "--topic", "scratch"},
            new ByteArrayInputStream("one\ntwo\n".getBytes(StandardCharsets.UTF_8)),
            new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(new ByteArrayOutputStream(), true)));
        try (ServerSocket server = listener())
        {
            final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(server, 0));
            final Result result = replayTopic("scratch", "--connect", "127.0.0.1:" + server.getLocalPort());
            assertEquals(0, result.code, result.err);
            final byte[] frames = await(received);
            assertEquals(128, frames.length, "two data frames of 64 bytes");
            assertEquals('o', frames[32]);
            assertEquals('t', frames[64 + 32]);
        }
    }

    @Test
    void listenServesOneConnectionInEachFormat() throws Exception
    {
        for (final String format : new String[]{"frames", "payload", "lines"})
        {
            final SyncOutput err = new SyncOutput();
            final CompletableFuture<Result> replay = CompletableFuture.supplyAsync(
                () -> replay(err, "--format", format, "--listen", "0"));
            final int port = awaitListeningPort(err, replay);
            final byte[] received;
            try (Socket socket = new Socket("127.0.0.1", port))
            {
                received = socket.getInputStream().readAllBytes();
            }
            final Result result = replay.get(WAIT_NS, TimeUnit.NANOSECONDS);
            assertEquals(0, result.code, result.err);
            assertArrayEquals("frames".equals(format) ? segments : replayToFile(format), received, format);
        }
    }

    @Test
    void aSlowReceiverGetsEveryByte() throws Exception
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.setReceiveBufferSize(8 * 1024); // small window: the sender's writes go through in small parts
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(server, 1));
            // from the second segment's first frame to the end of the frame holding position to
            final int from = 64 * 1024;
            final int to = 5 * 64 * 1024 + 40;
            final Result result = replay("--from", Integer.toString(from), "--to", Integer.toString(to), "--connect",
                "127.0.0.1:" + server.getLocalPort());
            assertEquals(0, result.code, result.err);
            final ByteBuffer frames = ByteBuffer.wrap(segments).order(ByteOrder.LITTLE_ENDIAN);
            int end = 5 * 64 * 1024;
            while (end < to)
            {
                end += FrameDescriptor.alignedLength(frames.getInt(end + FrameDescriptor.FRAME_LENGTH_OFFSET));
            }
            assertTrue(end > to, "position " + to + " is inside a frame");
            assertArrayEquals(java.util.Arrays.copyOfRange(segments, from, end), await(received),
                "whole frames from " + from + " through the one holding " + to);
        }
    }

    @Test
    void partialWritesAreContinuedWhereTheyStopped() throws IOException
    {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final int[] calls = {0};
        final WritableByteChannel trickle = new WritableByteChannel() // takes at most 1000 bytes a call
        {
            public int write(final ByteBuffer src)
            {
                calls[0]++;
                final int n = Math.min(1000, src.remaining());
                for (int i = 0; i < n; i++)
                {
                    received.write(src.get());
                }
                return n;
            }

            public boolean isOpen()
            {
                return true;
            }

            public void close()
            {
            }
        };
        try (SegmentRangeSender sender = new SegmentRangeSender(root.resolve("data").resolve(TOPIC),
            () -> segments.length, TimeUnit.SECONDS.toNanos(5)))
        {
            assertEquals(segments.length, sender.send(0, segments.length, trickle, null));
        }
        assertArrayEquals(segments, received.toByteArray());
        assertTrue(calls[0] >= segments.length / 1000, "many partial writes: " + calls[0]);
    }

    @Test
    void aReceiverThatClosesMidwayIsAClearError() throws Exception
    {
        for (final String format : new String[]{"frames", "lines"})
        {
            try (ServerSocket server = listener())
            {
                final CompletableFuture<Void> closer = CompletableFuture.runAsync(() ->
                {
                    try (Socket socket = server.accept())
                    {
                        socket.getInputStream().readNBytes(64 * 1024);
                        socket.setSoLinger(true, 0); // reset, as a killed receiver would
                    }
                    catch (final IOException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
                final Result result = replay("--format", format, "--connect", "127.0.0.1:" + server.getLocalPort());
                closer.get(WAIT_NS, TimeUnit.NANOSECONDS);
                assertEquals(1, result.code, format + ": " + result.err);
                assertTrue(result.err.contains("cannot send to 127.0.0.1:"), result.err);
                assertTrue(result.err.contains("the receiver closed the connection"), result.err);
                assertFalse(result.err.contains("\tat "), "no stack trace: " + result.err);
            }
        }
    }

    @Test
    void badDestinationsAreClearErrors() throws IOException
    {
        final int closedPort;
        try (ServerSocket server = listener())
        {
            closedPort = server.getLocalPort();
        }
        Result result = replay("--connect", "127.0.0.1:" + closedPort);
        assertEquals(1, result.code, result.err);
        assertTrue(result.err.contains("cannot connect to 127.0.0.1:" + closedPort + ": Connection refused"),
            result.err);

        result = replay("--connect", "localhost");
        assertEquals(2, result.code, result.err);
        assertTrue(result.err.contains("--connect needs HOST:PORT: 'localhost'"), result.err);
        result = replay("--connect", "localhost:http");
        assertEquals(2, result.code, result.err);
        assertTrue(result.err.contains("--connect needs a port number 1-65535: 'http'"), result.err);
        result = replay("--connect", "no-such-host.invalid:7000");
        assertEquals(1, result.code, result.err);
        assertTrue(result.err.contains("unknown host 'no-such-host.invalid'"), result.err);
        result = replay("--listen", "0", "--out", "x");
        assertEquals(2, result.code, result.err);
        assertTrue(result.err.contains("give exactly one of --out FILE, --connect HOST:PORT, --listen PORT"),
            result.err);
        result = replay("--bind", "0.0.0.0", "--connect", "127.0.0.1:1");
        assertEquals(2, result.code, result.err);
        assertTrue(result.err.contains("--bind only goes with --listen"), result.err);
    }

    private byte[] replayToFile(final String format) throws IOException
    {
        final Path file = root.resolve("out." + format);
        final Result result = replay("--format", format, "--out", file.toString());
        assertEquals(0, result.code, result.err);
        final byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    private static ServerSocket listener() throws IOException
    {
        return new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    }

    /** Reads one connection to its end, pausing {@code pauseMs} every 64 KiB. */
    private static byte[] readAll(final ServerSocket server, final int pauseMs)
    {
        try (Socket socket = server.accept())
        {
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            final byte[] chunk = new byte[4096];
            int read;
            while ((read = in.read(chunk)) >= 0)
            {
                all.write(chunk, 0, read);
                if (pauseMs > 0 && all.size() % (64 * 1024) < read)
                {
                    Thread.sleep(pauseMs);
                }
            }
            return all.toByteArray();
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static byte[] await(final CompletableFuture<byte[]> received)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        return received.get(WAIT_NS, TimeUnit.NANOSECONDS);
    }

    private static int awaitListeningPort(final SyncOutput err, final CompletableFuture<Result> replay)
        throws InterruptedException
    {
        final Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
        final long deadline = System.nanoTime() + WAIT_NS;
        while (true)
        {
            final Matcher matcher = listening.matcher(err.text());
            if (matcher.find())
            {
                return Integer.parseInt(matcher.group(1));
            }
            assertFalse(replay.isDone(), "replay --listen ended before listening: " + err.text());
            assertTrue(System.nanoTime() < deadline, "replay --listen printed no port: " + err.text());
            Thread.sleep(5);
        }
    }

    private Result replay(final String... options)
    {
        return replay(new SyncOutput(), options);
    }

    private Result replay(final SyncOutput err, final String... options)
    {
        return replayTopic(err, TOPIC, options);
    }

    private Result replayTopic(final String topic, final String... options)
    {
        return replayTopic(new SyncOutput(), topic, options);
    }

    private Result replayTopic(final SyncOutput err, final String topic, final String... options)
    {
        final String[] args = Stream.concat(Stream.of("replay", "--dir", shm, "--topic", topic), Stream.of(options))
            .toArray(String[]::new);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true),
            new PrintStream(err, true));
        return new Result(code, err.text());
    }

    private static final class Result
    {
        final int code;
        final String err;

        Result(final int code, final String err)
        {
            this.code = code;
            this.err = err;
        }
    }

    /** Stderr that another thread can read while the command runs. */
    private static final class SyncOutput extends ByteArrayOutputStream
    {
        synchronized String text()
        {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
