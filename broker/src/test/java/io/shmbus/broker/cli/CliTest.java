package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(120)
class CliTest
{
    private Path dir;
    private String stdout;
    private String stderr;
    private Broker broker;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-cli-");
        final Path config = dir.resolve("broker.conf");
        Files.writeString(config, "[topic small]\ncapacity = 64k\n");
        broker = Broker.launch(new BrokerContext().dir(dir.resolve("shm")).configFile(config)
            .log(new PrintStream(new ByteArrayOutputStream(), true)));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        broker.close();
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int run(final String stdin, final String... args)
    {
        final CliRun run = CliRun.run(stdin, args);
        stdout = run.stdout;
        stderr = run.stderr;
        return run.code;
    }

    @Test
    void everyCommandIsFoundByItsNameAndListed()
    {
        assertEquals(0, run("", "--help"));
        for (final String name : Main.COMMAND_NAMES)
        {
            final Command command = Main.command(name);
            assertNotNull(command, name);
            assertEquals(name, command.name());
            assertTrue(stdout.contains("  " + name + " "), stdout);
        }
        assertNull(Main.command("Stat"));
    }

    @Test
    void publishThenSubscribeFromEarliest()
    {
        final String d = dir.resolve("shm").toString();
        assertEquals(0, run("alpha\nbeta γ\n\ngamma\n", "publish", "--dir", d, "--topic", "news"), stderr);
        assertTrue(stdout.contains("sent 3 messages to topic news"), stdout);
        assertTrue(stderr.contains("skipped empty line"), stderr);

        assertEquals(0, run("", "subscribe", "--dir", d, "--topic", "news", "--from", "earliest", "--count", "3"));
        assertEquals("alpha\nbeta γ\ngamma\n", stdout);

        assertEquals(0, run("", "subscribe", "--dir", d, "--topic", "news", "--from", "64", "--count", "1"));
        assertEquals("beta γ\n", stdout);

        assertEquals(0, run("", "topics", "--dir", d));
        assertTrue(stdout.contains("news"), stdout);
        assertTrue(stdout.contains("4194304"), stdout);
    }

    @Test
    void publishSendsTheBytesOfEachLineAsTheyAre()
    {
        final String d = dir.resolve("shm").toString();
        // not UTF-8, a lone \r inside a line, a last line without its newline
        final byte[] input = {'c', 'a', 'f', (byte)0xe9, '\n', 'A', '\r', 'B', '\n', (byte)0xff, 0, 'z'};
        final CliRun sent = CliRun.run(input, "publish", "--dir", d, "--topic", "bytes");
        assertEquals(0, sent.code, sent.stderr);
        assertEquals("sent 3 messages to topic bytes\n", sent.stdout);
        assertEquals(List.of("63 61 66 e9", "41 0d 42", "ff 00 7a"), payloads(d, "bytes", 3));

        final CliRun windows = CliRun.run("one\r\ntwo\r\n".getBytes(StandardCharsets.UTF_8), "publish", "--dir", d,
            "--topic", "crlf", "--crlf");
        assertEquals(0, windows.code, windows.stderr);
        assertEquals(List.of("6f 6e 65", "74 77 6f"), payloads(d, "crlf", 2));
    }

    @Test
    void publishNamesLinesByTheirNumberInTheInput()
    {
        final String d = dir.resolve("shm").toString();
        // topic 'small' has a 64 KiB ring: its largest message is 8160 bytes
        final String input = "\n\n\nfirst\n" + "x".repeat(9_000) + "\n";
        assertEquals(1, run(input, "publish", "--dir", d, "--topic", "small"));
        assertTrue(stderr.contains("skipped empty line 1:") && stderr.contains("skipped empty line 2:") &&
            stderr.contains("skipped empty line 3:"), stderr);
        assertTrue(stderr.contains("line 5 is 9000 bytes"), stderr);
        assertEquals("sent 1 message to topic small\n", stdout);
    }

