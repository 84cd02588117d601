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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus publish --format payload}: length-prefixed binary input, what {@code replay --format payload}
 * writes, so any bytes round-trip through publish and replay unchanged.
 */
@Timeout(120)
class PublishPayloadFormatTest
{
    /** The largest message of topic 'small' (a 64 KiB ring): an eighth of it less a frame header. */
    private static final int SMALL_MAX = 65536 / 8 - 32;

    private Path root;
    private String dir;
    private Broker broker;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "cli-payload-");
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic small]\ncapacity = 64k\n");
        dir = root.resolve("shm").toString();
        broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).configFile(config)
            .log(new PrintStream(new ByteArrayOutputStream(), true)));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        broker.close();
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte[] records(final List<byte[]> payloads)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] payload : payloads)
        {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(payload.length).array());
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    @Test
    void randomBinaryPayloadsRoundTripThroughPublishAndReplayByteForByte() throws IOException
    {
        final int max = maxMessageLength("bin");
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final List<byte[]> payloads = new ArrayList<>();
        payloads.add(new byte[]{'\n'});
        payloads.add(new byte[]{'\r', '\n', 0});
        payloads.add(new byte[max]); // the longest message the topic takes, all zeros
        for (int i = 0; i < 300; i++)
        {
            final byte[] payload = new byte[1 + random.nextInt(i % 30 == 0 ? 20_000 : 300)];
            random.nextBytes(payload);
            payloads.add(payload);
        }
        final byte[] maxRandom = new byte[max];
        random.nextBytes(maxRandom);
        payloads.add(maxRandom);
        final byte[] input = records(payloads);

        final CliRun sent = CliRun.run(input, "publish", "--dir", dir, "--topic", "bin", "--format", "payload");
        assertEquals(0, sent.code, "seed " + seed + ": " + sent.stderr);
        assertEquals("sent " + payloads.size() + " messages to topic bin\n", sent.stdout);

        final List<byte[]> received = payloads("bin", payloads.size());
        for (int i = 0; i < payloads.size(); i++)
        {
            assertArrayEquals(payloads.get(i), received.get(i), "seed " + seed + ": message " + i);
        }
        final Path out = root.resolve("replayed.bin");
        final CliRun replayed = CliRun.run("", "replay", "--dir", dir, "--topic", "bin", "--format", "payload",
            "--out", out.toString());
        assertEquals(0, replayed.code, replayed.stderr);
        assertArrayEquals(input, Files.readAllBytes(out), "seed " + seed + ": the replay is the input, byte for byte");
    }

    @Test
    void whatReplayWritesPublishesAgainUnchanged() throws IOException
    {
        final Random random = new Random(42);
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final byte[] payload = new byte[1 + random.nextInt(2000)];
            random.nextBytes(payload);
            payloads.add(payload);
        }
        assertEquals(0, CliRun.run(records(payloads), "publish", "--dir", dir, "--topic", "first", "--format",
            "payload").code);
        final Path first = root.resolve("first.bin");
        assertEquals(0, CliRun.run("", "replay", "--dir", dir, "--topic", "first", "--format", "payload", "--out",
            first.toString()).code);
        final CliRun again = CliRun.run(Files.readAllBytes(first), "publish", "--dir", dir, "--topic", "second",
            "--format", "payload");
        assertEquals(0, again.code, again.stderr);
        final Path second = root.resolve("second.bin");
        assertEquals(0, CliRun.run("", "replay", "--dir", dir, "--topic", "second", "--format", "payload", "--out",
            second.toString()).code);
        assertArrayEquals(records(payloads), Files.readAllBytes(second));
    }

    @Test
    void anEmptyInputSendsNothingAndAnEmptyRecordIsSkipped()
    {
        final CliRun empty = CliRun.run(new byte[0], "publish", "--dir", dir, "--topic", "t", "--format", "payload");
        assertEquals(0, empty.code, empty.stderr);
        assertEquals("sent 0 messages to topic t\n", empty.stdout);

        final CliRun skipped = CliRun.run(records(List.of(new byte[0], new byte[]{7})), "publish", "--dir", dir,
            "--topic", "t", "--format", "payload");
        assertEquals(0, skipped.code, skipped.stderr);
        assertEquals("sent 1 message to topic t\n", skipped.stdout);
        assertTrue(skipped.stderr.contains("skipped empty record 1 (its length at byte 0)"), skipped.stderr);
    }

    @Test
    void aTruncatedInputIsAnErrorThatNamesTheOffsetAndTheCountSent()
    {
        final byte[] whole = records(List.of(new byte[]{1, 2, 3}, new byte[]{4, 5, 6, 7, 8}, new byte[]{9}));
        // cut inside the third record's length (starts at byte 7 + 9 = 16)
        final CliRun inLength = CliRun.run(Arrays.copyOf(whole, 18), "publish", "--dir", dir, "--topic", "cut",
            "--format", "payload");
        assertEquals(1, inLength.code);
        assertEquals("sent 2 messages to topic cut\n", inLength.stdout);
        assertTrue(inLength.stderr.contains("the input ends inside the length of record 3 (its length at byte 16): " +
            "2 of its 4 bytes"), inLength.stderr);

        // cut inside the second record's payload (its length at byte 7, 5 bytes announced, 2 present)
        final CliRun inPayload = CliRun.run(Arrays.copyOf(whole, 13), "publish", "--dir", dir, "--topic", "cut2",
            "--format", "payload");
        assertEquals(1, inPayload.code);
        assertEquals("sent 1 message to topic cut2\n", inPayload.stdout);
        assertTrue(inPayload.stderr.contains("the input ends inside record 2 (its length at byte 7): its length " +
            "says 5 bytes, 2 follow"), inPayload.stderr);
        assertFalse(inPayload.stderr.contains("Exception"), inPayload.stderr);
    }

    @Test
    void aRecordLongerThanTheTopicTakesIsAnErrorNamingIt()
    {
        final CliRun tooLong = CliRun.run(records(List.of(new byte[]{1}, new byte[SMALL_MAX + 1])), "publish",
            "--dir", dir, "--topic", "small", "--format", "payload");
        assertEquals(1, tooLong.code);
        assertEquals("sent 1 message to topic small\n", tooLong.stdout);
        assertTrue(tooLong.stderr.contains("record 2 (its length at byte 5) is " + (SMALL_MAX + 1) +
            " bytes, more than the topic's max message length " + SMALL_MAX), tooLong.stderr);
    }

    @Test
    void formatMistakesAreUsageErrors()
    {
        final CliRun xml = CliRun.run("", "publish", "--dir", dir, "--topic", "t", "--format", "xml");
        assertEquals(2, xml.code);
        assertTrue(xml.stderr.contains("--format must be lines or payload: 'xml'"), xml.stderr);
        final CliRun crlf = CliRun.run("", "publish", "--dir", dir, "--topic", "t", "--format", "payload", "--crlf");
        assertEquals(2, crlf.code);
        assertTrue(crlf.stderr.contains("--crlf goes with --format lines only"), crlf.stderr);
        final CliRun lines = CliRun.run("a\nb\n", "publish", "--dir", dir, "--topic", "t", "--format", "lines");
        assertEquals(0, lines.code, lines.stderr);
        assertEquals("sent 2 messages to topic t\n", lines.stdout);
    }

    private int maxMessageLength(final String topic)
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(dir))))
        {
            return bus.addProducer(topic).maxMessageLength();
        }
    }

    /** The first {@code count} payloads of a topic from the earliest position. */
    private List<byte[]> payloads(final String topic, final int count)
    {
        final List<byte[]> payloads = new ArrayList<>();
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(dir))))
        {
            final Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (payloads.size() < count)
            {
                assertTrue(System.nanoTime() < deadline, "messages within 20 s: " + payloads.size());
                consumer.poll((buffer, offset, length, header) ->
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(offset, bytes);
                    payloads.add(bytes);
                }, 100);
                Thread.yield();
            }
        }
        return payloads;
    }
}
