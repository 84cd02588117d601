package io.shmbus.broker.archive;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The segment writer's copy: ranges of a whole step and wrapping the ring end land in the segment byte for
 * byte in stream order, and each range's checksum record is the CRC32C of exactly those bytes.
 */
@Timeout(30)
class SegmentWriterTest
{
    private static final int CAPACITY = 1 << 20;

    private Path root;
    private TopicLog log;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-segment-writer-test-");
        log = TopicLog.openOrCreate(Files.createDirectories(root.resolve("shm")), "t", CAPACITY, 1024, 0,
            ShmDirectory.PRIVATE_FILE, 1_000);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        if (null != log)
        {
            log.close();
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void rangesLongerThanAPieceAndAcrossTheRingEndAreCopiedAndChecksummedExactly() throws IOException
    {
        final byte[] ring = new byte[CAPACITY];
        new Random(42).nextBytes(ring);
        log.ring().putBytes(0, ring);
        final Path topicDir = Files.createDirectories(root.resolve("data").resolve("t"));
        // the second range starts at ring offset 700,032 and wraps the ring end 348,544 bytes later
        final long[] ends = { 0, 700_032, 1_200_000, 1_200_032 };
        try (SegmentWriter writer = new SegmentWriter(log, topicDir, false))
        {
            writer.open(0);
            for (int i = 1; i < ends.length; i++)
            {
                writer.copy(ends[i - 1], ends[i]);
            }
        }

        final byte[] segment = Files.readAllBytes(SegmentDescriptor.file(topicDir, 0));
        assertEquals(ends[ends.length - 1], segment.length);
        for (int position = 0; position < segment.length; position++)
        {
            if (segment[position] != ring[position & (CAPACITY - 1)])
            {
                fail("segment byte at position " + position + " is not the ring's");
            }
        }
        final ByteBuffer sums = ByteBuffer.wrap(Files.readAllBytes(ChecksumIndexWriter.file(topicDir, 0)))
            .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((ends.length - 1) * ChecksumIndexWriter.RECORD_LENGTH, sums.capacity());
        for (int i = 1; i < ends.length; i++)
        {
            final int at = (i - 1) * ChecksumIndexWriter.RECORD_LENGTH;
            assertEquals(ends[i - 1], sums.getLong(at));
            assertEquals(ends[i] - ends[i - 1], sums.getInt(at + 8));
            final CRC32C crc = new CRC32C();
            crc.update(segment, (int)ends[i - 1], (int)(ends[i] - ends[i - 1]));
            assertEquals((int)crc.getValue(), sums.getInt(at + 12), "checksum record " + i);
        }
    }
}