    /** The first {@code count} payloads of a topic from the earliest position, as hex. */
    private List<String> payloads(final String shmDir, final String topic, final int count)
    {
        final List<String> found = new ArrayList<>();
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(shmDir))))
        {
            final Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (found.size() < count)
            {
                assertTrue(System.nanoTime() < deadline, "payloads of " + topic + " within 10 s: " + found);
                consumer.poll((buffer, offset, length, header) ->
                {
                    final StringBuilder hex = new StringBuilder();
                    for (int i = 0; i < length; i++)
                    {
                        hex.append(i == 0 ? "" : " ").append(String.format("%02x", buffer.getByte(offset + i)));
                    }
                    found.add(hex.toString());
                }, 10);
                Thread.yield();
            }
        }
        return found;
    }

    @Test
    void userMistakesGetMessagesAndExitCodes()
    {
        final String d = dir.resolve("shm").toString();
        assertEquals(2, run("", "frobnicate"));
        assertTrue(stderr.contains("unknown command 'frobnicate'"), stderr);

        assertEquals(2, run("", "subscribe", "--dir", d, "--topic", "t", "--bogus"));
        assertTrue(stderr.contains("unknown option '--bogus'"), stderr);

        assertEquals(2, run("", "publish", "--dir", d));
        assertTrue(stderr.contains("--topic is required"), stderr);

        assertEquals(2, run("", "subscribe", "--dir", d, "--topic", "t", "--count", "many"));
        assertTrue(stderr.contains("--count needs a whole number"), stderr);

        assertEquals(2, run("", "publish", "--dir", d, "--topic", "../etc"), "a user mistake");
        assertTrue(stderr.contains("invalid topic name"), stderr);
        assertFalse(stderr.contains("Exception"), stderr);

        assertEquals(2, run("", "subscribe", "--dir", d, "--topic", "t", "--from", "soon"), "a user mistake");
        assertTrue(stderr.contains("'earliest', 'latest', a position (a non-negative integer) or an ISO-8601 time"), stderr);

        assertEquals(1, run("", "subscribe", "--dir", d, "--topic", "t", "--from", "100"));
        assertTrue(stderr.contains("not the start of a frame"), stderr);

        assertEquals(2, run("", "publish", "--dir", d, "--topic", "t2", "--capacity", "1000"));
        assertTrue(stderr.contains("unknown option '--capacity'"), stderr);

        assertEquals(1, run("", "topics", "--dir", dir.resolve("missing").toString()));
        assertTrue(stderr.contains("no shared-memory directory"), stderr);

        final String noBroker = dir.resolve("nobroker").toString();
        assertEquals(1, run("hello\n", "publish", "--dir", noBroker, "--topic", "t"));
        assertTrue(stderr.contains("no broker is running on " + noBroker), stderr);
        assertEquals(1, run("", "stat", "--dir", noBroker));
        assertTrue(stderr.contains("no broker is running"), stderr);
        assertEquals(2, run("", "broker", "--dir", noBroker, "--client-timeout", "soon"));
        assertTrue(stderr.contains("--client-timeout must be a duration"), stderr);
    }

    @Test
    void tooLongLineIsAnError()
    {
        final String d = dir.resolve("shm").toString();
        final String longLine = "x".repeat(65536 / 8);
        assertEquals(1, run("ok\n" + longLine + "\n", "publish", "--dir", d, "--topic", "small"));
        assertTrue(stdout.contains("sent 1 message to topic small"), stdout);
        assertTrue(stderr.contains("more than the topic's max message length"), stderr);
    }

    @Test
    void everyCommandHasHelp()
    {
        assertEquals(0, run("", "--help"));
        final String[] commands = {"broker", "demo", "publish", "subscribe", "topics", "stat", "verify", "replay"};
        for (final String command : commands)
        {
            assertTrue(stdout.contains(command), stdout);
        }
        for (final String command : commands)
        {
            assertEquals(0, run("", command, "--help"));
            assertTrue(stdout.startsWith("usage: shmbus " + command), stdout);
        }
    }

    @Test
    void replayWritesARangeToAFileInEachFormat() throws IOException
    {
        final String d = dir.resolve("shm").toString();
        assertEquals(0, run("one\ntwo\nthree\n", "publish", "--dir", d, "--topic", "rp"));
        final Path lines = dir.resolve("out.txt");
        assertEquals(0, run("", "replay", "--dir", d, "--topic", "rp", "--format", "lines", "--out", lines.toString()),
            stderr);
        assertEquals("one\ntwo\nthree\n", Files.readString(lines));
        assertTrue(stdout.contains("replayed 3 messages"), stdout);

        final Path payload = dir.resolve("out.bin");
        assertEquals(0, run("", "replay", "--dir", d, "--topic", "rp", "--from", "64", "--format", "payload",
            "--out", payload.toString()), stderr);
        assertArrayEquals(new byte[]{3, 0, 0, 0, 't', 'w', 'o', 5, 0, 0, 0, 't', 'h', 'r', 'e', 'e'},
            Files.readAllBytes(payload));

        final Path frames = dir.resolve("out.frames");
        assertEquals(0, run("", "replay", "--dir", d, "--topic", "rp", "--to", "64", "--out", frames.toString()),
            stderr);
        final byte[] bytes = Files.readAllBytes(frames);
        assertEquals(64, bytes.length, "one frame: 32-byte header + 'one', padded to 32");
        assertEquals(35, bytes[0]);
        assertEquals('o', bytes[32]);

        assertEquals(2, run("", "replay", "--dir", d, "--topic", "rp", "--format", "xml", "--out", "x"));
        assertTrue(stderr.contains("--format must be frames, payload or lines"), stderr);
        assertEquals(2, run("", "replay", "--dir", d, "--topic", "rp"));
        assertTrue(stderr.contains("give exactly one of --out FILE, --connect HOST:PORT, --listen PORT"), stderr);
    }

    @Test
    void statPrintsTheBrokersCounters()
    {
        final String d = dir.resolve("shm").toString();
        assertEquals(0, run("a\nb\n", "publish", "--dir", d, "--topic", "counted"));
        assertEquals(0, run("", "stat", "--dir", d));
        assertTrue(stdout.contains("broker pid " + ProcessHandle.current().pid() + ", running"), stdout);
        assertTrue(stdout.contains("broker: commands received"), stdout);
        assertTrue(stdout.contains("topic counted: tail position"), stdout);
        assertTrue(stdout.contains("topic small: producer limit"), stdout);
    }
}
