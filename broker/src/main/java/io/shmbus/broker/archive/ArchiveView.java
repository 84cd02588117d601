package io.shmbus.broker.archive;

import org.agrona.concurrent.status.AtomicCounter;

import java.nio.file.Path;

/**
 * What other threads may know about one archived topic: where its files are, their layout, and the range that is
 * in them. Published by the broker's conductor thread after each archiving step (volatile stores); read by the
 * network server's thread. Everything below {@link #archivedPosition()} is in the segment files and never
 * changes, except that retention may delete whole old segments at any time: a reader must expect a file to be
 * gone.
 */
public final class ArchiveView
{
    private final String topic;
    private final Path topicDir;
    private final long segmentLength;
    private final int maxFrameLength;
    private volatile long firstPosition;
    private volatile long archivedPosition;
    private volatile AtomicCounter damageCounter;

    public ArchiveView(
        final String topic,
        final Path topicDir,
        final long segmentLength,
        final int maxFrameLength,
        final long firstPosition,
        final long archivedPosition)
    {
        this.topic = topic;
        this.topicDir = topicDir;
        this.segmentLength = segmentLength;
        this.maxFrameLength = maxFrameLength;
        this.firstPosition = firstPosition;
        this.archivedPosition = archivedPosition;
    }

    /**
     * Publishes the archived range; conductor thread only. The two positions are not one atomic value: a reader
     * may see a first position that retention has just passed, and must treat a missing segment file as data no
     * longer available (it must anyway: retention deletes files at any time).
     */
    public void update(final long firstPosition, final long archivedPosition)
    {
        if (this.firstPosition != firstPosition)
        {
            this.firstPosition = firstPosition;
        }
        if (this.archivedPosition != archivedPosition)
        {
            this.archivedPosition = archivedPosition;
        }
    }

    /** Sets the counter that {@link #onDamage()} increments; conductor thread, before the view is published. */
    public void damageCounter(final AtomicCounter counter)
    {
        this.damageCounter = counter;
    }

    /** A reader found damaged storage in this topic's archive: counts it. Any thread. */
    public void onDamage()
    {
        final AtomicCounter counter = damageCounter;
        if (null != counter && !counter.isClosed())
        {
            counter.increment();
        }
    }

    public String topic()
    {
        return topic;
    }

    public Path topicDir()
    {
        return topicDir;
    }

    public long segmentLength()
    {
        return segmentLength;
    }

    /** The largest frame the topic can hold, header included. */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /** The oldest position still retained (moves forward with retention). */
    public long firstPosition()
    {
        return firstPosition;
    }

    /** Every frame before this position is in the segment files; it is always a frame boundary. */
    public long archivedPosition()
    {
        return archivedPosition;
    }
}
