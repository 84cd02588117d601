package io.shmbus.broker.archive;

import io.shmbus.broker.config.TopicConfig;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Applies a topic's durability setting to the segment being written: {@code none} never forces it to disk,
 * {@code segment} forces each segment once when it is complete, an interval also forces written data once that
 * interval has passed since the last sync. Counts the syncs.
 * <p>
 * Conductor thread only, owned by the topic's {@link TopicArchiver}.
 */
final class SegmentDurability
{
    private final long durability;
    private final AtomicCounter syncCounter;
    private long lastSyncNs = System.nanoTime();
    private boolean dirty;

    /**
     * @param durability  {@link TopicConfig#DURABILITY_NONE}, {@link TopicConfig#DURABILITY_SEGMENT} or an
     *                    interval in ns.
     * @param syncCounter incremented on every sync.
     */
    SegmentDurability(final long durability, final AtomicCounter syncCounter)
    {
        this.durability = durability;
        this.syncCounter = syncCounter;
    }

    /** True unless durability is {@code none}: new segments' directory entries are synced too. */
    boolean syncs()
    {
        return durability != TopicConfig.DURABILITY_NONE;
    }

    /** Data was written to the segment and is not on disk yet. */
    void onWritten()
    {
        dirty = true;
    }

    /** The segment is complete: it is forced unless durability is {@code none}. */
    void onSegmentComplete(final SegmentWriter writer)
    {
        if (syncs())
        {
            sync(writer);
        }
    }

    /**
     * Forces written data when the interval has passed since the last sync.
     *
     * @return 1 if it was due, else 0.
     */
    int onDutyCycle(final long nowNs, final SegmentWriter writer)
    {
        if (dirty && durability > 0 && nowNs - lastSyncNs >= durability)
        {
            sync(writer);
            return 1;
        }
        return 0;
    }

    /** The archiver is closing: written data is forced, failures ignored, unless durability is {@code none}. */
    void onClose(final SegmentWriter writer)
    {
        if (dirty && syncs())
        {
            writer.forceQuietly();
        }
    }

    private void sync(final SegmentWriter writer)
    {
        if (!writer.force())
        {
            return;
        }
        syncCounter.increment();
        lastSyncNs = System.nanoTime();
        dirty = false;
    }
}
