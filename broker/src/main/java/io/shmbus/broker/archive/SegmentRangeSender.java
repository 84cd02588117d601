package io.shmbus.broker.archive;

import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrameCheck;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Sends a range of a topic's stream, byte for byte as stored in its segment files (data and padding frames), to a
 * channel with {@link FileChannel#transferTo}: with a socket as the target that is {@code sendfile}, so the bytes
 * go from the page cache to the socket without entering the JVM.
 * <p>
 * Only persisted bytes are sent: below the archived position a segment's bytes never change again, so the kernel
 * can read them while the archiver appends further on. A range that reaches past the archived position waits for
 * the archiver (it follows the ring within one archiving step, well under a millisecond when it keeps up) instead
 * of copying the rest out of the live ring: the output stays identical to the segment files, padding included,
 * and the sender never touches a byte. The wait fails after the stall timeout without progress.
 * <p>
 * Each segment is opened once and held open until {@link #close()}, so retention deleting it mid-send does not
 * cut the replay short (the file lives on while it is open): a {@link SegmentCursor} that holds passed segments.
 * Not thread-safe: one sending thread.
 */
public final class SegmentRangeSender implements AutoCloseable
{
    /** sendfile moves at most 2 GiB - 4 KiB per call on Linux; a smaller step also paces progress reports. */
    static final long MAX_BYTES_PER_CALL = 64L * 1024 * 1024;
    /** How far ahead of what is sent frame headers are checked. */
    private static final long CHECK_STEP = 1024 * 1024;

    /** Told about progress after every transfer call. */
    @FunctionalInterface
    public interface Progress
    {
        void sent(long position, long end);
    }

    private final Path topicDir;
    private final LongSupplier archivedPosition;
    private final long stallTimeoutNs;
    private final SegmentCursor segments;
    private final StoredFrameWalk walk = new StoredFrameWalk(StoredFrameCheck.MAX_FRAME_LENGTH);

    /**
     * @param topicDir         the topic's directory of segment files.
     * @param archivedPosition the position up to which the segments are complete (the archiver's counter);
     *                         read from the sending thread.
     * @param stallTimeoutNs   how long to wait for the archive to move on before giving up.
     */
    public SegmentRangeSender(final Path topicDir, final LongSupplier archivedPosition, final long stallTimeoutNs)
    {
        this.topicDir = topicDir;
        this.archivedPosition = archivedPosition;
        this.stallTimeoutNs = stallTimeoutNs;
        this.segments = new SegmentCursor(topicDir, SegmentCursor.SEGMENT_LENGTH_UNKNOWN, true);
    }

    /**
     * Sends the stream from {@code from} up to {@code end}, both frame starts (use
     * {@link #frameBoundaryAtOrAfter} for any other end). Frame headers are checked ({@link StoredFrameWalk}) an
     * archiving step ahead of what is sent, so a damaged frame is never sent: the frames before it are.
     *
     * @return the position after the last byte sent, {@code end}.
     * @throws IOException                  when the target fails (the peer closed, disk full).
     * @throws PositionUnavailableException when part of the range is no longer in the archive.
     * @throws DamagedStorageException      at a damaged frame or a truncated segment, once everything before it is
     *                                      sent.
     * @throws ShmbusException              when the archive stops short of {@code end} for the stall timeout.
     */
    public long send(final long from, final long end, final WritableByteChannel target, final Progress progress)
        throws IOException
    {
        if (!segments.openFrom(from))
        {
            throw new PositionUnavailableException("position " + from + " is no longer in the archive " + topicDir);
        }
        long position = from;
        long checkedTo = from;
        while (position < end)
        {
            final long available = Math.min(end, awaitArchived(position, end));
            moveTo(position);
            if (position == checkedTo)
            {
                checkedTo = checkFrames(position, available);
            }
            final long sent = segments.transferTo(position, Math.min(checkedTo, position + MAX_BYTES_PER_CALL),
                target);
            if (sent <= 0)
            {
                throw new IOException("the target accepted no bytes at position " + position);
            }
            position += sent;
            if (null != progress)
            {
                progress.sent(position, end);
            }
        }
        return position;
    }

    /**
     * Checks the frame headers from {@code from} (a frame start in the current segment) up to an archiving step,
     * {@code available} or the segment's end.
     *
     * @return the end of the last sound frame checked.
     * @throws DamagedStorageException when the first frame checked is damaged.
     */
    private long checkFrames(final long from, final long available) throws IOException
    {
        final long base = segments.base();
        final FileChannel channel = segments.channel();
        walk.start(channel, base, from, Math.min(available, base + channel.size()));
        while (walk.position() < from + CHECK_STEP && walk.hasFrame())
        {
            walk.next();
        }
        if (walk.position() == from && null != walk.problem())
        {
            throw damaged(base, from, walk.problem());
        }
        return walk.position();
    }

    private DamagedStorageException damaged(final long base, final long position, final String reason)
    {
        return new DamagedStorageException(topicDir.getFileName().toString(), SegmentDescriptor.file(topicDir, base),
            position, reason);
    }

    /** Waits until the archive holds more than {@code position}; returns the archived position. */
    private long awaitArchived(final long position, final long end)
    {
        long archived = archivedPosition.getAsLong();
        long lastProgressNs = System.nanoTime();
        long lastArchived = archived;
        while (archived <= position)
        {
            LockSupport.parkNanos(1_000_000);
            archived = archivedPosition.getAsLong();
            if (archived != lastArchived)
            {
                lastArchived = archived;
                lastProgressNs = System.nanoTime();
            }
            else if (System.nanoTime() - lastProgressNs > stallTimeoutNs)
            {
                throw new ShmbusException("the archive in " + topicDir + " stayed at position " + archived +
                    " for " + stallTimeoutNs / 1_000_000_000L + " s, short of the end of the replay (" + end +
                    "); is the topic still archived? (see: shmbus stat)");
            }
        }
        return archived;
    }

    /**
     * The end of the frame that holds {@code to}, so a range ends with a whole frame: {@code to} itself when a frame
     * starts there. Waits for the archive to cover it. Walks frame headers from the last time-index record at or
     * before {@code to} (at most an archiving step, 1 MiB, away), else from the nearer of {@code from} and the start
     * of {@code to}'s segment (frames never straddle segments, so every segment but the first starts with one).
     *
     * @param from a frame start at or before {@code to}.
     * @throws DamagedStorageException when a damaged frame lies before {@code to}.
     */
    public long frameBoundaryAtOrAfter(final long from, final long to) throws IOException
    {
        if (to <= from)
        {
            return from;
        }
        final long archived = awaitArchived(to - 1, to);
        segments.openFrom(from);
        moveTo(to - 1);
        final long base = segments.base();
        final FileChannel channel = segments.channel();
        final long start = Math.max(from, base);
        final long indexed = indexedFrameStart(base, to);
        walk.start(channel, base, Math.max(start, indexed), Math.min(archived, base + channel.size()));
        if (indexed > start && !walk.hasFrame())
        {
            walk.start(channel, base, start, Math.min(archived, base + channel.size())); // a damaged index
        }
        while (walk.position() < to && walk.hasFrame())
        {
            walk.next();
        }
        if (walk.position() < to)
        {
            throw damaged(base, walk.position(), null != walk.problem() ? walk.problem() :
                "the archive ends at position " + walk.position() + " inside the range");
        }
        return walk.position();
    }

    /** The last position in the segment's time index at or before {@code to}, a frame start; -1 when none. */
    private long indexedFrameStart(final long base, final long to)
    {
        try
        {
            return ArchiveFiles.lastIndexedPositionAtOrBefore(ArchiveFiles.timeIndexFile(topicDir, base), to);
        }
        catch (final IOException ex)
        {
            return -1; // the index is only a shortcut
        }
    }

    private void moveTo(final long position) throws IOException
    {
        try
        {
            segments.moveTo(position);
        }
        catch (final NoSuchFileException ex)
        {
            throw new PositionUnavailableException("position " + position + " is missing from the archive " +
                topicDir + " (" + ex.getMessage() + ")");
        }
        catch (final SegmentCursor.SegmentTruncatedException ex)
        {
            throw damaged(ex.base(), position, ex.getMessage());
        }
    }

    public void close()
    {
        segments.close();
    }
}
