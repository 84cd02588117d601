package io.shmbus.broker.archive;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.shmbus.broker.logging.BrokerLogger.ARCHIVER;

/**
 * Applies a topic's retention: deletes the oldest complete segments (and their time and checksum indexes) while the
 * topic holds more than the retention bytes, or while they are older than the retention age. The segment being
 * written, and anything after it, is never deleted.
 * <p>
 * The directory is listed (which allocates) only at a segment end and when the last listing says a deletion is due:
 * by then the total has passed the retention bytes, or the oldest complete segment has passed the retention age.
 * In between, the periodic check is arithmetic on what the last listing found, so an archiver writing within one
 * segment, or an idle one, allocates nothing for retention.
 * <p>
 * Conductor thread only, owned by the topic's {@link TopicArchiver}.
 */
final class ArchiveRetention
{
    private static final long CHECK_INTERVAL_NS = 1_000_000_000L;

    private final String topic;
    private final Path topicDir;
    private final long retentionBytes;
    private final long retentionAgeNs;
    private final AtomicCounter deletedCounter;
    private final ArchiveUsage usage;
    private final BrokerLogger out;
    private long nextCheckNs;
    private long oldestBase = -1;
    /** The active base at the last listing; -1 before the first, so that the first check lists. */
    private long listedActiveBase = -1;
    /** What the last listing found: every segment's bytes, the archived position then, the complete segments. */
    private long listedTotalBytes;
    private long listedArchivedPosition;
    private int listedCompleteSegments;
    /** The modification time of the oldest complete segment the last listing left, in epoch ms. */
    private long oldestCompleteModifiedMs;

    ArchiveRetention(
        final String topic,
        final Path topicDir,
        final TopicConfig config,
        final AtomicCounter deletedCounter,
        final ArchiveUsage usage,
        final BrokerLogger out)
    {
        this.topic = topic;
        this.topicDir = topicDir;
        this.retentionBytes = config.retentionBytes();
        this.retentionAgeNs = config.retentionAgeNs();
        this.deletedCounter = deletedCounter;
        this.usage = usage;
        this.out = out;
    }

    /**
     * {@link #apply} when a deletion is due by what the last listing found, tested once a second (ages change
     * without any writing).
     *
     * @param archivedPosition the archived position now: the active segment has grown by what was archived since.
     * @return the number of segments deleted.
     */
    int applyIfDue(final long nowNs, final long activeBase, final long archivedPosition)
    {
        if (nowNs - nextCheckNs < 0)
        {
            return 0;
        }
        nextCheckNs = nowNs + CHECK_INTERVAL_NS;
        return isDue(activeBase, archivedPosition) ? apply(activeBase, archivedPosition) : 0;
    }

    private boolean isDue(final long activeBase, final long archivedPosition)
    {
        if (0 == retentionBytes && 0 == retentionAgeNs)
        {
            return false;
        }
        if (activeBase != listedActiveBase)
        {
            return true;
        }
        if (0 == listedCompleteSegments)
        {
            return false;
        }
        final boolean tooMuch = retentionBytes > 0 &&
            listedTotalBytes + (archivedPosition - listedArchivedPosition) > retentionBytes;
        final boolean tooOld = retentionAgeNs > 0 &&
            oldestCompleteModifiedMs < System.currentTimeMillis() - retentionAgeNs / 1_000_000L;
        return tooMuch || tooOld;
    }

    /**
     * Deletes what retention no longer keeps among the segments before {@code activeBase}, oldest first, listing
     * the directory.
     *
     * @param archivedPosition the archived position now, which the listed sizes include.
     * @return the number of segments deleted; when more than none, {@link #oldestBase()} tells what is left.
     */
    int apply(final long activeBase, final long archivedPosition)
    {
        if (0 == retentionBytes && 0 == retentionAgeNs)
        {
            return 0;
        }
        try
        {
            final List<Path> files = SegmentScanner.segmentFiles(topicDir);
            long total = 0;
            int complete = 0;
            for (final Path file : files)
            {
                total += Files.size(file);
                complete += SegmentDescriptor.parseBasePosition(file.getFileName().toString()) < activeBase ? 1 : 0;
            }
            final long oldestAllowedMs = System.currentTimeMillis() - retentionAgeNs / 1_000_000L;
            int deleted = 0;
            long oldestModifiedMs = Long.MAX_VALUE;
            for (final Path file : files)
            {
                final long base = SegmentDescriptor.parseBasePosition(file.getFileName().toString());
                if (base >= activeBase)
                {
                    break; // the active segment, and anything after it, stays
                }
                final long modifiedMs = Files.getLastModifiedTime(file).toMillis();
                final boolean tooMuch = retentionBytes > 0 && total > retentionBytes;
                final boolean tooOld = retentionAgeNs > 0 && modifiedMs < oldestAllowedMs;
                if (!tooMuch && !tooOld)
                {
                    oldestModifiedMs = modifiedMs;
                    break;
                }
                final long size = Files.size(file);
                total -= size;
                Files.delete(file);
                usage.onSegmentDeleted(size);
                Files.deleteIfExists(TimeIndexWriter.file(topicDir, base));
                Files.deleteIfExists(ChecksumIndexWriter.file(topicDir, base));
                deleted++;
                deletedCounter.increment();
                out.info(ARCHIVER, "topic '" + topic + "': retention deleted " + file.getFileName() +
                    (tooMuch ? " (over " + retentionBytes + " bytes)" : " (older than the retention age)"));
            }

            listedActiveBase = activeBase;
            listedTotalBytes = total;
            listedArchivedPosition = archivedPosition;
            listedCompleteSegments = complete - deleted;
            oldestCompleteModifiedMs = oldestModifiedMs;
            if (deleted > 0)
            {
                final List<Path> remaining = SegmentScanner.segmentFiles(topicDir);
                oldestBase = remaining.isEmpty() ? -1 :
                    SegmentDescriptor.parseBasePosition(remaining.get(0).getFileName().toString());
            }
            return deleted;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("retention of topic '" + topic + "' failed: " + ex.getMessage(), ex);
        }
    }

    /** The base position of the oldest segment left by the last {@link #apply} that deleted any, -1 if none is. */
    long oldestBase()
    {
        return oldestBase;
    }
}
