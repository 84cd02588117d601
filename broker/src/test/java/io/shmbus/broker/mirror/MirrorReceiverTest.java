package io.shmbus.broker.mirror;

import io.shmbus.broker.cli.CliRun;
import io.shmbus.broker.net.NetFixture;
import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TopicMirroredException;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.log.SegmentDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two brokers in this process, each with its own shared-memory and data directory: topic {@code t} on the source,
 * {@code [mirror t]} on the mirror, the live stream sent over loopback UDP by a plain Aeron publication fed from the
 * source's segment files as the mirror contract says ({@link LiveStreamDriver}), catch-up over the source's TCP
 * server. The mirror must hold every frame at its source position: its segment files byte-equal to the source's.
 */
@Timeout(60)
class MirrorReceiverTest
{
    private static final String TOPIC = "t";
    private static final LongPredicate SEND_ALL = position -> false;

    private NetFixture source;
    private NetFixture mirror;
    private LiveStreamDriver live;
    private Producer producer;
    private String channel;
    private int next;

    @BeforeEach
    void setUp() throws IOException
    {
        source = new NetFixture("", ctx -> { });
        producer = source.bus.addProducer(TOPIC);
        channel = "aeron:udp?endpoint=127.0.0.1:" + LiveStreamDriver.freeUdpPort();
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try
        {
            if (null != live)
            {
                live.close();
            }
            if (null != mirror)
            {
                mirror.close();
            }
        }
        finally
        {
            source.close();
        }
    }

    private String mirrorSection(final int sourcePort)
    {
        return "[mirror " + TOPIC + "]\nchannel = " + channel + "\nsource = 127.0.0.1:" + sourcePort + "\n";
    }

    private void startMirror() throws IOException
    {
        mirror = new NetFixture(mirrorSection(source.port()), ctx -> { });
    }

    private void startLive(final long from)
    {
        live = new LiveStreamDriver(source.root.resolve("aeron-live"), channel,
            MirrorStreamIds.defaultStreamId(TOPIC), source, TOPIC, from);
    }

    private long publish(final int count)
    {
        final long end = source.publish(producer, next, count);
        next += count;
        source.awaitArchived(TOPIC, end);
        return end;
    }

    private long mirrorCounter(final String name)
    {
        return mirror.counter("mirror " + TOPIC + ": " + name);
    }

