package io.shmbus.broker.archive;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Lookups over a topic's archive files alone (segments and time indexes), given the archived range: is a
 * position a frame start, where does a time start. They read only bytes below the archived position, which are
 * never written again, so they are safe on any thread while the archiver appends (the network server uses them
 * from its own thread). Each call opens and closes its files and allocates a small read buffer.
 */
public final class ArchiveFiles
{
    private static final int WALK_CHUNK = 64 * 1024;

    private ArchiveFiles()
    {
    }

    /** The time index file beside a segment. */
    public static Path timeIndexFile(final Path topicDir, final long basePosition)
    {
        return TimeIndexWriter.file(topicDir, basePosition);
    }

    /**
     * True when a frame of the archive starts exactly at {@code position}. The archived position itself counts as
     * a frame start.
     *
     * @throws NoSuchFileException when the segment was deleted (by retention) meanwhile.
     */
    public static boolean isFrameStart(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position) throws IOException
    {
        return position >= 0 &&
            position == lastFrameStartAtOrBefore(topicDir, segmentLength, firstPosition, archivedPosition, position);
    }

    /**
     * The last frame start at or before {@code position} in {@code [firstPosition, archivedPosition]}, found by
     * walking frame headers from a known frame start: the last time index record at or before the position in its
     * segment, else the start of the segment (or the first archived position). Frames never straddle segments, so
     * the walk stays in one segment. The archived position itself counts as a frame start.
     *
     * @return the frame start, or -1 when the position is outside the archived range or the walk meets a header
     * that cannot be a frame's (damaged storage).
     * @throws NoSuchFileException when the segment was deleted (by retention) meanwhile.
     */
    public static long lastFrameStartAtOrBefore(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position) throws IOException
    {
        if (position == archivedPosition)
        {
            return position;
        }
        if (position < firstPosition || position > archivedPosition)
        {
            return -1;
        }
        final long base = SegmentDescriptor.basePosition(position, segmentLength);
        long from = Math.max(base, firstPosition);
        from = Math.max(from, lastIndexedPositionAtOrBefore(timeIndexFile(topicDir, base), position));
        final ByteBuffer chunk = ByteBuffer.allocate(WALK_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel segment = FileChannel.open(SegmentDescriptor.file(topicDir, base), StandardOpenOption.READ))
        {
            long at = from;
            long chunkStart = 0;
            int chunkLength = 0;
            while (at < position)
            {
                if (at < chunkStart || at + FrameDescriptor.HEADER_LENGTH > chunkStart + chunkLength)
                {
                    chunkStart = at;
                    chunk.clear().limit((int)Math.min(WALK_CHUNK, base + segmentLength - at));
                    chunkLength = Math.max(0, segment.read(chunk, at - base));
                    if (chunkLength < FrameDescriptor.HEADER_LENGTH)
                    {
                        return -1;
                    }
                }
                final int length = chunk.getInt((int)(at - chunkStart) + FrameDescriptor.FRAME_LENGTH_OFFSET);
                if (length < 0 || (length > 0 && length < FrameDescriptor.HEADER_LENGTH))
                {
                    return -1; // damaged: nothing after it can be trusted to be a boundary
                }
                // zeros only precede the first frame of a segment where archiving started mid-ring
                final long next = at + (0 == length ? FrameDescriptor.FRAME_ALIGNMENT :
                    FrameDescriptor.alignedLength(length));
                if (next > position)
                {
                    return at;
                }
                at = next;
            }
            return at;
        }
    }

