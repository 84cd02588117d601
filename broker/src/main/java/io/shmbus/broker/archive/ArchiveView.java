package io.shmbus.broker.archive;

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
     * Publishes the archived range; conductor thread only. The first position goes first, so a reader that sees
     * the new archived position never sees a first position older than what retention already deleted.
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
