package io.shmbus.broker.archive;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.logging.LogLevel;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.broker.status.PublishedTally;
import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.shmbus.broker.logging.BrokerLogger.ARCHIVER;

/**
 * Archives a persistent topic: copies its committed frames from the shared-memory ring into segment files, at most
 * 1 MiB a step and never across a segment end, with one positional write from a view of the ring's mapping (the
 * {@link SegmentWriter}), then publishes the archived position. It holds a consumer slot in the topic log, so
 * producers never overwrite what it has not archived; a write failure pauses it and it retries every second.
 * Durability ({@link SegmentDurability}), retention ({@link ArchiveRetention}) and the time index
 * ({@link TimeIndexWriter}) are applied as it goes; it resumes where {@link ArchiveRecovery} found the end of the
 * existing archive.
 * <p>
 * Conductor thread only.
 */
public final class TopicArchiver implements AutoCloseable
{
    private static final long MAX_BYTES_PER_STEP = 1024 * 1024;
    private static final long RETRY_INTERVAL_NS = 1_000_000_000L;

    /**
     * How the label of the counter of damage found in a topic's archive
     * ({@link CounterTypes#ARCHIVE_DAMAGE_FOUND}) goes on after the topic name: then, for people, the first damage
     * recovery found, if any. Recovery and every reader in the broker count what they find.
     */
    public static final String DAMAGE_LABEL_SUFFIX = ": damaged storage found";

    private final TopicLog log;
    private final BrokerLogger out;
    private final AtomicCounter archivedCounter;
    private final AtomicCounter syncCounter;
    private final AtomicCounter deletedCounter;
    private final AtomicCounter errorCounter;
    private final AtomicCounter damageCounter;
    private final PublishedTally tally;
    private final ArchiveUsage usage;
    private final ConsumerSlots slots;
    private final Path topicDir;
    private final long segmentLength;
    private final SegmentWriter writer;
    private final SegmentDurability durability;
    private final ArchiveRetention retention;
    private int slot = -1;
    private long retryAtNs;
    private long firstPosition;
    private long archivedPosition;

    public TopicArchiver(
        final TopicLog log,
        final Path dataDir,
        final long configuredSegmentLength,
        final ArchiveRecovery.Recovered recovered,
        final TopicConfig config,
        final CountersManager counters,
        final BrokerLogger out)
    {
        this.log = log;
        this.out = out;
        final String topic = log.topic();
        this.archivedCounter = counters.newCounter("topic " + topic + ": archived position",
            CounterTypes.ARCHIVE_ARCHIVED_POSITION, CounterKey.topic(topic));
        this.syncCounter = counters.newCounter("topic " + topic + ": segment syncs",
            CounterTypes.ARCHIVE_SEGMENT_SYNCS, CounterKey.topic(topic));
        this.deletedCounter = counters.newCounter("topic " + topic + ": segments deleted by retention",
            CounterTypes.ARCHIVE_RETENTION_DELETED_SEGMENTS, CounterKey.topic(topic));
        this.errorCounter = counters.newCounter("topic " + topic + ": archive errors", CounterTypes.ARCHIVE_ERRORS,
            CounterKey.topic(topic));
        this.damageCounter = counters.newCounter("topic " + topic + DAMAGE_LABEL_SUFFIX,
            CounterTypes.ARCHIVE_DAMAGE_FOUND, CounterKey.topic(topic));
        this.tally = new PublishedTally(log, counters);
        this.usage = new ArchiveUsage(topic, counters);
        if (!recovered.damage.isEmpty())
        {
            damageCounter.getAndAdd(recovered.damage.size());
            damageCounter.appendToLabel(" (first: " + recovered.damage.get(0) + ")");
        }
        this.slots = new ConsumerSlots(log);
        this.topicDir = dataDir.resolve(topic);
        this.durability = new SegmentDurability(config.durability(), syncCounter);
        this.retention = new ArchiveRetention(topic, topicDir, config, deletedCounter, usage, out);
        this.writer = new SegmentWriter(log, topicDir, durability.syncs());
        try
        {
            this.segmentLength = SegmentDescriptor.segmentLengthFor(configuredSegmentLength, log.capacity());
            start(dataDir, recovered.resumePosition, counters);
        }
        catch (final RuntimeException ex)
        {
            if (slot >= 0)
            {
                slots.release(slot); // else a slot nobody advances would hold the topic's producers for good
            }
            archivedCounter.close();
            syncCounter.close();
            deletedCounter.close();
            errorCounter.close();
            damageCounter.close();
            tally.close();
            usage.close();
            throw ex;
        }
    }

    private void start(final Path dataDir, final long resumePosition, final CountersManager counters)
    {
        try
        {
            if (!Files.isDirectory(dataDir))
            {
                // a data directory the broker creates is private (0700): segments hold every message
                ShmDirectory.ensureDirectory(dataDir, ShmDirectory.PRIVATE_DIR);
            }
            // private like the data directory, also when an older version created it with the umask's mode
            ShmDirectory.ensureDirectory(topicDir, ShmDirectory.PRIVATE_DIR);
            Files.setPosixFilePermissions(topicDir, ShmDirectory.PRIVATE_DIR);
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
        usage.listed(topicDir);
        this.slot = slots.reserve();
        // the archived position's key names the archiver's slot, so readers can tell it from clients' consumers
        counters.setCounterKey(archivedCounter.id(), CounterKey.consumer(log.topic(), slot));
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
            out.warn(ARCHIVER, "topic '" + log.topic() + "': positions " + resumePosition + " to " +
                archivedPosition + " were overwritten in the ring before they could be archived (GAP)");
        }
        else
        {
            this.archivedPosition = slots.activateAtBoundary(slot, resumePosition, pid);
        }
        archivedCounter.setRelease(archivedPosition);
        log.archivedPositionRelease(archivedPosition);
        openSegment(SegmentDescriptor.basePosition(archivedPosition, segmentLength));
        firstPosition = ArchiveRecovery.firstPosition(topicDir, archivedPosition);
    }

