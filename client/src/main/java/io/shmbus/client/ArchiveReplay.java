package io.shmbus.client;

import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrameCheck;
import io.shmbus.client.log.TopicLog;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Reads archived frames from a topic's segment files (mapped read-only, delivered in place), for a consumer that
 * is not in the ring: either the first phase of a consumer that starts before the ring, reading positions
 * {@code [from, to)} after which it continues in the live ring at {@code to}, where the broker registered it; or a
 * detached consumer (slow-consumer policy "archive") that reads up to the archived position as the archive grows,
 * until it can rejoin the ring. No gap, no duplicate.
 * <p>
 * Not thread-safe: used by its consumer's polling thread only.
 */
final class ArchiveReplay implements AutoCloseable
{
    private final Path topicDir;
    private final TopicLog following;
    private long end;
    private long[] bases;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private MappedByteBuffer mapped;
    private long mappedBase;
    private long mappedLimit;
    private long position;

    /** Reads {@code [from, to)}. */
    ArchiveReplay(final Path topicDir, final long from, final long to)
    {
        this(topicDir, from, to, null);
    }

    /** Reads from {@code from} up to the archived position published in {@code log}, as it grows. */
    ArchiveReplay(final Path topicDir, final long from, final TopicLog log)
    {
        this(topicDir, from, log.archivedPositionVolatile(), log);
    }

    private ArchiveReplay(final Path topicDir, final long from, final long to, final TopicLog following)
    {
        this.topicDir = topicDir;
        this.position = from;
        this.end = to;
        this.following = following;
        this.bases = listSegments();
    }

    private long[] listSegments()
    {
        try (Stream<Path> files = Files.list(topicDir))
        {
            return files.mapToLong(p -> SegmentDescriptor.parseBasePosition(p.getFileName().toString()))
                .filter(base -> base >= 0).sorted().toArray();
        }
        catch (final IOException ex)
        {
            throw new PositionUnavailableException("cannot read the archive in " + topicDir + ": " + ex.getMessage());
        }
    }

    /** True when every frame below the end (for a detached consumer: the archived position now) is delivered. */
    boolean isDone()
    {
        if (null != following && position >= end)
        {
            end = following.archivedPositionVolatile();
        }
        return position >= end;
    }

    /** True for a detached consumer, which rejoins the ring when done rather than at a fixed position. */
    boolean isFollowing()
    {
        return null != following;
    }

    long position()
    {
        return position;
    }

    /**
     * Delivers up to {@code limit} archived messages.
     *
     * @return the number delivered.
     * @throws PositionUnavailableException when the archive is missing a segment (retention).
     * @throws DamagedStorageException      at a damaged frame or a truncated segment: the frames before it were
     *                                      delivered, nothing after it is.
     */
    int poll(final FragmentHandler handler, final int limit, final Header header)
    {
        if (null != following)
        {
            end = following.archivedPositionVolatile();
        }
        int fragments = 0;
        while (fragments < limit && position < end)
        {
            final int at = frameAt(position);
            final int frameLength = buffer.getInt(at + FRAME_LENGTH_OFFSET);
            position += alignedLength(frameLength);
            if (TYPE_DATA == buffer.getShort(at + TYPE_OFFSET))
            {
                ++fragments;
                handler.onFragment(buffer, at + HEADER_LENGTH, frameLength - HEADER_LENGTH, header.wrap(buffer, at));
            }
        }
        return fragments;
    }

    /**
     * As {@link #poll} with a controlled handler.
     *
     * @param commitSlots the named consumer's slots, where a {@code COMMIT} of the handler is acknowledged (in
     *                    {@code commitSlot}) at once; null for an anonymous consumer.
     */
    int controlledPoll(
        final ControlledFragmentHandler handler, final int limit, final Header header,
        final ConsumerSlots commitSlots, final int commitSlot)
    {
        if (null != following)
        {
            end = following.archivedPositionVolatile();
        }
        int fragments = 0;
        while (fragments < limit && position < end)
        {
            final int at = frameAt(position);
            final int frameLength = buffer.getInt(at + FRAME_LENGTH_OFFSET);
            final long next = position + alignedLength(frameLength);
            if (TYPE_DATA != buffer.getShort(at + TYPE_OFFSET))
            {
                position = next;
                continue;
            }
            final ControlledFragmentHandler.Action action = handler.onFragment(
                buffer, at + HEADER_LENGTH, frameLength - HEADER_LENGTH, header.wrap(buffer, at));
            if (ControlledFragmentHandler.Action.ABORT == action)
            {
                break;
            }
            ++fragments;
            position = next;
            if (ControlledFragmentHandler.Action.BREAK == action)
            {
                break;
            }
            if (ControlledFragmentHandler.Action.COMMIT == action && null != commitSlots)
            {
                commitSlots.committedPositionRelease(commitSlot, position);
            }
        }
        return fragments;
    }

