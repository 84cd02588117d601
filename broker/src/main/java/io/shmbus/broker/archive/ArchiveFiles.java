package io.shmbus.broker.archive;

import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.StoredFrameCheck;
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
    private ArchiveFiles()
    {
    }

    /** The time index file beside a segment. */
    public static Path timeIndexFile(final Path topicDir, final long basePosition)
    {
        return TimeIndexWriter.file(topicDir, basePosition);
    }

    /**
     * True when a frame boundary of the archive is exactly at {@code position}, reached through sound frames by
     * walking frame headers from a known frame start: the last time index record at or before the position in its
     * segment, else the start of the segment (or the first archived position). The archived position itself counts
     * as a frame start. The frame at the position is not checked: an end position only needs the frames before it.
     *
     * @throws NoSuchFileException      when the segment was deleted (by retention) meanwhile.
     * @throws DamagedStorageException when the walk meets a damaged frame before the position, or the segment ends
     *                                  before it.
     */
    public static boolean isFrameStart(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position) throws IOException
    {
        return walkTo(topicDir, segmentLength, firstPosition, archivedPosition, position, false);
    }

    /**
     * As {@link #isFrameStart}, for a position to start reading at: the frame there must be sound too.
     *
     * @throws DamagedStorageException when the frame at the position, or one before it in the walk, is damaged.
     */
    public static boolean isSoundFrameStart(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position) throws IOException
    {
        return walkTo(topicDir, segmentLength, firstPosition, archivedPosition, position, true);
    }

    private static boolean walkTo(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position,
        final boolean checkFrameAt) throws IOException
    {
        return (position & (FrameDescriptor.FRAME_ALIGNMENT - 1)) == 0 && position ==
            lastStart(topicDir, segmentLength, firstPosition, archivedPosition, position, checkFrameAt);
    }

    /**
     * The last frame start at or before {@code position} in {@code [firstPosition, archivedPosition]}, walked
     * through sound frames from a known frame start as {@link #isFrameStart} walks: where a bounded replay whose
     * end falls inside a frame stops. The archived position itself counts as a frame start; a damaged frame that
     * starts exactly at the position does not matter (nothing of it is needed).
     *
     * @return the frame start, or -1 when the position is outside the archived range.
     * @throws NoSuchFileException      when the segment was deleted (by retention) meanwhile.
     * @throws DamagedStorageException when a damaged frame starts before the position, or the segment ends
     *                                  before it.
     */
    public static long lastFrameStartAtOrBefore(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position) throws IOException
    {
        return lastStart(topicDir, segmentLength, firstPosition, archivedPosition, position, false);
    }

    /**
     * The one walk of these lookups: from the last time index record at or before the position in its segment
     * (else the segment's start), through sound frames, to the last frame start at or before the position.
     *
     * @param soundAt the frame at the position itself must be sound too.
     */
    private static long lastStart(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long archivedPosition,
        final long position,
        final boolean soundAt) throws IOException
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
        final long segmentStart = Math.max(base, firstPosition);
        final long from = Math.max(segmentStart,
            lastIndexedPositionAtOrBefore(timeIndexFile(topicDir, base), position));
        final Path file = SegmentDescriptor.file(topicDir, base);
        try (FileChannel segment = FileChannel.open(file, StandardOpenOption.READ))
        {
            final StoredFrameWalk walk = WALKS.get();
            startWalk(walk, segment, base, from, segmentStart, Math.min(archivedPosition, base + segmentLength));
            long last = walk.position();
            while (walk.hasFrame())
            {
                walk.next();
                if (walk.position() > position)
                {
                    return last;
                }
                last = walk.position();
            }
            // the walk stopped at `last`: a damaged frame (problem set) or the end of the data
            if (null != walk.problem() && (last < position || (soundAt && last == position)))
            {
                throw new DamagedStorageException(topicDir.getFileName().toString(), file, last, walk.problem());
            }
            return last;
        }
    }

    /** Walks the frames of this thread: each call opens its files but reuses the read buffer. */
    private static final ThreadLocal<StoredFrameWalk> WALKS =
        ThreadLocal.withInitial(() -> new StoredFrameWalk(StoredFrameCheck.MAX_FRAME_LENGTH));

    /**
     * Starts a walk at {@code from}, a frame start by the time index; at {@code segmentStart} instead when no sound
     * frame is there (a damaged index must cost a longer walk, never a wrong answer).
     */
    private static void startWalk(
        final StoredFrameWalk walk,
        final FileChannel segment,
        final long base,
        final long from,
        final long segmentStart,
        final long end) throws IOException
    {
        walk.start(segment, base, from, end);
        if (from > segmentStart && !walk.hasFrame() && null != walk.problem())
        {
            walk.start(segment, base, segmentStart, end);
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
     *
     * @throws DamagedStorageException when a damaged frame lies between the start of the walk and the answer.
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
                return scanForTime(topicDir, segmentLength, firstPosition,
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
        return scanForTime(topicDir, segmentLength, firstPosition, start, archivedPosition, epochNs);
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

    /**
     * The first data frame stamped at or after {@code epochNs}, walked from {@code from}; the archived position when
     * every frame up to it is older.
     *
     * @throws DamagedStorageException when a damaged frame comes first: the frames after it cannot be reached.
     */
    private static long scanForTime(
        final Path topicDir,
        final long segmentLength,
        final long firstPosition,
        final long from,
        final long archivedPosition,
        final long epochNs) throws IOException
    {
        final StoredFrameWalk walk = WALKS.get();
        long position = from;
        while (position < archivedPosition)
        {
            final long base = SegmentDescriptor.basePosition(position, segmentLength);
            final Path file = SegmentDescriptor.file(topicDir, base);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                startWalk(walk, channel, base, position, Math.max(base, firstPosition),
                    Math.min(archivedPosition, base + segmentLength));
                while (walk.hasFrame())
                {
                    if (FrameDescriptor.TYPE_DATA == walk.type() && walk.timestamp() >= epochNs)
                    {
                        return walk.position();
                    }
                    walk.next();
                }
                if (null != walk.problem())
                {
                    throw new DamagedStorageException(topicDir.getFileName().toString(), file, walk.position(),
                        walk.problem() + " (while looking for the first message at or after a time)");
                }
                position = walk.position();
            }
        }
        return archivedPosition;
    }
}