    /** The position of the last time index record at or before {@code position}, or -1 (binary search). */
    static long lastIndexedPositionAtOrBefore(final Path indexFile, final long position) throws IOException
    {
        if (!Files.exists(indexFile))
        {
            return -1;
        }
        final ByteBuffer record = ByteBuffer.allocate(TimeIndexWriter.RECORD_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel index = FileChannel.open(indexFile, StandardOpenOption.READ))
        {
            long low = 0;
            long high = index.size() / TimeIndexWriter.RECORD_LENGTH - 1;
            long found = -1;
            while (low <= high)
            {
                final long mid = (low + high) >>> 1;
                record.clear();
                if (index.read(record, mid * TimeIndexWriter.RECORD_LENGTH) < record.capacity())
                {
                    return found;
                }
                final long recorded = record.getLong(8);
                if (recorded <= position)
                {
                    found = recorded;
                    low = mid + 1;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return found;
        }
        catch (final NoSuchFileException ex)
        {
            return -1;
        }
    }

    /**
     * The position of the first archived message stamped at or after {@code epochNs}, found through the sparse
     * time index and then frame by frame; the archived position when no archived message is that recent.
     * <p>
     * The segment to start in is found by a binary search over the first record of each segment's index, so a
     * lookup opens O(log n) index files and reads one of them whole, however long the archive; if an index is
     * missing, every index is read instead (still correct, only slower).
     */
    public static long positionAtTime(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long epochNs) throws IOException
    {
        final List<Path> segments = SegmentScanner.segmentFiles(topicDir);
        int low = 0;
        int high = segments.size() - 1;
        int candidate = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long firstStamp = firstIndexedTimestamp(topicDir, segments.get(mid));
            if (NO_RECORD == firstStamp)
            {
                return scanForTime(topicDir, segmentLength,
                    lastIndexedBefore(topicDir, segments, firstPosition, archivedPosition, epochNs),
                    archivedPosition, epochNs);
            }
            if (firstStamp < epochNs)
            {
                candidate = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        final long start = candidate < 0 ? firstPosition : lastIndexedBefore(
            topicDir, segments.subList(candidate, candidate + 1), firstPosition, archivedPosition, epochNs);
        return scanForTime(topicDir, segmentLength, start, archivedPosition, epochNs);
    }

    private static final long NO_RECORD = Long.MIN_VALUE;

    private static long firstIndexedTimestamp(final Path topicDir, final Path segment) throws IOException
    {
        final Path index = timeIndexFile(topicDir, SegmentDescriptor.parseBasePosition(segment.getFileName().toString()));
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.READ))
        {
            final ByteBuffer record = ByteBuffer.allocate(TimeIndexWriter.RECORD_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
            while (record.hasRemaining())
            {
                if (channel.read(record, record.position()) < 0)
                {
                    return NO_RECORD;
                }
            }
            return record.getLong(0);
        }
        catch (final NoSuchFileException ex)
        {
            return NO_RECORD;
        }
    }

    /** The last indexed position in these segments stamped before the time, or {@code firstPosition}. */
    private static long lastIndexedBefore(
        final Path topicDir,
        final List<Path> segments,
        final long firstPosition,
        final long archivedPosition,
        final long epochNs) throws IOException
    {
        long start = firstPosition;
        for (final Path file : segments)
        {
            final Path index = timeIndexFile(topicDir,
                SegmentDescriptor.parseBasePosition(file.getFileName().toString()));
            if (!Files.exists(index))
            {
                continue;
            }
            final ByteBuffer records = ByteBuffer.wrap(Files.readAllBytes(index)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + TimeIndexWriter.RECORD_LENGTH <= records.capacity();
                i += TimeIndexWriter.RECORD_LENGTH)
            {
                final long timestamp = records.getLong(i);
                final long position = records.getLong(i + 8);
                if (timestamp < epochNs && position >= firstPosition && position < archivedPosition)
                {
                    start = Math.max(start, position);
                }
            }
        }
        return start;
    }

    private static long scanForTime(
        final Path topicDir, final long segmentLength, final long from, final long archivedPosition, final long epochNs)
        throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        long position = from;
        while (position < archivedPosition)
        {
            final long base = SegmentDescriptor.basePosition(position, segmentLength);
            try (FileChannel channel = FileChannel.open(SegmentDescriptor.file(topicDir, base),
                StandardOpenOption.READ))
            {
                while (position < archivedPosition && position < base + segmentLength)
                {
                    header.clear();
                    if (channel.read(header, position - base) < header.capacity())
                    {
                        return archivedPosition;
                    }
                    final int length = header.getInt(FrameDescriptor.FRAME_LENGTH_OFFSET);
                    if (length <= 0)
                    {
                        return archivedPosition;
                    }
                    if (header.getShort(FrameDescriptor.TYPE_OFFSET) == FrameDescriptor.TYPE_DATA &&
                        header.getLong(FrameDescriptor.TIMESTAMP_OFFSET) >= epochNs)
                    {
                        return position;
                    }
                    position += FrameDescriptor.alignedLength(length);
                }
            }
        }
        return archivedPosition;
    }
}