    /**
     * Maps the frame at {@code position} and checks its header ({@link StoredFrameCheck}) against what the mapping
     * and the archived range hold: a damaged or truncated frame is reported, never delivered or skipped.
     *
     * @return its offset in the mapped buffer.
     * @throws DamagedStorageException when the frame is damaged or the segment ends before it.
     */
    private int frameAt(final long position)
    {
        if (null == mapped || position + HEADER_LENGTH > mappedLimit || position < mappedBase)
        {
            map(position);
        }
        int at = (int)(position - mappedBase);
        String problem = StoredFrameCheck.problem(buffer, at, position, Math.min(end, mappedLimit) - position,
            StoredFrameCheck.MAX_FRAME_LENGTH);
        if (null != problem && mappedLimit < end)
        {
            // The segment grew since it was mapped, and its size can be read in the middle of the archiver's write
            // (the kernel raises it page by page), so a mapping may end inside a frame below the archived position.
            map(position);
            at = (int)(position - mappedBase);
            problem = StoredFrameCheck.problem(buffer, at, position, Math.min(end, mappedLimit) - position,
                StoredFrameCheck.MAX_FRAME_LENGTH);
        }
        if (null != problem)
        {
            throw new DamagedStorageException(topicDir.getFileName().toString(), segmentFile(mappedBase), position,
                problem);
        }
        return at;
    }

    private Path segmentFile(final long base)
    {
        return topicDir.resolve(SegmentDescriptor.fileName(base));
    }

    private void map(final long position)
    {
        unmap();
        if (null != following && 0 == bases.length)
        {
            bases = listSegments();
        }
        if (!mapSegmentHolding(position) && null != following)
        {
            bases = listSegments(); // past the newest segment we knew of: the archiver has started another
            if (mapSegmentHolding(position))
            {
                return;
            }
        }
        if (null == mapped)
        {
            final int index = Arrays.binarySearch(bases, position);
            final int segment = index >= 0 ? index : -index - 2;
            final Path file = segmentFile(bases[segment]);
            long size = -1;
            try
            {
                size = Files.size(file);
            }
            catch (final IOException ignore)
            {
                // reported as missing below
            }
            if (size >= 0)
            {
                // every position below the end is archived: a segment that stops short of it lost its bytes
                throw new DamagedStorageException(topicDir.getFileName().toString(), file, position,
                    "the segment ends at position " + (bases[segment] + size) + ", before position " + position +
                    " that the archive holds (truncated)");
            }
            throw new PositionUnavailableException("position " + position + " is missing from the archive " +
                topicDir);
        }
    }

    /**
     * Maps the segment that holds {@code position} as far as it is written now.
     *
     * @return false when the position is past the newest known segment's end.
     */
    private boolean mapSegmentHolding(final long position)
    {
        final int index = Arrays.binarySearch(bases, position);
        final int segment = index >= 0 ? index : -index - 2;
        if (segment < 0)
        {
            throw new PositionUnavailableException("position " + position + " is no longer in the archive " +
                topicDir + " (deleted by retention)");
        }
        final Path file = topicDir.resolve(SegmentDescriptor.fileName(bases[segment]));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (position - bases[segment] >= size)
            {
                return false;
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            mappedBase = bases[segment];
            mappedLimit = mappedBase + size;
            buffer.wrap(mapped, 0, (int)size);
            return true;
        }
        catch (final IOException ex)
        {
            throw new PositionUnavailableException("position " + position + " is no longer available in " +
                topicDir + ": " + ex.getMessage());
        }
    }

    private void unmap()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
            mapped = null;
        }
    }

    public void close()
    {
        unmap();
    }
}
