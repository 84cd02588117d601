package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;

import io.shmbus.broker.config.TopicConfig;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.TopicLog;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a persistent topic's committed frames from its shared-memory ring into segment files, at most 1 MiB a step
 * and never across a segment end, with one positional write from a view of the ring's mapping (the kernel copies
 * from the mapped shm pages into the segment's page cache); applies durability and retention, and writes the time
 * index, as it goes. It holds a consumer slot in the topic log, so producers never overwrite what it has not
 * archived; a write failure pauses it and it retries every second. At broker start {@link #recover} checks the
 * newest segment with {@link SegmentScanner} and cuts a torn tail; the archiver resumes where the archive ends.
 * <p>
 * Conductor thread only.
 */
public final class TopicArchiver implements AutoCloseable
{
    private static final long MAX_BYTES_PER_STEP = 1024 * 1024;

    /** Sparse time index beside each segment: records of (long timestamp ns, long position), little-endian. */
    public static final String TIME_INDEX_SUFFIX = ".tix";
    public static final int TIME_INDEX_RECORD_LENGTH = 16;

    /** Counter type id of the archiver's counters (the broker's topic counters use 2). */
    public static final int COUNTER_TYPE = 3;
    private static final long RETENTION_CHECK_INTERVAL_NS = 1_000_000_000L;

    private final TopicLog log;
    private ConsumerSlots slots;
    private final java.io.PrintStream out;
    private final long durability;
    private final long retentionBytes;
    private final long retentionAgeNs;
    private final AtomicCounter archivedCounter;
    private final AtomicCounter syncCounter;
    private final AtomicCounter deletedCounter;
    private Path topicDir;
    private long segmentLength;
    /** A view of the ring's mapping (independent position and limit), the source of every copy. */
    private final java.nio.ByteBuffer ringView;
    private int slot;
    private static final long RETRY_INTERVAL_NS = 1_000_000_000L;
    private final AtomicCounter errorCounter;
    private long retryAtNs;
    private long firstPosition;
    private long lastSyncNs = System.nanoTime();
    private long nextRetentionCheckNs;
    private boolean dirty;
    private long archivedPosition;
    private long segmentBase;
    private FileChannel segment;
    private FileChannel timeIndex;
    private final java.nio.ByteBuffer indexRecord =
        java.nio.ByteBuffer.allocate(TIME_INDEX_RECORD_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN);

    public TopicArchiver(
        final TopicLog log,
        final Path dataDir,
        final long configuredSegmentLength,
        final long resumePosition,
        final TopicConfig config,
        final CountersManager counters,
        final java.io.PrintStream out)
    {
        this.log = log;
        this.ringView = log.newRingView();
        this.out = out;
        this.durability = config.durability();
        this.retentionBytes = config.retentionBytes();
        this.retentionAgeNs = config.retentionAgeNs();
        final String topic = log.topic();
        this.archivedCounter = counters.newCounter("topic " + topic + ": archived position", COUNTER_TYPE);
        this.syncCounter = counters.newCounter("topic " + topic + ": segment syncs", COUNTER_TYPE);
        this.deletedCounter = counters.newCounter("topic " + topic + ": segments deleted by retention",
            COUNTER_TYPE);
        this.errorCounter = counters.newCounter("topic " + topic + ": archive errors", COUNTER_TYPE);
        try
        {
            start(dataDir, configuredSegmentLength, resumePosition);
        }
        catch (final RuntimeException ex)
        {
            archivedCounter.close();
            syncCounter.close();
            deletedCounter.close();
            errorCounter.close();
            throw ex;
        }
    }

    private void start(final Path dataDir, final long configuredSegmentLength, final long resumePosition)
    {
        this.slots = new ConsumerSlots(log);
        this.topicDir = dataDir.resolve(log.topic());
        this.segmentLength = SegmentDescriptor.segmentLengthFor(configuredSegmentLength, log.capacity());
        try
        {
            if (!Files.isDirectory(dataDir))
            {
                // a data directory the broker creates is private (0700): segments hold every message
                io.shmbus.client.ShmDirectory.ensureDirectory(dataDir, io.shmbus.client.ShmDirectory.PRIVATE_DIR);
            }
            Files.createDirectories(topicDir);
        }
        catch (final ShmbusException ex)
        {
            throw new ShmbusException("cannot archive topic '" + log.topic() + "' into " + topicDir + ": " +
                ex.getMessage(), ex);
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
        log.archivedPositionRelease(archivedPosition);
        openSegment(SegmentDescriptor.basePosition(archivedPosition, segmentLength));
        firstPosition = findFirstPosition();
    }

    /**
     * Checks a topic's newest segment before archiving resumes (older ones are complete and were checked when
     * they were written; {@code shmbus verify} checks them all): a torn tail (a frame only partly written when the
     * broker died) is cut off, and the position to resume from is returned.
     *
     * @return the end of the sound archive, or -1 when there is none.
     * @throws ShmbusException when a segment is corrupt before its end: the topic is not archived until it is
     *                         repaired, and nothing is cut.
     */
    public static long recover(final Path topicDir, final java.io.PrintStream out)
    {
        try
        {
            final SegmentScanner.Result result = new SegmentScanner().scanNewest(topicDir);
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

    private long findFirstPosition()
    {
        try
        {
            final java.util.List<Path> files = SegmentScanner.segmentFiles(topicDir);
            if (files.isEmpty())
            {
                return archivedPosition;
            }
            final Path first = files.get(0);
            final long base = SegmentDescriptor.parseBasePosition(first.getFileName().toString());
            try (FileChannel channel = FileChannel.open(first, StandardOpenOption.READ))
            {
                return Math.min(archivedPosition, base + SegmentScanner.firstFrameOffset(channel));
            }
        }
        catch (final IOException ex)
        {
            return archivedPosition;
        }
    }

    /** The oldest position still in the archive (retention moves it forward). */
    public long firstPosition()
    {
        return firstPosition;
    }

    /** True when a frame of the archive starts exactly at {@code position} (walked from a known frame start). */
    public boolean isFrameStart(final long position)
    {
        if (position < firstPosition || position >= archivedPosition)
        {
            return false;
        }
        try
        {
            return ArchiveFiles.isFrameStart(topicDir, segmentLength, firstPosition, archivedPosition, position);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** The position up to which every frame is in the segment files. */
    public long archivedPosition()
    {
        return archivedPosition;
    }

    /** The consumer slot through which this archiver holds producers back. */
    public int slot()
    {
        return slot;
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
        if (retryAtNs != 0)
        {
            if (System.nanoTime() - retryAtNs < 0)
            {
                return 0;
            }
        }
        try
        {
            final long from = archivedPosition;
            final int work = archiveStep();
            if (retryAtNs != 0)
            {
                retryAtNs = 0;
                out.println("shmbus broker: topic '" + log.topic() + "': archiving resumed at position " + from);
            }
            return work;
        }
        catch (final ShmbusException ex)
        {
            // Never lose a frame and never crash: producers stay held by this archiver's slot while it retries.
            errorCounter.increment();
            if (0 == retryAtNs)
            {
                out.println("shmbus broker: topic '" + log.topic() + "': archiving paused at position " +
                    archivedPosition + ": " + ex.getMessage() + "; producers are held back until it can go on; " +
                    "retrying every second");
            }
            retryAtNs = System.nanoTime() + RETRY_INTERVAL_NS;
            return 0;
        }
    }

    private int archiveStep()
    {
        if (null == segment || archivedPosition >= segmentBase + segmentLength)
        {
            openSegment(SegmentDescriptor.basePosition(archivedPosition, segmentLength));
        }
        final long tail = log.tailVolatile();
        if (archivedPosition >= tail)
        {
            return housekeeping();
        }
        final long segmentEnd = segmentBase + segmentLength;
        final long bound = Math.min(Math.min(tail, archivedPosition + MAX_BYTES_PER_STEP), segmentEnd);
        final long end = log.walkCommitted(archivedPosition, bound);
        if (end == archivedPosition)
        {
            return 0;
        }
        indexTime(archivedPosition);
        copy(archivedPosition, end);
        dirty = true;
        archivedPosition = end;
        slots.positionRelease(slot, end);
        archivedCounter.setRelease(end);
        log.archivedPositionRelease(end); // consumers reading the archive may now read up to here
        if (end == segmentEnd)
        {
            if (durability != TopicConfig.DURABILITY_NONE)
            {
                sync();
            }
            openSegment(segmentEnd);
            applyRetention();
        }
        return 1 + housekeeping();
    }

    /** One index record per archiving step (at most 1 MiB apart): the time of the step's first message. */
    private void indexTime(final long position)
    {
        final int frameOffset = (int)position & log.mask();
        if (log.ring().getShort(frameOffset + io.shmbus.client.log.FrameDescriptor.TYPE_OFFSET) !=
            io.shmbus.client.log.FrameDescriptor.TYPE_DATA)
        {
            return;
        }
        final long timestamp = log.ring().getLong(frameOffset + io.shmbus.client.log.FrameDescriptor.TIMESTAMP_OFFSET);
        indexRecord.clear();
        indexRecord.putLong(0, timestamp).putLong(8, position);
        try
        {
            while (indexRecord.hasRemaining())
            {
                timeIndex.write(indexRecord);
            }
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot write the time index of " + SegmentDescriptor.file(topicDir,
                segmentBase) + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The position of the first archived message stamped at or after {@code epochNs}, found through the sparse
     * time index and then frame by frame; the archived position when no archived message is that recent.
     */
    public long positionAtTime(final long epochNs)
    {
        try
        {
            return ArchiveFiles.positionAtTime(topicDir, segmentLength, firstPosition, archivedPosition, epochNs);
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot search the archive of '" + log.topic() + "' by time: " +
                ex.getMessage(), ex);
        }
    }

    private int housekeeping()
    {
        final long nowNs = System.nanoTime();
        int work = 0;
        if (dirty && durability > 0 && nowNs - lastSyncNs >= durability)
        {
            sync();
            work++;
        }
        if (nowNs - nextRetentionCheckNs >= 0)
        {
            nextRetentionCheckNs = nowNs + RETENTION_CHECK_INTERVAL_NS;
            work += applyRetention();
        }
        return work;
    }

    private void sync()
    {
        if (null == segment)
        {
            return;
        }
        try
        {
            segment.force(true);
            syncCounter.increment();
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("fsync of " + SegmentDescriptor.file(topicDir, segmentBase) + " failed: " +
                ex.getMessage(), ex);
        }
        lastSyncNs = System.nanoTime();
        dirty = false;
    }

    /**
     * Deletes the oldest complete segments while the topic holds more than the retention bytes, or while they are
     * older than the retention age. The segment being written is never deleted.
     *
     * @return the number of segments deleted.
     */
    int applyRetention()
    {
        if (0 == retentionBytes && 0 == retentionAgeNs)
        {
            return 0;
        }
        try
        {
            final java.util.List<Path> files = SegmentScanner.segmentFiles(topicDir);
            long total = 0;
            for (final Path file : files)
            {
                total += Files.size(file);
            }
            final long oldestAllowedMs = System.currentTimeMillis() - retentionAgeNs / 1_000_000L;
            int deleted = 0;
            for (final Path file : files)
            {
                if (SegmentDescriptor.parseBasePosition(file.getFileName().toString()) >= segmentBase)
                {
                    break; // the active segment, and anything after it, stays
                }
                final boolean tooMuch = retentionBytes > 0 && total > retentionBytes;
                final boolean tooOld = retentionAgeNs > 0 &&
                    Files.getLastModifiedTime(file).toMillis() < oldestAllowedMs;
                if (!tooMuch && !tooOld)
                {
                    break;
                }
                total -= Files.size(file);
                Files.delete(file);
                Files.deleteIfExists(topicDir.resolve(file.getFileName().toString()
                    .replace(SegmentDescriptor.SUFFIX, TIME_INDEX_SUFFIX)));
                deleted++;
                deletedCounter.increment();
                out.println("shmbus broker: topic '" + log.topic() + "': retention deleted " + file.getFileName() +
                    (tooMuch ? " (over " + retentionBytes + " bytes)" : " (older than the retention age)"));
            }
 
            if (deleted > 0)
            {
                final java.util.List<Path> remaining = SegmentScanner.segmentFiles(topicDir);
                firstPosition = remaining.isEmpty() ? archivedPosition :
                    Math.max(firstPosition, SegmentDescriptor.parseBasePosition(remaining.get(0).getFileName().toString()));
            }
            return deleted;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("retention of topic '" + log.topic() + "' failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Copies committed frames from the ring to the segment: one positional write from the ring's mapping per
     * contiguous range (two when it wraps). The kernel copies straight from the mapped pages into the segment's
     * page cache; measured against {@code transferTo} from the shm file (sendfile between files) and read/write
     * loops with {@code scripts/bench archive-copy}, it was the fastest and the cheapest in CPU.
     */
    private void copy(final long from, final long to)
    {
        final int capacity = log.capacity();
        final int mask = log.mask();
        try
        {
            long position = from;
            while (position < to)
            {
                final int ringOffset = (int)position & mask;
                final int chunk = (int)Math.min(to - position, capacity - ringOffset);
                ringView.limit(ringOffset + chunk).position(ringOffset);
                long fileOffset = position - segmentBase;
                while (ringView.hasRemaining())
                {
                    fileOffset += segment.write(ringView, fileOffset);
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
        segment = null;
        final Path file = SegmentDescriptor.file(topicDir, basePosition);
        try
        {
            final boolean created = !Files.exists(file);
            segment = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            segmentBase = basePosition;
            CloseHelper.quietClose(timeIndex);
            timeIndex = FileChannel.open(topicDir.resolve(SegmentDescriptor.fileName(basePosition)
                .replace(SegmentDescriptor.SUFFIX, TIME_INDEX_SUFFIX)), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            if (created && durability != TopicConfig.DURABILITY_NONE)
            {
                // the new file's directory entry must survive a power loss too, or its synced data is unreachable
                try (FileChannel dir = FileChannel.open(topicDir, StandardOpenOption.READ))
                {
                    dir.force(true);
                }
            }
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(segment);
            segment = null;
            throw new ShmbusException("cannot open segment " + file + ": " + ex.getMessage(), ex);
        }
    }

    public void close()
    {
        if (dirty && durability != TopicConfig.DURABILITY_NONE && null != segment)
        {
            try
            {
                segment.force(true);
            }
            catch (final IOException ignore)
            {
                // closing: the data is in the page cache and survives this process
            }
        }
        archivedCounter.close();
        syncCounter.close();
        deletedCounter.close();
        errorCounter.close();
        CloseHelper.quietClose(timeIndex);
        CloseHelper.quietClose(segment);
        if (!log.isClosed())
        {
            slots.release(slot);
        }
    }
}
