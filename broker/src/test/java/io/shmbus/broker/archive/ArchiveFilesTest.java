package io.shmbus.broker.archive;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The thread-safe lookups over segment files: frame boundaries found by walking headers (from the time index or
 * the segment start, across read chunks, over frames larger than a chunk and over the zeros before the first
 * frame), and the time lookup.
 */
class ArchiveFilesTest
{
    private static final long SEGMENT_LENGTH = 256 * 1024;
    private Path topicDir;

    @BeforeEach
    void setUp() throws IOException
    {
        topicDir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-archive-files-").resolve("t");
        Files.createDirectories(topicDir);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(topicDir.getParent()))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void frameStartsAreFoundByWalkingWithAndWithoutTheTimeIndex() throws IOException
    {
        final long first = 4096; // the archive started mid-segment: zeros before it
        final List<Long> starts = writeSegment(0, first, new Random(7), true);
        final long archived = starts.remove(starts.size() - 1);
        final List<Long> startsInSecond = writeSegment(SEGMENT_LENGTH, SEGMENT_LENGTH, new Random(8), false);
        final long archivedSecond = startsInSecond.remove(startsInSecond.size() - 1);

        for (final long start : starts)
        {
            assertTrue(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, start), "" + start);
            assertFalse(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, start + 32),
                "inside the frame at " + start);
        }
        for (final long start : startsInSecond) // no time index there: walked from the segment start
        {
            assertTrue(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, start), "" + start);
        }
        assertTrue(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, archivedSecond),
            "the archived position is a boundary");
        assertFalse(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, first - 32),
            "before the first position");
        assertFalse(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, archivedSecond + 64),
            "after the archived position");
        assertFalse(ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, starts.get(3) + 8),
            "unaligned");
        assertEquals(SEGMENT_LENGTH, archived, "the first segment is full");

        // every position inside a frame (aligned or not) belongs to the frame that starts at or before it
        final List<Long> all = new java.util.ArrayList<>(starts);
        all.add(SEGMENT_LENGTH);
        all.addAll(startsInSecond);
        all.add(archivedSecond);
        for (int i = 0; i + 1 < all.size(); i++)
        {
            for (long p = all.get(i); p < all.get(i + 1); p += 8)
            {
                assertEquals(all.get(i), ArchiveFiles.lastFrameStartAtOrBefore(
                    topicDir, SEGMENT_LENGTH, first, archivedSecond, p), "position " + p);
            }
        }
        assertEquals(archivedSecond, ArchiveFiles.lastFrameStartAtOrBefore(
            topicDir, SEGMENT_LENGTH, first, archivedSecond, archivedSecond));
        assertEquals(-1, ArchiveFiles.lastFrameStartAtOrBefore(
            topicDir, SEGMENT_LENGTH, first, archivedSecond, first - 32), "before the first position");
        assertEquals(-1, ArchiveFiles.lastFrameStartAtOrBefore(
            topicDir, SEGMENT_LENGTH, first, archivedSecond, archivedSecond + 32), "after the archived position");

        Files.delete(SegmentDescriptor.file(topicDir, 0));
        assertThrows(NoSuchFileException.class,
            () -> ArchiveFiles.isFrameStart(topicDir, SEGMENT_LENGTH, first, archivedSecond, starts.get(5)));
    }

    @Test
    void positionAtTimeIsTheFirstDataFrameStampedAtOrAfterIt() throws IOException
    {
        final List<Long> starts = writeSegment(0, 0, new Random(9), true);
        final long archived = starts.remove(starts.size() - 1);
        // frame i is stamped 1000 * (i + 1)
        assertEquals(starts.get(0), ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived, 0));
        assertEquals(starts.get(10), ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived, 10_500));
        assertEquals(starts.get(10), ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived, 11_000));
        assertEquals(archived, ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived, Long.MAX_VALUE));
    }

    @Test
    void positionAtTimeFindsTheSegmentByBinarySearchAndWithoutAnIndexByReadingThemAll() throws IOException
    {
        final List<List<Long>> segments = new ArrayList<>();
        for (int k = 0; k < 7; k++)
        {
            final List<Long> starts = writeSegment(k * SEGMENT_LENGTH, k * SEGMENT_LENGTH, new Random(20 + k), true,
                1_000_000_000L * (k + 1));
            starts.remove(starts.size() - 1);
            segments.add(starts);
        }
        final long archived = 7 * SEGMENT_LENGTH;
        for (int k = 0; k < 7; k++)
        {
            final long segmentStamp = 1_000_000_000L * (k + 1);
            assertEquals(segments.get(k).get(0), ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived,
                segmentStamp), "the first frame of segment " + k);
            assertEquals(segments.get(k).get(12), ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived,
                segmentStamp + 12_500), "frame 12 of segment " + k);
        }
        assertEquals(0, ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived, 5));
        assertEquals(archived, ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived, Long.MAX_VALUE));

        Files.delete(ArchiveFiles.timeIndexFile(topicDir, 3 * SEGMENT_LENGTH)); // a lost index: slower, still right
        for (int k = 0; k < 7; k++)
        {
            assertEquals(segments.get(k).get(12), ArchiveFiles.positionAtTime(topicDir, SEGMENT_LENGTH, 0, archived,
                1_000_000_000L * (k + 1) + 12_500), "frame 12 of segment " + k + " without the index of segment 3");
        }
    }

    /**
     * Writes a full segment of data frames from {@code first} (zeros before it), some larger than the walk's read
     * chunk, with a time index record every eighth frame when asked.
     *
     * @return the frame starts, then the segment end.
     */
    private List<Long> writeSegment(final long base, final long first, final Random random, final boolean index)
        throws IOException
    {
        return writeSegment(base, first, random, index, 0);
    }

    /** As above, frame i stamped {@code stampOffset + 1000 * (i + 1)}. */
    private List<Long> writeSegment(
        final long base, final long first, final Random random, final boolean index, final long stampOffset)
        throws IOException
    {
        final ByteBuffer segment = ByteBuffer.allocate((int)SEGMENT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer records = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        final List<Long> starts = new ArrayList<>();
        long position = first;
        int i = 0;
        while (position < base + SEGMENT_LENGTH)
        {
            final long room = base + SEGMENT_LENGTH - position;
            int length = random.nextInt(20) == 0 ? 70_000 + random.nextInt(10_000) : 40 + random.nextInt(2000);
            length = (int)Math.min(length, room);
            if (FrameDescriptor.alignedLength(length) > room || length < FrameDescriptor.HEADER_LENGTH)
            {
                length = (int)room;
            }
            final int at = (int)(position - base);
            segment.putLong(at, FrameDescriptor.commitWord(length, FrameDescriptor.TYPE_DATA, (byte)0));
            segment.putLong(at + FrameDescriptor.POSITION_OFFSET, position);
            segment.putLong(at + FrameDescriptor.TIMESTAMP_OFFSET, stampOffset + 1000L * (i + 1));
            for (int p = at + FrameDescriptor.HEADER_LENGTH; p < at + length; p++)
            {
                segment.put(p, (byte)(p * 31)); // payload that never reads as this frame's position
            }
            if (index && i % 8 == 0)
            {
                records.putLong(stampOffset + 1000L * (i + 1)).putLong(position);
            }
            starts.add(position);
            position += FrameDescriptor.alignedLength(length);
            i++;
        }
        starts.add(position);
        Files.write(SegmentDescriptor.file(topicDir, base), segment.array());
        if (index)
        {
            Files.write(ArchiveFiles.timeIndexFile(topicDir, base), java.util.Arrays.copyOf(records.array(),
                records.position()));
        }
        return starts;
    }
}