    /** The oldest position still in the archive (retention moves it forward). */
    public long firstPosition()
    {
        return firstPosition;
    }

    /**
     * True when a sound frame of the archive starts exactly at {@code position} (walked from a known frame start).
     *
     * @throws DamagedStorageException when the frame there, or one the walk meets before it, is damaged: counted.
     */
    public boolean isFrameStart(final long position)
    {
        if (position < firstPosition || position >= archivedPosition)
        {
            return false;
        }
        try
        {
            return ArchiveFiles.isSoundFrameStart(topicDir, segmentLength, firstPosition, archivedPosition, position);
        }
        catch (final DamagedStorageException ex)
        {
            onDamage(ex);
            throw ex;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private void onDamage(final DamagedStorageException ex)
    {
        damageCounter.increment();
        out.error(ARCHIVER, ex.getMessage());
    }

    /** The position up to which every frame is in the segment files. */
    public long archivedPosition()
    {
        return archivedPosition;
    }

    /** Counts damage found by readers of the archive (any thread: the network server's too). */
    public AtomicCounter damageCounter()
    {
        return damageCounter;
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
     * The position of the first archived message stamped at or after {@code epochNs}, found through the sparse
     * time index and then frame by frame; the archived position when no archived message is that recent.
     */
    public long positionAtTime(final long epochNs)
    {
        try
        {
            return ArchiveFiles.positionAtTime(topicDir, segmentLength, firstPosition, archivedPosition, epochNs);
        }
        catch (final DamagedStorageException ex)
        {
            onDamage(ex);
            throw ex;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot search the archive of '" + log.topic() + "' by time: " +
                ex.getMessage(), ex);
        }
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
                out.info(ARCHIVER, "topic '" + log.topic() + "': archiving resumed at position " + from);
            }
            return work;
        }
        catch (final ShmbusException ex)
        {
            // Never lose a frame and never crash: producers stay held by this archiver's slot while it retries.
            errorCounter.increment();
            if (0 == retryAtNs)
            {
                out.log(LogLevel.ERROR, ARCHIVER, "topic '" + log.topic() + "': archiving paused at position " +
                    archivedPosition + ": " + ex.getMessage() + "; producers are held back until it can go on; " +
                    "retrying every second");
            }
            // every failed attempt: one entry in the error log whose count tells how long it has been failing
            out.record(ARCHIVER, "topic '" + log.topic() + "': archiving failed: " + ex.getMessage());
            retryAtNs = System.nanoTime() + RETRY_INTERVAL_NS;
            return 0;
        }
    }

    private int archiveStep()
    {
        if (!writer.isOpen() || archivedPosition >= writer.base() + segmentLength)
        {
            openSegment(SegmentDescriptor.basePosition(archivedPosition, segmentLength));
        }
        final long tail = log.tailVolatile();
        if (archivedPosition >= tail)
        {
            return housekeeping();
        }
        final long segmentEnd = writer.base() + segmentLength;
        final long bound = Math.min(Math.min(tail, archivedPosition + MAX_BYTES_PER_STEP), segmentEnd);
        final long end = log.walkCommitted(archivedPosition, bound);
        if (end == archivedPosition)
        {
            return 0;
        }
        indexTime(archivedPosition);
        writer.copy(archivedPosition, end);
        tally.countCommitted(archivedPosition, end);
        usage.onWritten(end - archivedPosition);
        durability.onWritten();
        archivedPosition = end;
        slots.positionRelease(slot, end);
        archivedCounter.setRelease(end);
        log.archivedPositionRelease(end); // consumers reading the archive may now read up to here
        if (end == segmentEnd)
        {
            durability.onSegmentComplete(writer);
            openSegment(segmentEnd);
            afterRetention(retention.apply(writer.base(), archivedPosition));
        }
        return 1 + housekeeping();
    }

    private void openSegment(final long basePosition)
    {
        if (writer.open(basePosition))
        {
            usage.onSegmentCreated();
        }
    }

    /** One index record per archiving step (at most 1 MiB apart): the time of the step's first message. */
    private void indexTime(final long position)
    {
        final int frameOffset = (int)position & log.mask();
        if (log.ring().getShort(frameOffset + FrameDescriptor.TYPE_OFFSET) == FrameDescriptor.TYPE_DATA)
        {
            writer.indexTime(log.ring().getLong(frameOffset + FrameDescriptor.TIMESTAMP_OFFSET), position);
        }
    }

    private int housekeeping()
    {
        final long nowNs = System.nanoTime();
        final int synced = durability.onDutyCycle(nowNs, writer);
        return synced + afterRetention(retention.applyIfDue(nowNs, writer.base(), archivedPosition));
    }

    /** Moves the first position past the segments retention just deleted; returns how many it deleted. */
    private int afterRetention(final int deleted)
    {
        if (deleted > 0)
        {
            final long oldestBase = retention.oldestBase();
            firstPosition = oldestBase < 0 ? archivedPosition : Math.max(firstPosition, oldestBase);
        }
        return deleted;
    }

    public void close()
    {
        durability.onClose(writer);
        archivedCounter.close();
        syncCounter.close();
        deletedCounter.close();
        errorCounter.close();
        damageCounter.close();
        tally.close();
        usage.close();
        writer.close();
        if (!log.isClosed())
        {
            slots.release(slot);
        }
    }
}
