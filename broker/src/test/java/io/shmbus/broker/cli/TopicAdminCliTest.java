package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.Consumer;
import io.shmbus.client.ExclusiveProducer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.TopicLog;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
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

/**
 * {@code shmbus topic info} and {@code shmbus topic delete} against an embedded broker with a data directory and
 * a network port: refused while each kind of client uses the topic, deleted when idle (files and counters gone,
 * the topic new on its next use), unknown topics, confirmation of an archive's deletion, the report's content.
 */
@Timeout(120)
class TopicAdminCliTest
{
    private Path root;
    private Path shm;
    private Path dataDir;
    private Broker broker;
    private ShmBus bus;
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "admin-topic-");
        shm = root.resolve("shm");
        dataDir = root.resolve("data");
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n" +
            "[topic orders]\nretention.bytes = 1m\nretention.age = 2h\nslow.consumer = archive\ndurability = none\n" +
            "[topic scratch]\npersistent = false\n");
        broker = Broker.launch(new BrokerContext().dir(shm).dataDir(dataDir).configFile(config)
            .segmentLength(64 * 1024).netPort(0).log(new PrintStream(brokerLog, true)));
        bus = ShmBus.connect(new ShmBus.Context().dir(shm));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        if (null != bus)
        {
            bus.close();
        }
        if (null != broker)
        {
            broker.close();
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private CliRun topic(final String... args)
    {
        final List<String> all = new ArrayList<>(List.of("topic"));
        all.addAll(List.of(args));
        all.add("--dir");
        all.add(shm.toString());
        return CliRun.run("", all.toArray(new String[0]));
    }

    private static long publish(final Producer producer, final int count)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
        long position = 0;
        for (int i = 0; i < count; i++)
        {
            message.putInt(0, i);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((position = producer.offer(message, 0, message.capacity())) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "held for 10 s: " + Producer.resultName(position));
                Thread.yield();
            }
        }
        return position;
    }

    /** Publishes enough to fill two 64 KiB segments, then waits for the archive to hold it all. */
    private long publishArchived(final String topic) throws IOException
    {
        final long end;
        try (Producer producer = bus.addProducer(topic))
        {
            end = publish(producer, 700);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (archived(topic) < end)
        {
            assertTrue(System.nanoTime() < deadline, "archived " + archived(topic) + " of " + end);
            sleep(5);
        }
        return end;
    }

    private long archived(final String topic) throws IOException
    {
        try (ArchivedPositionCounter counter = ArchivedPositionCounter.find(shm, topic))
        {
            return null == counter ? -1 : counter.getAsLong();
        }
    }

    private List<String> counterLabels() throws IOException
    {
        final List<String> labels = new ArrayList<>();
        try (CncFile cnc = CncFile.map(CncFile.fileIn(shm)))
        {
            new CountersReader(cnc.countersMetadata(), cnc.countersValues())
                .forEach((id, type, key, label) -> labels.add(label));
        }
        return labels;
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static void assertDeleteRefused(final CliRun run, final String... expected)
    {
        assertEquals(1, run.code, run.stdout + run.stderr);
        assertTrue(run.stderr.contains("is in use by"), run.stderr);
        assertTrue(run.stderr.contains("nothing was deleted"), run.stderr);
        for (final String text : expected)
        {
            assertTrue(run.stderr.contains(text), "'" + text + "' in: " + run.stderr);
        }
    }

    @Test
    void infoReportsSettingsFilesPositionsAndEveryKindOfClient() throws IOException
    {
        final long end = publishArchived("orders");
        final long pid = ProcessHandle.current().pid();
        try (Producer producer = bus.addProducer("orders");
            Consumer consumer = bus.addConsumer("orders", StartPosition.LATEST);
            RemoteConsumer remote = RemoteConsumer.subscribe(new RemoteConsumer.Context().host("127.0.0.1")
                .port(broker.netPort()).topic("orders").start(StartPosition.EARLIEST)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int received = 0;
            while (received < 10)
            {
                received += remote.poll((buffer, offset, length, header) -> { }, 10);
                assertTrue(System.nanoTime() < deadline, "remote subscriber got " + received + " of 10 messages");
            }
            final CliRun info = topic("info", "orders");
            assertEquals(0, info.code, info.stderr);
            final String out = info.stdout;
            assertTrue(out.startsWith("topic orders\n"), out);
            assertTrue(out.contains("capacity 65536 bytes, max message length 8160 bytes, persistent (durability " +
                "none, segments of 65536 bytes)"), out);
            assertTrue(out.contains("retention    1048576 bytes, age 7200000 ms"), out);
            assertTrue(out.contains("slow consumers archive (detach timeout 1000 ms)"), out);
            final Path ring = TopicLog.fileOf(shm, "orders");
            assertTrue(out.contains("ring file    " + ring.toAbsolutePath() + " (" + Files.size(ring) + " bytes)"),
                out);
            final Path archive = dataDir.resolve("orders");
            long segmentBytes = 0;
            int segments = 0;
            try (Stream<Path> files = Files.list(archive))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    if (SegmentDescriptor.parseBasePosition(file.getFileName().toString()) >= 0)
                    {
                        segments++;
                        segmentBytes += Files.size(file);
                    }
                }
            }
            assertTrue(segments >= 2, "segments: " + segments);
            assertTrue(out.contains("archive      " + archive.toAbsolutePath() + ": " + segments +
                " segment file(s), " + segmentBytes + " bytes; "), out);
            assertTrue(out.contains("positions    tail " + end + ", producer limit "), out);
            assertTrue(out.contains(", archived " + end + ", first retained 0"), out);
            assertTrue(out.contains("producers    1\n    pid " + pid + " (client " + bus.clientId() + ")\n"), out);
            assertTrue(out.contains("consumers    1 local, 1 remote\n"), out); // the archiver's slot is not one
            assertTrue(out.matches("(?s).*\n    local  slot \\d+ pid " + pid + " position " + end + " lag 0 " +
                "active\n.*"), out);
            assertTrue(out.matches("(?s).*    remote /127\\.0\\.0\\.1:\\d+ position \\d+ lag \\d+ live\n.*"), out);
        }
    }

    @Test
    void infoOfATopicThatIsNotPersistentAndWithManyConsumersComesWhole()
    {
        final List<Consumer> consumers = new ArrayList<>();
        try
        {
            for (int i = 0; i < 40; i++)
            {
                consumers.add(bus.addConsumer("scratch", StartPosition.LATEST)); // 40 lines: several parts
            }
            final CliRun info = topic("info", "scratch");
            assertEquals(0, info.code, info.stderr);
            assertTrue(info.stdout.contains("not persistent"), info.stdout);
            assertFalse(info.stdout.contains("archive      "), info.stdout);
            assertTrue(info.stdout.contains("consumers    40 local, 0 remote"), info.stdout);
            assertEquals(40, info.stdout.split("\n    local  slot ", -1).length - 1, info.stdout);
        }
        finally
        {
            consumers.forEach(Consumer::close);
        }
    }

    @Test
    void unknownTopicIsAUserMistake()
    {
        for (final String subcommand : List.of("info", "delete"))
        {
            final CliRun run = topic(subcommand, "nosuch");
            assertEquals(2, run.code, run.stdout + run.stderr);
            assertTrue(run.stderr.contains("no topic 'nosuch' on this broker (no ring file in " + shm), run.stderr);
            assertFalse(run.stderr.contains("Exception"), run.stderr);
        }
        assertFalse(Files.exists(TopicLog.fileOf(shm, "nosuch")), "asking created nothing");
        assertFalse(Files.exists(dataDir.resolve("nosuch")));
    }

    @Test
    void badCommandLinesExitTwo()
    {
        assertEquals(2, CliRun.run("", "topic").code);
        final CliRun unknown = topic("rename", "orders");
        assertEquals(2, unknown.code);
        assertTrue(unknown.stderr.contains("unknown subcommand 'rename' (info or delete)"), unknown.stderr);
        final CliRun noName = CliRun.run("", "topic", "info", "--dir", shm.toString());
        assertEquals(2, noName.code);
        assertTrue(noName.stderr.contains("info needs the topic's name"), noName.stderr);
        final CliRun badName = topic("delete", "../etc");
        assertEquals(2, badName.code);
        assertTrue(badName.stderr.contains("shmbus topic: "), badName.stderr);
        assertEquals(2, topic("info", "orders", "--yes").code, "--yes is for delete only");
    }

    @Test
    void withoutABrokerItFailsWithAClearMessage() throws IOException
    {
        bus.close();
        bus = null;
        broker.close();
        broker = null;
        final CliRun run = topic("delete", "orders", "--yes");
        assertEquals(1, run.code, run.stdout + run.stderr);
        assertTrue(run.stderr.contains("no broker is running on " + shm), run.stderr);
    }

    @Test
    void deleteIsRefusedWhileAProducerUsesTheTopic() throws IOException
    {
        publishArchived("orders");
        try (Producer producer = bus.addProducer("orders"))
        {
            assertDeleteRefused(topic("delete", "orders", "--yes"),
                "1 producer(s) (pid " + ProcessHandle.current().pid() + ")");
        }
        try (ExclusiveProducer exclusive = bus.addExclusiveProducer("scratch"))
        {
            assertDeleteRefused(topic("delete", "scratch"), "1 producer(s) (pid " + ProcessHandle.current().pid());
        }
        assertTrue(Files.exists(TopicLog.fileOf(shm, "orders")));
        assertTrue(Files.isDirectory(dataDir.resolve("orders")));
    }

    @Test
    void deleteIsRefusedWhileALocalConsumerUsesTheTopic() throws IOException
    {
        publishArchived("orders");
        try (Consumer consumer = bus.addConsumer("orders", StartPosition.EARLIEST))
        {
            assertDeleteRefused(topic("delete", "orders", "--yes"),
                "1 consumer(s) (pid " + ProcessHandle.current().pid() + " in slot ");
        }
        assertTrue(Files.exists(TopicLog.fileOf(shm, "orders")));
    }

    @Test
    void deleteIsRefusedWhileANetworkSubscriberReadsTheTopic() throws IOException
    {
        publishArchived("orders");
        try (RemoteConsumer remote = RemoteConsumer.subscribe(new RemoteConsumer.Context().host("127.0.0.1")
            .port(broker.netPort()).topic("orders").start(StartPosition.EARLIEST)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (remote.poll((buffer, offset, length, header) -> { }, 10) == 0)
            {
                assertTrue(System.nanoTime() < deadline, "no message over the network in 10 s");
            }
            assertDeleteRefused(topic("delete", "orders", "--yes"), "1 network subscriber(s) (/127.0.0.1:");
        }
        assertTrue(Files.exists(TopicLog.fileOf(shm, "orders")));
        assertTrue(Files.isDirectory(dataDir.resolve("orders")));
        // the subscriber's end is seen by the server's thread: the deletion then goes through
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CliRun run;
        while ((run = topic("delete", "orders", "--yes")).code != 0)
        {
            assertTrue(System.nanoTime() < deadline, run.stderr);
            sleep(20);
        }
    }

    @Test
    void deleteOfAnIdleTopicRemovesItsFilesAndCountersAndTheNextUseGetsANewTopic() throws IOException
    {
        final long end = publishArchived("orders");
        assertTrue(counterLabels().contains("topic orders: archived position"));

        final CliRun run = topic("delete", "orders", "--yes");
        assertEquals(0, run.code, run.stderr);
        assertTrue(run.stdout.startsWith("topic orders: will delete\n  ring file    "), run.stdout);
        assertTrue(run.stdout.contains("deleted topic 'orders': ring file " + TopicLog.fileOf(shm, "orders")),
            run.stdout);
        assertTrue(run.stdout.contains(" segment file(s), "), run.stdout);
        assertFalse(Files.exists(TopicLog.fileOf(shm, "orders")));
        assertFalse(Files.exists(dataDir.resolve("orders")));
        try (Stream<Path> left = Files.list(dataDir))
        {
            assertEquals(List.of(), left.map(Path::toString).filter(p -> p.contains("orders")).toList());
        }
        assertTrue(counterLabels().stream().noneMatch(l -> l.startsWith("topic orders:")), counterLabels().toString());
        assertTrue(brokerLog.toString().contains("topic 'orders' deleted"), brokerLog.toString());

        // the same client, which mapped the old ring, gets the new one: its messages start again at 0
        final long newEnd;
        try (Producer producer = bus.addProducer("orders"))
        {
            newEnd = publish(producer, 3);
        }
        assertTrue(newEnd < end, newEnd + " after " + end);
        try (Consumer consumer = bus.addConsumer("orders", StartPosition.EARLIEST))
        {
            assertEquals(0, consumer.position());
            final List<Long> positions = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (positions.size() < 3)
            {
                consumer.poll((buffer, offset, length, header) -> positions.add(header.position()), 10);
                assertTrue(System.nanoTime() < deadline, "got " + positions);
            }
            assertEquals(0L, positions.get(0));
        }
        final CliRun info = topic("info", "orders");
        assertEquals(0, info.code, info.stderr);
        assertTrue(info.stdout.contains("positions    tail " + newEnd + ","), info.stdout);
    }

    @Test
    void anArchiveIsDeletedOnlyWhenConfirmed() throws IOException
    {
        publishArchived("orders");
        final CliRun unconfirmed = topic("delete", "orders");
        assertEquals(2, unconfirmed.code, unconfirmed.stdout + unconfirmed.stderr);
        assertTrue(unconfirmed.stderr.contains("add --yes to delete them with the topic; nothing was deleted"),
            unconfirmed.stderr);
        assertTrue(Files.exists(TopicLog.fileOf(shm, "orders")));

        // the broker itself refuses an unconfirmed deletion of segment files
        final BrokerErrorException refused = assertThrows(BrokerErrorException.class,
            () -> bus.deleteTopic("orders", false));
        assertEquals(ControlProtocol.ERROR_CONFIRMATION_REQUIRED, refused.errorCode());
        assertTrue(Files.isDirectory(dataDir.resolve("orders")));

        assertEquals(1, interactive("orders", "no\n").code());
        assertTrue(Files.isDirectory(dataDir.resolve("orders")));
        final Answered confirmed = interactive("orders", "orders\n");
        assertEquals(0, confirmed.code(), confirmed.stderr());
        assertTrue(confirmed.stderr().contains("type the topic's name to confirm"), confirmed.stderr());
        assertFalse(Files.exists(dataDir.resolve("orders")));
    }

    @Test
    void aTopicWithoutSegmentsIsDeletedWithoutConfirmation()
    {
        try (Producer producer = bus.addProducer("scratch"))
        {
            publish(producer, 5);
        }
        final CliRun run = topic("delete", "scratch");
        assertEquals(0, run.code, run.stderr);
        assertFalse(Files.exists(TopicLog.fileOf(shm, "scratch")));
    }

    @Test
    void aBrokerWithoutTopicAdministrationGetsAClearMessage()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new TopicCommand().brokerRefused(new BrokerErrorException(
            ControlProtocol.ERROR_UNKNOWN_COMMAND, "broker error UNKNOWN_COMMAND: unknown command type 8"), "orders",
            new PrintStream(err, true));
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("it runs an earlier shmbus release"), err.toString());
    }

    /** A run of the command as if at a terminal, answering the confirmation with {@code answer}. */
    private record Answered(int code, String stdout, String stderr)
    {
    }

    private Answered interactive(final String topic, final String answer)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try
        {
            code = new TopicCommand(() -> true).run(List.of("delete", topic, "--dir", shm.toString()),
                new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true),
                new PrintStream(err, true));
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        return new Answered(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
