package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerCounterValues;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker archives a persistent topic's frames, byte for byte, into contiguous segment files while producers
 * publish, and holds producers back rather than overwrite what it has not archived.
 */
@Timeout(60)
class ArchiverTest
{
    private Path root;
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-archive-test-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void archiverThatCannotOpenItsFirstSegmentLeavesNoConsumerSlotHoldingProducers() throws Exception
    {
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
        final Path topicDir = root.resolve("data").resolve("orders");
        Files.createDirectories(topicDir);
        final Path firstSegment = topicDir.resolve(String.format("%020d.seg", 0));
        Files.createSymbolicLink(firstSegment, root.resolve("missing").resolve("segment")); // open fails: no dir
        try (Broker broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(root.resolve("data"))
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true)));
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final io.shmbus.client.BrokerErrorException failed = assertThrows(
                io.shmbus.client.BrokerErrorException.class, () -> bus.addProducer("orders"));
            assertTrue(failed.getMessage().contains("cannot open segment"), failed.getMessage());
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(root.resolve("shm"), "orders"), "orders", 5_000))
            {
                for (int slot = 0; slot < io.shmbus.client.log.LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
                {
                    assertEquals(io.shmbus.client.log.LogDescriptor.SLOT_FREE, log.slotStateVolatile(slot),
                        "slot " + slot + " left by the archiver that failed to start");
                }
            }

            // once the cause is gone, the topic archives and its producers are held by live consumers only
            Files.delete(firstSegment);
            final Producer producer = bus.addProducer("orders");
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[1000]);
            for (int i = 0; i < 200; i++) // three laps of the ring
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (producer.offer(msg, 0, 1000) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, "message " + i + " held for 10 s");
                    Thread.yield();
                }
            }
        }
    }

    @Test
    void framesAreArchivedContiguouslyAcrossSegmentsWhileProducersPublish() throws Exception
    {
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n[topic scratch]\npersistent = false\n");
        final Path dataDir = root.resolve("data");
        final int messages = 20_000;
        final List<Integer> lengths = new ArrayList<>();
        try (Broker broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(dataDir)
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true)));
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final Producer producer = bus.addProducer("orders");
            bus.addProducer("scratch");
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[1024]);
            long end = 0;
            for (int i = 0; i < messages; i++)
            {
                final int length = 8 + ThreadLocalRandom.current().nextInt(500);
                msg.putInt(0, i);
                msg.putInt(4, length);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((end = producer.offer(msg, 0, length)) < 0)
                {
                    assertEquals(Producer.BACK_PRESSURED, end, Producer.resultName(end));
                    assertTrue(System.nanoTime() < deadline, "held for 10 s: the archiver does not advance");
                    Thread.yield();
                }
                lengths.add(length);
            }
            final long tail = end;
            assertTrue(tail > 20L * 65536, "many laps of the 64 KiB ring: " + tail);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (archivedBytes(dataDir.resolve("orders")) < tail)
            {
                assertTrue(System.nanoTime() < deadline, "archive did not reach the tail " + tail);
                Thread.sleep(10);
            }
            assertFalse(Files.exists(dataDir.resolve("scratch")), "a topic with persistent = false is not archived");
            assertTrue(brokerLog.toString().contains("archived to " + dataDir.resolve("orders")), brokerLog.toString());

            // every frame, in order, byte for byte, in segments named by their 20-digit base position
            final Path topicDir = dataDir.resolve("orders");
            long position = 0;
            int index = 0;
            while (position < tail)
            {
                final long base = SegmentDescriptor.basePosition(position, 256 * 1024);
                final Path segment = SegmentDescriptor.file(topicDir, base);
                assertEquals(String.format("%020d.seg", base), segment.getFileName().toString());
                final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
                while (position < tail && position < base + 256 * 1024)
                {
                    final int at = (int)(position - base);
                    final int frameLength = bytes.getInt(at + FrameDescriptor.FRAME_LENGTH_OFFSET);
                    assertTrue(frameLength >= FrameDescriptor.HEADER_LENGTH, "frame length at " + position);
                    assertEquals(position, bytes.getLong(at + FrameDescriptor.POSITION_OFFSET), "own position");
                    if (bytes.getShort(at + FrameDescriptor.TYPE_OFFSET) == FrameDescriptor.TYPE_DATA)
                    {
                        final int payload = at + FrameDescriptor.HEADER_LENGTH;
                        assertEquals(index, bytes.getInt(payload), "message order at " + position);
                        assertEquals(lengths.get(index), frameLength - FrameDescriptor.HEADER_LENGTH);
                        assertEquals(lengths.get(index), bytes.getInt(payload + 4));
                        index++;
                    }
                    position += FrameDescriptor.alignedLength(frameLength);
                }
            }
            assertEquals(messages, index, "every message archived exactly once");
            assertEquals(tail, position);
        }
    }

    private static long archivedBytes(final Path topicDir) throws IOException
    {
        if (!Files.isDirectory(topicDir))
        {
            return 0;
        }
        long max = 0;
        try (Stream<Path> files = Files.list(topicDir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final long base = SegmentDescriptor.parseBasePosition(file.getFileName().toString());
                if (base >= 0)
                {
                    max = Math.max(max, base + Files.size(file));
                }
            }
        }
        return max;
    }

    @Test
    void segmentNames()
    {
        assertEquals("00000000000000000000.seg", SegmentDescriptor.fileName(0));
        assertEquals("00000000000134217728.seg", SegmentDescriptor.fileName(134_217_728));
        assertEquals(134_217_728, SegmentDescriptor.parseBasePosition("00000000000134217728.seg"));
        assertEquals(-1, SegmentDescriptor.parseBasePosition("0000000000013421772.seg"));
        assertEquals(-1, SegmentDescriptor.parseBasePosition("0000000000013421772x.seg"));
        assertEquals(-1, SegmentDescriptor.parseBasePosition("00000000000134217728.log"));
        assertEquals(1 << 20, SegmentDescriptor.segmentLengthFor(64 * 1024, 1 << 20), "never below the ring");
        assertThrows(io.shmbus.client.ConfigurationException.class,
            () -> SegmentDescriptor.segmentLengthFor(100_000, 65536));
    }

    private static long counter(final Path shm, final String label)
    {
        return BrokerCounterValues.value(shm, label);
    }

    private long publishUntilArchived(final Path shm, final String topic, final int messages) throws Exception
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final Producer producer = bus.addProducer(topic);
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[1000]);
            long end = 0;
            for (int i = 0; i < messages; i++)
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((end = producer.offer(msg, 0, 1000)) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, Producer.resultName(end));
                    Thread.yield();
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (counter(shm, "topic " + topic + ": archived position") < end)
            {
                assertTrue(System.nanoTime() < deadline, "not archived up to " + end);
                Thread.sleep(5);
            }
            return end;
        }
    }

    @Test
    void durabilityPolicies() throws Exception
    {
        final Path config = root.resolve("durability.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n[topic none]\ndurability = none\n" +
            "[topic seg]\ndurability = segment\n[topic timed]\ndurability = 20ms\n");
        final Path shm = root.resolve("shm");
        try (Broker broker = Broker.launch(new BrokerContext().dir(shm).dataDir(root.resolve("data"))
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true))))
        {
            publishUntilArchived(shm, "none", 1000);
            publishUntilArchived(shm, "seg", 1000);
            final long before = counter(shm, "topic timed: segment syncs");
            for (int i = 0; i < 5; i++)
            {
                publishUntilArchived(shm, "timed", 50); // less than a segment each time
                Thread.sleep(30);
            }
            assertEquals(0, counter(shm, "topic none: segment syncs"), "durability = none never syncs");
            // 1000 frames of 1056 bytes fill 4 segments of 256 KiB: each completed one is synced once
            assertEquals(4, counter(shm, "topic seg: segment syncs"));
            assertTrue(counter(shm, "topic timed: segment syncs") - before >= 3, "synced on the interval");
        }
    }

    @Test
    void retentionDeletesTheOldestSegmentsByBytesAndByAge() throws Exception
    {
        final Path config = root.resolve("retention.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n[topic bytes]\nretention.bytes = 600k\n" +
            "[topic age]\nretention.age = 5s\n");
        final Path shm = root.resolve("shm");
        final Path data = root.resolve("data");
        try (Broker broker = Broker.launch(new BrokerContext().dir(shm).dataDir(data)
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true))))
        {
            final long end = publishUntilArchived(shm, "bytes", 2000); // about 2 MiB: 8 segments written
            final SegmentScanner.Result kept = new SegmentScanner().scan(data.resolve("bytes"), null);
            assertNull(kept.problem, kept.problem);
            assertTrue(kept.segments.size() <= 3, "at most 600k kept: " + kept.segments);
            assertTrue(kept.startPosition >= end - 3 * 256 * 1024, "the oldest went first: " + kept.startPosition);
            assertEquals(end, kept.endPosition);
            assertTrue(counter(shm, "topic bytes: segments deleted by retention") >= 5);

            // segments age with no writing: the complete ones go once they are older than 5 s, the active one stays
            publishUntilArchived(shm, "age", 600); // 2 complete segments, a third being written
            final List<Path> before = SegmentScanner.segmentFiles(data.resolve("age"));
            assertEquals(3, before.size());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.exists(before.get(0)) || Files.exists(before.get(1)))
            {
                assertTrue(System.nanoTime() < deadline, "the segments older than 5 s were not deleted");
                Thread.sleep(50);
            }
            assertTrue(Files.exists(before.get(2)), "the segment being written stays");
            assertTrue(brokerLog.toString().contains("older than the retention age"), brokerLog.toString());
        }
    }

    @Test
    void anArchiveWriteFailureHoldsProducersWithoutLossAndArchivingResumes() throws Exception
    {
        final Path config = root.resolve("fail.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
        final Path shm = root.resolve("shm");
        final Path data = root.resolve("data");
        // the second segment cannot be created (its name is taken by a directory), as a full or broken disk would
        final Path blocker = SegmentDescriptor.file(data.resolve("f"), 256 * 1024);
        Files.createDirectories(blocker);
        try (Broker broker = Broker.launch(new BrokerContext().dir(shm).dataDir(data)
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true)));
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final Producer producer = bus.addProducer("f");
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[1000]);
            int sent = 0;
            final long heldDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int backPressuredInARow = 0;
            while (backPressuredInARow < 1_000_000)
            {
                msg.putInt(0, sent);
                if (producer.offer(msg, 0, 1000) > 0)
                {
                    sent++;
                    backPressuredInARow = 0;
                }
                else
                {
                    backPressuredInARow++;
                }
                assertTrue(System.nanoTime() < heldDeadline, "producers were never held: " + sent);
            }
            assertTrue(sent * 1056L < 256 * 1024 + 65536 + 2112, "held within a ring of the failed segment: " + sent);
            assertTrue(brokerLog.toString().contains("archiving paused"), brokerLog.toString());
            assertTrue(counter(shm, "topic f: archive errors") >= 1);

            Files.delete(blocker);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 500; i++)
            {
                msg.putInt(0, sent);
                long result;
                while ((result = producer.offer(msg, 0, 1000)) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, "archiving did not resume: " + brokerLog);
                    Thread.yield();
                }
                sent++;
            }
            final long end = producer.position();
            while (counter(shm, "topic f: archived position") < end)
            {
                assertTrue(System.nanoTime() < deadline, "not archived up to " + end);
                Thread.sleep(5);
            }
            assertTrue(brokerLog.toString().contains("archiving resumed"), brokerLog.toString());
            final SegmentScanner.Result result = new SegmentScanner().scan(data.resolve("f"), null);
            assertNull(result.problem, result.problem);
            assertEquals(sent, result.messages, "nothing lost, nothing twice");
            assertEquals(1, brokerLog.toString().split("archiving paused", -1).length - 1, "reported once");
        }
    }

    @Test
    void consumerFromBeforeTheRingReplaysTheArchiveThenFollowsLiveWithoutGapOrDuplicate() throws Exception
    {
        final Path config = root.resolve("replay.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
        final Path shm = root.resolve("shm");
        try (Broker broker = Broker.launch(new BrokerContext().dir(shm).dataDir(root.resolve("data"))
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true)));
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final Producer producer = bus.addProducer("r");
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[600]);
            final List<Long> positions = new ArrayList<>();
            int sent = 0;
            for (; sent < 3000; sent++)
            {
                msg.putInt(0, sent);
                long end;
                while ((end = producer.offer(msg, 0, 100 + sent % 400)) < 0)
                {
                    Thread.yield();
                }
                positions.add(end);
            }
            final io.shmbus.client.Consumer fromStart = bus.addConsumer("r", io.shmbus.client.StartPosition.EARLIEST);
            assertTrue(fromStart.isReplaying(), "the ring lapped: earliest is in the archive");
            final long middle = positions.get(1499); // the end of message 1499 is the start of message 1500
            final io.shmbus.client.Consumer fromMiddle =
                bus.addConsumer("r", io.shmbus.client.StartPosition.at(middle));
            assertTrue(fromMiddle.isReplaying());
            assertThrows(io.shmbus.client.PositionUnavailableException.class,
                () -> bus.addConsumer("r", io.shmbus.client.StartPosition.at(middle + 32)));

            final List<Integer> all = new ArrayList<>();
            final List<Integer> half = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (all.size() < 4000 || half.size() < 2500)
            {
                if (sent < 4000)
                {
                    msg.putInt(0, sent);
                    if (producer.offer(msg, 0, 100 + sent % 400) > 0)
                    {
                        sent++;
                    }
                }
                fromStart.poll((b, o, l, h) -> all.add(b.getInt(o)), 64);
                fromMiddle.poll((b, o, l, h) -> half.add(b.getInt(o)), 64);
                assertTrue(System.nanoTime() < deadline, "replay then live: " + all.size() + ", " + half.size());
            }
            for (int i = 0; i < 4000; i++)
            {
                assertEquals(i, all.get(i), "from earliest, message " + i);
            }
            for (int i = 0; i < 2500; i++)
            {
                assertEquals(1500 + i, half.get(i), "from position " + middle);
            }
            assertFalse(fromStart.isReplaying());
            assertEquals(producer.position(), fromStart.position());
        }
    }

    /**
     * Messages carry the broker's clock (refreshed about every millisecond), not the wall clock, so the times asked
     * for are taken from the messages' own time stamps, read back through a consumer. Before each batch the broker
     * clock is seen to move past every stamp given so far, so a batch's first message is stamped strictly later
     * than the message before it; its own stamp and the instant after the previous message's must both start exactly
     * there. A broker that falls behind under load only makes the test wait.
     */
    @Test
    void consumerFromATimeStartsAtTheFirstMessageStampedThenInTheArchiveAndInTheRing() throws Exception
    {
        final Path config = root.resolve("time.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
        final Path shm = root.resolve("shm");
        try (Broker broker = Broker.launch(new BrokerContext().dir(shm).dataDir(root.resolve("data"))
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true)));
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final Producer producer = bus.addProducer("time");
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[600]);
            // batches 0 and 1 start in the archive only (the 64 KiB ring lapped long ago), batch 2 is in the ring too
            final int[] firstOfBatch = {0, 2000, 4000};
            final int messages = 4020;
            int sent = 0;
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, "time"), "time", 5_000))
            {
                for (int batch = 0; batch < 3; batch++)
                {
                    awaitBrokerClockMovedOn(log);
                    for (; sent < (batch < 2 ? firstOfBatch[batch + 1] : messages); sent++)
                    {
                        msg.putInt(0, sent);
                        while (producer.offer(msg, 0, 500) < 0)
                        {
                            Thread.yield();
                        }
                    }
                }
            }
            final long[] stamps = stampsOf(bus.addConsumer("time", io.shmbus.client.StartPosition.EARLIEST), messages);

            for (int batch = 0; batch < 3; batch++)
            {
                final int first = firstOfBatch[batch];
                if (first > 0)
                {
                    assertTrue(stamps[first - 1] < stamps[first], "batch " + batch +
                        " is stamped after the message before it: " + stamps[first - 1] + ", " + stamps[first]);
                }
                final long afterPrevious = first > 0 ? stamps[first - 1] + 1 : stamps[0] - 1;
                for (final long time : new long[] {afterPrevious, stamps[first]})
                {
                    assertEquals(first, firstMessageFrom(bus, time),
                        "first message at or after " + time + ", the time of batch " + batch);
                }
            }
            final io.shmbus.client.Consumer future = bus.addConsumer("time",
                io.shmbus.client.StartPosition.atTime(stamps[messages - 1] + 1));
            assertEquals(producer.position(), future.position(), "a time after the last message starts at the tail");
        }
    }

    /**
     * Waits until the broker clock in the topic log is past its value now: every message offered before this call
     * is stamped at or before that value, so the next one is stamped strictly later.
     */
    private static void awaitBrokerClockMovedOn(final TopicLog log) throws InterruptedException
    {
        final long seen = log.brokerEpochNsVolatile();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.brokerEpochNsVolatile() <= seen)
        {
            assertTrue(System.nanoTime() < deadline, "the broker clock did not move on from " + seen);
            Thread.sleep(1);
        }
    }

    /** The time stamp of every message, by the message number in its first four bytes; closes the consumer. */
    private static long[] stampsOf(final io.shmbus.client.Consumer consumer, final int messages)
    {
        final long[] stamps = new long[messages];
        final int[] received = {0};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received[0] < messages)
        {
            consumer.poll((b, o, l, h) ->
            {
                assertEquals(received[0], b.getInt(o), "message order");
                stamps[received[0]++] = h.timestamp();
            }, 256);
            assertTrue(System.nanoTime() < deadline, "read back only " + received[0] + " messages");
        }
        consumer.close();
        return stamps;
    }

    /** The number of the first message delivered to a consumer that starts at a time. */
    private static int firstMessageFrom(final ShmBus bus, final long epochNs)
    {
        final io.shmbus.client.Consumer consumer =
            bus.addConsumer("time", io.shmbus.client.StartPosition.atTime(epochNs));
        final int[] first = {-1};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (first[0] < 0)
        {
            consumer.poll((b, o, l, h) ->
            {
                if (first[0] < 0)
                {
                    first[0] = b.getInt(o);
                }
            }, 1);
            assertTrue(System.nanoTime() < deadline, "nothing delivered from the time " + epochNs);
        }
        consumer.close();
        return first[0];
    }

    @Test
    void startTimesParse()
    {
        final io.shmbus.client.StartPosition start = io.shmbus.client.StartPosition.parse("2026-11-26T01:00:00Z");
        assertTrue(start.isTime());
        assertEquals(java.time.Instant.parse("2026-11-26T01:00:00Z").getEpochSecond() * 1_000_000_000L,
            start.epochNs());
        assertEquals(start.epochNs(),
            io.shmbus.client.StartPosition.parse("2026-11-26T02:00:00+01:00").epochNs());
        final io.shmbus.client.ConfigurationException ex = assertThrows(io.shmbus.client.ConfigurationException.class,
            () -> io.shmbus.client.StartPosition.parse("2026-11-26T25:00:00Z"));
        assertTrue(ex.getMessage().contains("ISO-8601"), ex.getMessage());
    }
}
