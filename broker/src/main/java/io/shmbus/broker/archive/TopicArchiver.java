package io.shmbus.broker.archive;

import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a persistent topic's committed frames from its shared-memory ring into segment files, with an in-kernel
 * copy ({@link FileChannel#transferTo}) from the shm file to the segment file: the frames never pass through the
 * JVM. The archiver holds a consumer slot in the topic log, so producers never overwrite what it has not archived.
 * <p>
 * Owned by the broker's conductor thread. Recovery of existing segments (torn tails, corruption) is not handled
 * yet: an archiver starts at the ring's earliest position in a fresh topic directory.
 */
public final class TopicArchiver implements AutoCloseable
{
    private static final long MAX_BYTES_PER_STEP = 1024 * 1024;

    private final TopicLog log;
    private final ConsumerSlots slots;
    private final Path topicDir;
    private final long segmentLength;
    private final AtomicCounter archivedCounter;
    private final FileChannel ringChannel;
    private final int slot;
    private long archivedPosition;
    private long segmentBase;
    private FileChannel segment;

    public TopicArchiver(
        final TopicLog log,
        final Path dataDir,
        final long configuredSegmentLength,
        final long resumePosition,
        final AtomicCounter archivedCounter,
        final java.io.PrintStream out)
    {
        this.log = log;
        this.slots = new ConsumerSlots(log);
        this.topicDir = dataDir.resolve(log.topic());
        this.segmentLength = SegmentDescriptor.segmentLengthFor(configuredSegmentLength, log.capacity());
        this.archivedCounter = archivedCounter;
        try
        {
            Files.createDirectories(topicDir);
            this.ringChannel = FileChannel.open(log.file(), StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot archive topic '" + log.topic() + "' into " + topicDir + ": " + ex, ex);
        }
        this.slot = slots.reserve();
        final long pid = ProcessHandle.current().pid();
        if (resumePosition < 0)
        {
            this.archivedPosition = slots.activate(slot, StartPosition.EARLIEST, pid);
        }
        else if (resumePosition > log.tailVolatile())
        {
            slots.release(slot);
            CloseHelper.quietClose(ringChannel);
            throw new ShmbusException("topic '" + log.topic() + "': the archive in " + topicDir + " ends at position " +
                resumePosition + " but the shared-memory log " + log.file() + " only reaches " + log.tailVolatile() +
                ": the log belongs to another history; stop its users and delete it so the broker recreates it");
        }
        else if (resumePosition < log.earliestPosition())
        {
            this.archivedPosition = slots.activate(slot, StartPosition.EARLIEST, pid);
            out.println("shmbus broker: topic '" + log.topic() + "': positions " + resumePosition + " to " +
                archivedPosition + " were overwritten in the ring before they could be archived (GAP)");
        }
        else
        {
            this.archivedPosition = slots.activate(slot, StartPosition.at(resumePosition), pid);
        }
        archivedCounter.setRelease(archivedPosition);
        openSegment(SegmentDescriptor.basePosition(archivedPosition, segmentLength));
    }

    /**
     * Checks a topic's existing segments before archiving resumes: a torn tail (a frame only partly written when
     * the broker died) is cut off, and the position to resume from is returned.
     *
     * @return the end of the sound archive, or -1 when there is none.
     * @throws ShmbusException when a segment is corrupt before its end: the topic is not archived until it is
     *                         repaired, and nothing is cut.
     */
    public static long recover(final Path topicDir, final java.io.PrintStream out)
    {
        try
        {
            final SegmentScanner.Result result = new SegmentScanner().scan(topicDir, null);
            if (result.isEmpty())
            {
                return -1;
            }
            if (null != result.problem)
            {
                if (!result.tornTail)
                {
                    throw new ShmbusException("segment " + result.problemFile + " is corrupt at position " +
                        result.problemPosition + ": " + result.problem + "; everything before it is sound. The " +
                        "topic is not archived until this is repaired (see: shmbus verify " + topicDir + ")");
                }
                final long base = SegmentDescriptor.parseBasePosition(result.problemFile.getFileName().toString());
                final long size = Files.size(result.problemFile);
                try (FileChannel channel = FileChannel.open(result.problemFile, StandardOpenOption.WRITE))
                {
                    channel.truncate(result.problemPosition - base);
                }
                out.println("shmbus broker: cut a torn tail of " + (size - (result.problemPosition - base)) +
                    " bytes at position " + result.problemPosition + " from " + result.problemFile + " (" +
                    result.problem + ")");
            }
            return result.endPosition;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot read the archive in " + topicDir + ": " + ex.getMessage(), ex);
        }
    }

    /** The position up to which every frame is in the segment files. */
    public long archivedPosition()
    {
        return archivedPosition;
    }

    public long segmentLength()
    {
        return segmentLength;
    }

    public Path topicDir()
    {
        return topicDir;
    }

    /**
     * Archives the committed frames past the archived position, at most 1 MiB and never across a segment end.
     *
     * @return 1 if it archived anything.
     */
    public int doWork()
    {
        final long tail = log.tailVolatile();
        if (archivedPosition >= tail)
        {
            return 0;
        }
        final long segmentEnd = segmentBase + segmentLength;
        final long bound = Math.min(Math.min(tail, archivedPosition + MAX_BYTES_PER_STEP), segmentEnd);
        final long end = committedUpTo(archivedPosition, bound);
        if (end == archivedPosition)
        {
            return 0;
        }
        copy(archivedPosition, end);
        archivedPosition = end;
        slots.positionRelease(slot, end);
        archivedCounter.setRelease(end);
        if (end == segmentEnd)
        {
            openSegment(segmentEnd);
        }
        return 1;
    }

    private long committedUpTo(final long from, final long bound)
    {
        final UnsafeBuffer ring = log.ring();
        final int mask = log.mask();
        long position = from;
        while (position < bound)
        {
            final int length = ring.getIntVolatile(((int)position & mask) + FrameDescriptor.FRAME_LENGTH_OFFSET);
            if (length <= 0)
            {
                break;
            }
            final long next = position + FrameDescriptor.alignedLength(length);
            if (next > bound)
            {
                break;
            }
            position = next;
        }
        return position;
    }

    private void copy(final long from, final long to)
    {
        final int capacity = log.capacity();
        final int mask = log.mask();
        try
        {
            segment.position(from - segmentBase);
            long position = from;
            while (position < to)
            {
                final int ringOffset = (int)position & mask;
                final long chunk = Math.min(to - position, capacity - ringOffset);
                long done = 0;
                while (done < chunk)
                {
                    final long n = ringChannel.transferTo(
                        LogDescriptor.META_DATA_LENGTH + ringOffset + done, chunk - done, segment);
                    if (n <= 0)
                    {
                        throw new IOException("transferTo made no progress at position " + (position + done));
                    }
                    done += n;
                }
                position += chunk;
            }
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("archiving topic '" + log.topic() + "' failed at position " + from + " in " +
                SegmentDescriptor.file(topicDir, segmentBase) + ": " + ex.getMessage(), ex);
        }
    }

    private void openSegment(final long basePosition)
    {
        CloseHelper.quietClose(segment);
        try
        {
            segment = FileChannel.open(SegmentDescriptor.file(topicDir, basePosition),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            segmentBase = basePosition;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot open segment " + SegmentDescriptor.file(topicDir, basePosition) +
                ": " + ex.getMessage(), ex);
        }
    }

    public void close()
    {
        CloseHelper.quietClose(segment);
        CloseHelper.quietClose(ringChannel);
        if (!log.isClosed())
        {
            slots.release(slot);
        }
    }
}
