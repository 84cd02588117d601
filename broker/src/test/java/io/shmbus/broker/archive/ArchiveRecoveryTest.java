package io.shmbus.broker.archive;

import io.shmbus.client.log.StoredFrames;
import io.shmbus.client.log.SegmentDescriptor;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.cli.Main;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Restarting the broker resumes the archive exactly where it ended (ring kept or recreated), cuts a torn tail,
 * refuses to archive past corruption without crashing, and {@code shmbus verify} reports each case.
 */
@Timeout(60)
class ArchiveRecoveryTest
{
    private static final long SEGMENT = 256 * 1024;

    private Path root;
    private Path shm;
    private Path data;
    private Path config;
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-recovery-test-");
        shm = root.resolve("shm");
        data = root.resolve("data");
        config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Broker broker()
    {
        return Broker.launch(new BrokerContext().dir(shm).dataDir(data).configFile(config).segmentLength(SEGMENT)
            .log(new PrintStream(brokerLog, true)));
    }

    /** Publishes numbered messages from {@code first}; returns the tail after them, once all are archived. */
    private long publish(final int first, final int count) throws Exception
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final Producer producer = bus.addProducer("t");
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[300]);
            long end = 0;
            for (int i = first; i < first + count; i++)
            {
                msg.putInt(0, i);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((end = producer.offer(msg, 0, 100 + (i % 200))) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, Producer.resultName(end));
                    Thread.yield();
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (scan().endPosition < end)
            {
                assertTrue(System.nanoTime() < deadline, "archive did not reach " + end + ": " + scan().problem);
                Thread.sleep(5);
            }
            return end;
        }
    }

    private SegmentScanner.Result scan() throws IOException
    {
        return new SegmentScanner().scan(data.resolve("t"), null);
    }

    /** Every message 0..count-1 exactly once, in order, in the segments. */
    private void assertArchived(final int count) throws IOException
    {
        final SegmentScanner.Result result = scan();
        assertNull(result.problem, result.problem);
        assertEquals(count, result.messages, "messages archived exactly once");
        int expected = 0;
        for (final Path segment : result.segments)
        {
            final long base = SegmentDescriptor.parseBasePosition(segment.getFileName().toString());
            final UnsafeBuffer bytes = new UnsafeBuffer(Files.readAllBytes(segment));
            int at = (int)Math.max(0, result.startPosition - base);
            while (at + FrameDescriptor.HEADER_LENGTH <= bytes.capacity() && bytes.getInt(at) > 0)
            {
                if (bytes.getShort(at + FrameDescriptor.TYPE_OFFSET) == FrameDescriptor.TYPE_DATA)
                {
                    assertEquals(expected++, bytes.getInt(at + FrameDescriptor.HEADER_LENGTH));
                }
                at += FrameDescriptor.alignedLength(bytes.getInt(at));
            }
        }
        assertEquals(count, expected);
    }

    private String verify(final int expectedExit)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = Main.run(new String[]{"verify", data.resolve("t").toString()},
            new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(out, true));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, code, text);
        return text;
    }

    @Test
    void restartWithTheRingKeptResumesWithoutGapOrDuplicate() throws Exception
    {
        try (Broker ignored = broker())
        {
            publish(0, 3000);
        }
        try (Broker ignored = broker())
        {
            publish(3000, 3000);
        }
        assertArchived(6000);
        assertTrue(scan().segments.size() > 3);
        assertTrue(verify(0).contains("6000 messages"));
    }

    @Test
    void restartWithAFreshRingContinuesThePositions() throws Exception
    {
        final long end;
        try (Broker ignored = broker())
        {
            end = publish(0, 2000);
        }
        Files.delete(shm.resolve("t.log")); // e.g. a reboot emptied /dev/shm
        try (Broker ignored = broker())
        {
            publish(2000, 2000);
        }
        assertArchived(4000);
        assertTrue(scan().endPosition > end);
    }

    @Test
    void tornTailIsCutOnStart() throws Exception
    {
        final long end;
        try (Broker ignored = broker())
        {
            end = publish(0, 1000);
        }
        // a crash in the middle of copying a frame: a header that promises more than the file holds
        final long base = SegmentDescriptor.basePosition(end, SEGMENT);
        try (RandomAccessFile raf = new RandomAccessFile(SegmentDescriptor.file(data.resolve("t"), base).toFile(),
            "rw"))
        {
            raf.seek(end - base);
            raf.write(new byte[]{(byte)200, 0, 0, 0, 2, 0, 0, 1});
            raf.write(longLe(end));
            raf.write(new byte[40]);
        }
        assertTrue(verify(1).contains("TORN TAIL"));
        try (Broker ignored = broker())
        {
            assertTrue(brokerLog.toString().contains("cut a torn tail"), "recovered at start: " + brokerLog);
            publish(1000, 1000);
        }
        assertArchived(2000);
    }

    @Test
    void corruptionIsReportedAndTheBrokerKeepsServing() throws Exception
    {
        try (Broker ignored = broker())
        {
            publish(0, 1000);
        }
        // a bit flip in the position field of the 100th frame of the first segment
        final Path first = scan().segments.get(0);
        final UnsafeBuffer bytes = new UnsafeBuffer(Files.readAllBytes(first));
        int frame = 0;
        for (int i = 0; i < 100; i++)
        {
            frame += FrameDescriptor.alignedLength(bytes.getInt(frame));
        }
        try (RandomAccessFile raf = new RandomAccessFile(first.toFile(), "rw"))
        {
            raf.seek(frame + FrameDescriptor.POSITION_OFFSET);
            final int b = raf.read();
            raf.seek(frame + FrameDescriptor.POSITION_OFFSET);
            raf.write(b ^ 0x10);
        }
        final String report = verify(1);
        assertTrue(report.contains("CORRUPT"), report);
        assertTrue(report.contains("at position " + frame + ": frame says position"), report);
        assertTrue(report.contains(first.getFileName().toString()), report);
        final long sizeBefore = Files.size(first);
        try (Broker ignored = broker();
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            assertNotNull(bus.addProducer("other"), "the broker keeps serving other topics");
        }
        assertEquals(sizeBefore, Files.size(first), "nothing is cut for corruption");
    }

    /**
     * Finding A: a damaged length with sound frames after it is corruption, not a torn tail: nothing is cut, the
     * index is kept, archiving resumes after the last sound frame (no position is stored twice), and the damage is
     * reported in the log, the counter and {@code shmbus topics}.
     */
    @Test
    void damagedLengthWithSoundFramesAfterItIsKeptAndArchivingResumesAfterThem() throws Exception
    {
        assertDamagedLengthIsKept(100_000, "runs past the end of the data");
    }

    /** Finding B: a length near Integer.MAX_VALUE neither crashes verify nor the broker's start. */
    @Test
    void lengthNearIntMaxIsReportedAndTheBrokerStartsAndServesOtherTopics() throws Exception
    {
        assertDamagedLengthIsKept(0x7FFF_FFFF, "larger than the largest frame");
    }

    private void assertDamagedLengthIsKept(final int length, final String reason) throws Exception
    {
        final Path topicDir = data.resolve("t");
        Files.createDirectories(topicDir);
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        StoredFrames.write(segment, 0, 1000, 64);
        StoredFrames.writeTimeIndex(TimeIndexWriter.file(topicDir, 0), 0, 1000, 64, 100);
        final byte[] index = Files.readAllBytes(TimeIndexWriter.file(topicDir, 0));
        StoredFrames.putInt(segment, 20 * 64, length);
        Files.createDirectories(data.resolve("h"));
        StoredFrames.write(SegmentDescriptor.file(data.resolve("h"), 0), 0, 100, 64);

        final String report = verify(1);
        assertTrue(report.contains("CORRUPT in " + segment.getFileName() + " at position 1280: frame"), report);
        assertTrue(report.contains(reason), report);
        assertTrue(report.contains("sound frames again from position 1344"), report);
        assertFalse(report.contains("TORN TAIL"), report);
        assertTrue(report.contains("999 frames"), "every sound frame is counted: " + report);

        final long published;
        try (Broker ignored = broker();
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final String log = brokerLog.toString();
            assertTrue(log.contains("DAMAGED archive in " + segment + " at position 1280"), log);
            assertTrue(log.contains("nothing was cut"), log);
            final Producer producer = bus.addProducer("t");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long result;
            while ((result = producer.offer(new UnsafeBuffer(new byte[8]), 0, 8)) < 0)
            {
                assertTrue(System.nanoTime() < deadline, Producer.resultName(result));
                Thread.sleep(1);
            }
            published = result;
            while (scan().endPosition < published)
            {
                assertTrue(System.nanoTime() < deadline, "archive did not reach " + published);
                Thread.sleep(5);
            }
            final String topics = run("topics", "--dir", shm.toString());
            assertTrue(topics.contains("DAMAGED ARCHIVE: 1 report(s) (first: " + segment.getFileName() +
                " at position 1280"), topics);
            final String stat = run("stat", "--dir", shm.toString());
            assertTrue(stat.matches("(?s).*\\s1 - topic t: damaged storage found \\(first: .*at position 1280.*"),
                stat);
            assertNotNull(bus.addConsumer("h", io.shmbus.client.StartPosition.EARLIEST), "healthy topic served");
        }
        assertEquals(64000 + 64, published, "the next message is stored after the sound data, at 64000");
        final UnsafeBuffer after = new UnsafeBuffer(Files.readAllBytes(segment));
        assertEquals(64000, after.getLong(64000 + FrameDescriptor.POSITION_OFFSET));
        for (int i = 0; i < 1000; i++)
        {
            assertEquals(i == 20 ? length : 64, after.getInt(i * 64), "frame " + i + " kept as it was");
            assertEquals(i * 64L, after.getLong(i * 64 + FrameDescriptor.POSITION_OFFSET));
        }
        final byte[] indexAfter = Files.readAllBytes(TimeIndexWriter.file(topicDir, 0));
        assertArrayEquals(index, java.util.Arrays.copyOf(indexAfter, index.length), "the time index is kept");
    }

    /** Finding F: segments and indexes are 0600, the topic directory 0700, also one an older version made 0755. */
    @Test
    void segmentFilesIndexesAndTopicDirectoryArePrivate() throws Exception
    {
        Files.createDirectories(data.resolve("t"));
        Files.setPosixFilePermissions(data.resolve("t"), PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Broker ignored = broker())
        {
            publish(0, 100);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("t"))));
        try (Stream<Path> files = Files.list(data.resolve("t")))
        {
            final List<Path> all = files.toList();
            assertTrue(all.size() >= 3, all.toString());
            for (final Path file : all)
            {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                    file.toString());
            }
        }
    }

    /**
     * Finding E: with default settings (no per-frame checksums) a flipped payload byte is found by verify, through
     * the checksum index the archiver writes beside each segment.
     */
    @Test
    void verifyFindsAFlippedPayloadByteWithDefaultSettings() throws Exception
    {
        try (Broker ignored = broker())
        {
            publish(0, 1000);
        }
        final Path first = scan().segments.get(0);
        assertTrue(Files.exists(ChecksumIndexWriter.file(data.resolve("t"), 0)), "the archiver wrote the index");
        final String clean = verify(0);
        assertTrue(clean.contains(" 0 with checksums"), "no per-frame checksums: " + clean);
        assertFalse(clean.contains(" 0 archiving steps checked"), clean);
        final UnsafeBuffer bytes = new UnsafeBuffer(Files.readAllBytes(first));
        int frame = 0;
        for (int i = 0; i < 500; i++)
        {
            frame += FrameDescriptor.alignedLength(bytes.getInt(frame));
        }
        try (RandomAccessFile raf = new RandomAccessFile(first.toFile(), "rw"))
        {
            final long at = frame + FrameDescriptor.HEADER_LENGTH + 10;
            raf.seek(at);
            final int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x01);
        }
        final String report = verify(1);
        assertTrue(report.contains("CORRUPT in " + first.getFileName()), report);
        assertTrue(report.contains("changed since they were written"), report);
    }

    /** {@code shmbus replay} in each format delivers the frames before the damage, then says where it stopped. */
    @Test
    void replayStopsAtDamageAfterTheSoundFramesInEachFormat() throws Exception
    {
        final Path topicDir = data.resolve("t");
        Files.createDirectories(topicDir);
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        StoredFrames.write(segment, 0, 1000, 64);
        StoredFrames.putInt(segment, 20 * 64, 0x7FFF_FFFF);
        try (Broker ignored = broker())
        {
            final Path frames = root.resolve("frames.out");
            final String framesRun = runExpecting(1, "replay", "--dir", shm.toString(), "--topic", "t",
                "--format", "frames", "--out", frames.toString());
            assertTrue(framesRun.contains("damaged archive in " + segment + " at position 1280"), framesRun);
            assertTrue(framesRun.contains("replayed the 1280 bytes of frames before it"), framesRun);
            assertArrayEquals(StoredFrames.frames(0, 20, 64), Files.readAllBytes(frames));

            final Path payloads = root.resolve("payload.out");
            final String payloadRun = runExpecting(1, "replay", "--dir", shm.toString(), "--topic", "t",
                "--format", "payload", "--out", payloads.toString());
            assertTrue(payloadRun.contains("damaged archive in " + segment + " at position 1280"), payloadRun);
            assertTrue(payloadRun.contains("replayed 20 messages"), payloadRun);
            final UnsafeBuffer written = new UnsafeBuffer(Files.readAllBytes(payloads));
            assertEquals(20 * (4 + 32), written.capacity());
            for (int i = 0; i < 20; i++)
            {
                assertEquals(32, written.getInt(i * 36));
                assertEquals(i, written.getInt(i * 36 + 4));
            }
        }
    }

    private String run(final String... args)
    {
        return runExpecting(0, args);
    }

    private String runExpecting(final int exitCode, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true),
            new PrintStream(out, true));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(exitCode, code, text);
        return text;
    }

    private static byte[] longLe(final long value)
    {
        final byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(value >>> (8 * i));
        }
        return bytes;
    }

    @Test
    void missingSegmentIsReported() throws Exception
    {
        try (Broker ignored = broker())
        {
            publish(0, 3000);
        }
        final List<Path> segments = scan().segments;
        assertTrue(segments.size() >= 3, segments.toString());
        Files.delete(segments.get(1));
        final String report = verify(1);
        assertTrue(report.contains("segment missing"), report);
        assertTrue(report.contains(segments.get(2).getFileName().toString()), report);
    }

    @Test
    void unusableDataDirectoryFailsTheStartWithAClearError() throws Exception
    {
        Files.writeString(root.resolve("not-a-dir"), "x");
        final io.shmbus.client.ConfigurationException ex = assertThrows(io.shmbus.client.ConfigurationException.class,
            () -> Broker.launch(new BrokerContext().dir(shm).dataDir(root.resolve("not-a-dir"))
            .configFile(config).log(new PrintStream(brokerLog, true))));
        assertTrue(ex.getMessage().contains("the data directory " + root.resolve("not-a-dir") +
            " cannot hold segments"), ex.getMessage());
        assertFalse(Files.exists(shm.resolve("cnc.dat")), "nothing left for clients to misread");
    }
}
