package io.shmbus.broker.archive;

import io.shmbus.broker.Broker;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
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
    void framesAreArchivedContiguouslyAcrossSegmentsWhileProducersPublish() throws Exception
    {
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n[topic scratch]\npersistent = false\n");
        final Path dataDir = root.resolve("data");
        final int messages = 20_000;
        final List<Integer> lengths = new ArrayList<>();
        try (Broker broker = Broker.launch(new Broker.Context().dir(root.resolve("shm")).dataDir(dataDir)
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
}
