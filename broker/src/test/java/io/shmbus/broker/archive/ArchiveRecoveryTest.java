package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;

import io.shmbus.broker.Broker;
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
        return Broker.launch(new Broker.Context().dir(shm).dataDir(data).configFile(config).segmentLength(SEGMENT)
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
            final Exception ex = assertThrows(Exception.class, () -> bus.addProducer("t"));
            assertTrue(ex.getMessage().contains("corrupt"), ex.getMessage());
            assertNotNull(bus.addProducer("other"), "the broker keeps serving other topics");
        }
        assertEquals(sizeBefore, Files.size(first), "nothing is cut for corruption");
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
            () -> Broker.launch(new Broker.Context().dir(shm).dataDir(root.resolve("not-a-dir"))
            .configFile(config).log(new PrintStream(brokerLog, true))));
        assertTrue(ex.getMessage().contains("the data directory " + root.resolve("not-a-dir") +
            " cannot hold segments"), ex.getMessage());
        assertFalse(Files.exists(shm.resolve("cnc.dat")), "nothing left for clients to misread");
    }
}
