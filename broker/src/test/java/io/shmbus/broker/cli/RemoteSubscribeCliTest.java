package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus subscribe --remote} against a one-connection fake broker that answers as docs/protocol.md says,
 * and against a real embedded broker's network server.
 */
@Timeout(60)
class RemoteSubscribeCliTest
{
    private final ServerSocketChannel server;
    private String stdout;
    private String stderr;

    RemoteSubscribeCliTest() throws IOException
    {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        server.close();
    }

    private String address()
    {
        return "127.0.0.1:" + server.socket().getLocalPort();
    }

    private int run(final String... args)
    {
        return runWithInput("", args);
    }

    private int runWithInput(final String stdin, final String... args)
    {
        final CliRun run = CliRun.run(stdin, args);
        stdout = run.stdout;
        stderr = run.stderr;
        return run.code;
    }

    /** Accepts one subscriber, reads its request, and answers with {@code reply}; returns the request. */
    private CompletableFuture<ByteBuffer> answerOnce(final byte[] reply)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try (SocketChannel channel = server.accept())
            {
                final ByteBuffer request = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
                request.limit(40);
                while (request.hasRemaining() && channel.read(request) >= 0)
                {
                    if (!request.hasRemaining() && request.limit() == 40)
                    {
                        request.limit(request.getInt(8));
                    }
                }
                channel.write(ByteBuffer.wrap(reply));
                channel.shutdownOutput();
                while (channel.read(ByteBuffer.allocate(64)) >= 0)
                {
                    Thread.onSpinWait(); // until the subscriber closes
                }
                return request.flip();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }

    private static ByteBuffer response(final short type, final int code, final String message)
    {
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN).putInt(0x424D4853).putShort((short)1)
            .putShort(type).putInt(32 + text.length).putInt(code).putLong(0).putInt(type == 1 ? 4096 : 0).putInt(0)
            .put(text);
    }

    private static void frame(final ByteBuffer out, final short type, final long position, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        final int start = out.position();
        out.putInt(32 + bytes.length).putShort(type).put((byte)0).put((byte)1).putLong(position).putLong(0)
            .putInt(1).putInt(0).put(bytes);
        out.position(start + ((32 + bytes.length + 31) & ~31));
    }

    private static byte[] bytes(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }

    @Test
    void printsEachMessageOfABoundedReplayAndExits() throws Exception
    {
        final ByteBuffer reply = response((short)1, 0, "");
        frame(reply, (short)2, 0, "hello");
        frame(reply, (short)1, 64, "padding");
        frame(reply, (short)3, 128, "");
        frame(reply, (short)2, 128, "wörld");
        frame(reply, (short)4, 192, "");
        final CompletableFuture<ByteBuffer> request = answerOnce(bytes(reply));

        assertEquals(0, run("subscribe", "--remote", address(), "--topic", "orders", "--from", "earliest",
            "--to", "192", "--token", "t0k"), stderr);
        assertEquals("hello\nwörld\n", stdout);
        final ByteBuffer sent = request.get(10, TimeUnit.SECONDS);
        assertEquals(0, sent.get(12), "start kind earliest");
        assertEquals(192, sent.getLong(24), "end position");
        assertEquals(3, sent.getShort(32), "token length");
        assertEquals(40 + 6 + 3, sent.limit());
    }

    @Test
    void readsWhatWasPublishedFromARealBrokersNetworkServer() throws IOException
    {
        final Path root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-cli-remote-");
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\npersistent = true\n");
        try (Broker broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(root.resolve("data"))
            .configFile(config).netPort(0).log(new PrintStream(new ByteArrayOutputStream(), true))))
        {
            assertEquals(0, runWithInput("alpha\nbeta γ\ngamma\n", "publish", "--dir", root.resolve("shm").toString(),
                "--topic", "news"), stderr);
            final String address = "127.0.0.1:" + broker.netPort();
            assertEquals(0, run("subscribe", "--remote", address, "--topic", "news", "--from", "earliest",
                "--count", "3"), stderr);
            assertEquals("alpha\nbeta γ\ngamma\n", stdout);
            assertEquals(0, run("subscribe", "--remote", address, "--topic", "news", "--from", "64", "--to", "128"),
                stderr);
            assertEquals("beta γ\n", stdout);
            assertEquals(1, run("subscribe", "--remote", address, "--topic", "news", "--from", "32"));
            assertTrue(stderr.contains("NOT_FRAME_BOUNDARY"), stderr);
            assertEquals(1, run("subscribe", "--remote", address, "--topic", "absent", "--from", "earliest",
                "--no-wait"));
            assertTrue(stderr.contains("UNKNOWN_TOPIC"), stderr);
        }
        finally
        {
            try (Stream<Path> paths = Files.walk(root))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aRefusalExitsOneWithTheBrokersMessage() throws Exception
    {
        answerOnce(bytes(response((short)2, 3, "no persistent topic 'nope'")));
        assertEquals(1, run("subscribe", "--remote", address(), "--topic", "nope", "--from", "earliest",
            "--no-wait"));
        assertTrue(stderr.contains("UNKNOWN_TOPIC: no persistent topic 'nope'"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    }

    @Test
    void noBrokerExitsOne() throws IOException
    {
        final String address = address();
        server.close();
        assertEquals(1, run("subscribe", "--remote", address, "--topic", "t", "--no-wait"));
        assertTrue(stderr.contains("cannot subscribe to topic 't' at " + address), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    }

    @Test
    void usageMistakesExitTwo()
    {
        assertEquals(2, run("subscribe", "--remote", "nohost", "--topic", "t"));
        assertTrue(stderr.contains("address must be HOST:PORT"), stderr);
        assertEquals(2, run("subscribe", "--remote", address(), "--topic", "t", "--to", "soon"));
        assertTrue(stderr.contains("--to needs a whole number"), stderr);
        assertEquals(2, run("subscribe", "--remote", address(), "--topic", "t", "--to", "100"));
        assertTrue(stderr.contains("frame boundary"), stderr);
        assertEquals(2, run("subscribe", "--topic", "t", "--to", "128"));
        assertTrue(stderr.contains("need --remote"), stderr);
        assertEquals(2, run("subscribe", "--remote", address(), "--dir", "/tmp", "--topic", "t"));
        assertTrue(stderr.contains("--dir does not apply"), stderr);
        assertEquals(2, run("subscribe", "--remote", address(), "--topic", "bad/name"));
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    }
}