    private void awaitMirrorCounter(final String name, final long value, final LongPredicate skip)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (mirrorCounter(name) != value)
        {
            if (null != live)
            {
                live.sendArchived(skip);
            }
            if (System.nanoTime() > deadline)
            {
                fail("mirror counter '" + name + "' is " + mirrorCounter(name) + ", expected " + value +
                    " (state " + mirrorCounter("state") + ", position " + mirrorCounter("position") +
                    "); mirror broker log:\n" + mirror.brokerLog);
            }
            NetFixture.sleep(2);
        }
    }

    /** Every segment file of the topic on both brokers, byte for byte. */
    private void assertSegmentsEqual(final long end) throws IOException
    {
        mirror.awaitArchived(TOPIC, end);
        final List<Path> sourceFiles = segmentFiles(source);
        final List<Path> mirrorFiles = segmentFiles(mirror);
        assertEquals(sourceFiles.stream().map(Path::getFileName).toList(),
            mirrorFiles.stream().map(Path::getFileName).toList());
        assertTrue(sourceFiles.size() > 1, "the stream spans segments: " + sourceFiles);
        for (int i = 0; i < sourceFiles.size(); i++)
        {
            assertEquals(-1L, Files.mismatch(sourceFiles.get(i), mirrorFiles.get(i)),
                "segment " + sourceFiles.get(i).getFileName() + " differs");
        }
    }

    private static List<Path> segmentFiles(final NetFixture broker) throws IOException
    {
        try (Stream<Path> files = Files.list(broker.dataDir.resolve(TOPIC)))
        {
            return files.filter(f -> f.toString().endsWith(SegmentDescriptor.SUFFIX)).sorted().toList();
        }
    }

    /** A consumer of the mirror from the earliest position gets every message once, in order. */
    private void assertMirrorConsumerGetsAll(final long end)
    {
        final List<Integer> ids = new ArrayList<>();
        try (Consumer consumer = mirror.bus.addConsumer(TOPIC, StartPosition.EARLIEST))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (consumer.position() < end)
            {
                assertTrue(System.nanoTime() < deadline, "mirror consumer at " + consumer.position() + " of " + end);
                consumer.poll((buffer, offset, length, header) -> ids.add(buffer.getInt(offset)), 100);
            }
        }
        assertEquals(next, ids.size());
        for (int i = 0; i < next; i++)
        {
            assertEquals(i, ids.get(i), "message " + i);
        }
    }

    @Test
    void catchesUpFromTheBeginningThenGoesLiveWithEveryFrameAtItsPosition() throws IOException
    {
        final long archivedBefore = publish(300);
        startLive(archivedBefore); // a live stream starts where the source is
        startMirror();
        live.awaitConnected();
        awaitMirrorCounter("state", MirrorCounters.LIVE, SEND_ALL);
        assertEquals(archivedBefore, mirrorCounter("position"), "caught up over TCP");

        final long end = publish(700);
        awaitMirrorCounter("position", end, SEND_ALL);
        assertEquals(MirrorCounters.LIVE, mirrorCounter("state"));
        assertEquals(1, mirrorCounter("catch-ups"), "the one catch-up at the start: the live stream had every frame");
        assertEquals(0, mirrorCounter("gaps"));
        assertEquals(1, mirrorCounter("connected"));
        assertEquals(end, mirrorCounter("source position"));
        assertSegmentsEqual(end);
        assertMirrorConsumerGetsAll(end);

        final CliRun topics = CliRun.run("", "topics", "--dir", mirror.shm.toString());
        assertEquals(0, topics.code, topics.stderr);
        assertTrue(topics.stdout.contains("    mirror state=live connected=yes source=" + end + " position=" + end +
            " lag=0 bytes/"), topics.stdout);
        assertTrue(topics.stdout.contains(" catch-ups=1 gaps=0\n"), topics.stdout);
        final CliRun stat = CliRun.run("", "stat", "--dir", mirror.shm.toString());
        assertEquals(0, stat.code, stat.stderr);
        for (final String counter : List.of("connected", "source position", "position", "state", "catch-ups", "gaps",
            "lag ns"))
        {
            assertTrue(stat.stdout.contains(" - mirror t: " + counter + "\n"), counter + " in\n" + stat.stdout);
        }
    }

    @Test
    void aMirrorStartedWhileTheSourcePublishesMergesTheCatchUpIntoTheLiveStream() throws IOException
    {
        final long archivedBefore = publish(500);
        startLive(archivedBefore);
        startMirror();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() - deadline < 0) // live frames flow all through the catch-up
        {
            source.publish(producer, next, 20);
            next += 20;
            live.sendArchived(SEND_ALL);
            NetFixture.sleep(2);
        }
        final long end = publish(100);
        awaitMirrorCounter("position", end, SEND_ALL);
        awaitMirrorCounter("state", MirrorCounters.LIVE, SEND_ALL);
        assertEquals(0, mirrorCounter("gaps"));
        assertSegmentsEqual(end);
        assertMirrorConsumerGetsAll(end);
    }

    @Test
    void aGapInTheLiveStreamIsFilledByACatchUp() throws IOException
    {
        startLive(0);
        startMirror();
        live.awaitConnected();
        awaitMirrorCounter("state", MirrorCounters.LIVE, SEND_ALL);

        final long before = publish(200);
        awaitMirrorCounter("position", before, SEND_ALL);
        final long lost = publish(50);
        final long end = publish(200);
        // the frames of the middle 50 messages never arrive live
        awaitMirrorCounter("position", end, position -> position >= before && position < lost);
        assertTrue(mirrorCounter("catch-ups") >= 1, "a catch-up filled the gap");
        assertEquals(0, mirrorCounter("gaps"));
        awaitMirrorCounter("state", MirrorCounters.LIVE, SEND_ALL);
        final long after = publish(100);
        awaitMirrorCounter("position", after, SEND_ALL);
        assertSegmentsEqual(after);
        assertMirrorConsumerGetsAll(after);
    }

    @Test
    void aRestartedMirrorResumesWithNoGapAndNoDuplicate() throws IOException
    {
        startLive(0);
        startMirror();
        live.awaitConnected();
        final long first = publish(300);
        awaitMirrorCounter("position", first, SEND_ALL);

        mirror.broker.close();
        publish(200); // sent live while the mirror is down: lost to it
        live.sendArchived(SEND_ALL);
        mirror.restartBroker();
        live.awaitConnected();
        final long end = publish(300);
        awaitMirrorCounter("position", end, SEND_ALL);
        awaitMirrorCounter("state", MirrorCounters.LIVE, SEND_ALL);
        assertEquals(0, mirrorCounter("gaps"));
        assertSegmentsEqual(end);
        assertMirrorConsumerGetsAll(end);
    }

    @Test
    void aNewMirrorOfASourceThatDeletedItsOldSegmentsStartsAtTheSourcesEarliestPosition() throws IOException
    {
        source.close();
        source = new NetFixture("[topic " + TOPIC + "]\nretention.bytes = 128k\n", ctx -> { });
        producer = source.bus.addProducer(TOPIC);
        final long archivedBefore = publish(1500);
        final long sourceEarliest = segmentFiles(source).stream()
            .mapToLong(f -> Long.parseLong(f.getFileName().toString().replace(SegmentDescriptor.SUFFIX, "")))
            .min().orElseThrow();
        assertTrue(sourceEarliest > 0, "retention deleted the first segments");
        startLive(archivedBefore);
        startMirror();
        live.awaitConnected();
        awaitMirrorCounter("state", MirrorCounters.LIVE, SEND_ALL);
        final long end = publish(300);
        awaitMirrorCounter("position", end, SEND_ALL);
        mirror.awaitArchived(TOPIC, end);

        final List<Path> mirrorFiles = segmentFiles(mirror);
        assertEquals(SegmentDescriptor.fileName(sourceEarliest), mirrorFiles.get(0).getFileName().toString(),
            "the mirror starts at the source's earliest position");
        for (final Path file : mirrorFiles)
        {
            final Path sourceFile = source.dataDir.resolve(TOPIC).resolve(file.getFileName());
            if (Files.exists(sourceFile)) // the source's retention may have deleted more meanwhile
            {
                assertEquals(-1L, Files.mismatch(sourceFile, file), "segment " + file.getFileName() + " differs");
            }
        }
        assertTrue(mirror.brokerLog.toString().contains("a new mirror, starting at the source's earliest position " +
            sourceEarliest), mirror.brokerLog.toString());
        assertEquals(0, mirrorCounter("gaps"));
    }

    @Test
    void aMirrorWhoseRingIsSmallerThanTheSourcesFailsClearlyAndTheBrokerGoesOn() throws IOException
    {
        source.close();
        source = new NetFixture("[topic " + TOPIC + "]\ncapacity = 128k\n", ctx -> { });
        producer = source.bus.addProducer(TOPIC);
        publish(300); // frames across the 64k boundaries the source's ring does not have
        startMirror(); // the mirror's ring takes [topic.defaults]: 64k
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!mirror.brokerLog.toString().contains("crosses the end of the mirror's ring of capacity 65536"))
        {
            assertTrue(System.nanoTime() < deadline, "no report of the capacity; log:\n" + mirror.brokerLog);
            NetFixture.sleep(5);
        }
        assertTrue(mirror.brokerLog.toString().contains("mirror 't' (" + mirror.root.resolve("broker.conf") + ":5"),
            mirror.brokerLog.toString());
        assertTrue(mirror.brokerLog.toString().contains("give the mirror the source's capacity"));
        awaitMirrorCounter("state", MirrorCounters.FAILED, SEND_ALL);
        assertTrue(mirrorCounter("position") < 64 * 1024, "nothing written past the ring's end");
        assertNotNull(mirror.bus.addConsumer(TOPIC, StartPosition.EARLIEST), "the broker serves on");
    }

    @Test
    void aMirrorWhoseSectionIsRemovedBecomesAnOrdinaryTopicAtTheSamePositions() throws IOException
    {
        final long end = publish(200);
        startMirror();
        awaitMirrorCounter("position", end, SEND_ALL);
        mirror.awaitArchived(TOPIC, end);

        // the source's host is gone: the operator makes the copy the topic, positions and all
        mirror.broker.close();
        Files.writeString(mirror.root.resolve("broker.conf"), "[topic.defaults]\ncapacity = 64k\n");
        mirror.restartBroker();
        final Producer local = mirror.bus.addProducer(TOPIC);
        final long after = mirror.publish(local, next, 10);
        next += 10;
        assertTrue(after > end, "published after the mirrored stream: " + after);
        assertMirrorConsumerGetsAll(after);
    }

    @Test
    void aLocalProducerOnTheMirrorGetsAClearError() throws IOException
    {
        publish(10);
        startMirror();
        final String expected = "topic 't' is a mirror of 127.0.0.1:" + source.port() +
            ": only the mirror writes it; publish on the source broker";
        final TopicMirroredException shared = assertThrows(TopicMirroredException.class,
            () -> mirror.bus.addProducer(TOPIC));
        assertEquals(expected, shared.getMessage());
        assertEquals(ControlProtocol.ERROR_TOPIC_MIRRORED, shared.errorCode());
        assertEquals(expected, assertThrows(TopicMirroredException.class,
            () -> mirror.bus.addExclusiveProducer(TOPIC)).getMessage());

        final CliRun run = CliRun.run("hello\n", "publish", "--dir", mirror.shm.toString(), "--topic", TOPIC);
        assertEquals(1, run.code, run.stderr);
        assertEquals("shmbus publish: error: " + expected + "\n", run.stderr);
    }

    @Test
    void aMirrorCannotBeDeletedUnderItsWriter() throws IOException
    {
        final long end = publish(10);
        startMirror();
        awaitMirrorCounter("position", end, SEND_ALL);
        final io.shmbus.client.BrokerErrorException refused = assertThrows(
            io.shmbus.client.BrokerErrorException.class, () -> mirror.bus.deleteTopic(TOPIC, true));
        assertEquals(ControlProtocol.ERROR_TOPIC_IN_USE, refused.errorCode());
        assertTrue(refused.getMessage().contains("topic 't' is a mirror of 127.0.0.1:" + source.port()),
            refused.getMessage());
        assertTrue(Files.exists(mirror.dataDir.resolve(TOPIC)));
    }

    @Test
    void anUnreachableSourceIsReportedWithTheMirrorsConfigLineAndRetried() throws IOException
    {
        final int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }
        mirror = new NetFixture(mirrorSection(closedPort), ctx -> { });
        final String where = "mirror 't' (" + mirror.root.resolve("broker.conf") + ":5, source 127.0.0.1:" +
            closedPort;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!mirror.brokerLog.toString().contains(where))
        {
            assertTrue(System.nanoTime() < deadline, "no report naming the mirror; log:\n" + mirror.brokerLog);
            NetFixture.sleep(5);
        }
        assertTrue(mirror.brokerLog.toString().contains("catch-up from 127.0.0.1:" + closedPort), mirror.brokerLog
            .toString());
        assertEquals(MirrorCounters.STARTING, mirrorCounter("state"), "still trying");
        assertNotNull(mirror.bus.addConsumer("other", StartPosition.EARLIEST), "the broker serves on");
        // a new mirror has no positions before its source says where they start: no ring is made at 0 meanwhile
        final io.shmbus.client.BrokerErrorException early = assertThrows(io.shmbus.client.BrokerErrorException.class,
            () -> mirror.bus.addConsumer(TOPIC, StartPosition.EARLIEST));
        assertTrue(early.getMessage().contains("topic 't' is a mirror of 127.0.0.1:" + closedPort +
            " that has not reached its source yet"), early.getMessage());
        assertFalse(Files.exists(mirror.shm.resolve(TOPIC + ".log")));
    }
}
