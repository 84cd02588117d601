package io.shmbus.broker.archive;

import org.agrona.concurrent.status.AtomicCounter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What other threads may know about one archived topic: where its files are, their layout, and the range that is
 * in them. Published by the broker's conductor thread after each archiving step (volatile stores); read by the
 * network server's thread. Everything below {@link #archivedPosition()} is in the segment files and never
 * changes, except that retention may delete whole old segments at any time: a reader must expect a file to be
 * gone.
 * <p>
 * It also keeps the topic's network subscribers ({@link ArchiveSubscriber}), so the conductor can report them and
 * delete the topic only when none reads it: {@link #addSubscriber} and {@link #deleteIfUnread()} decide under the
 * view's lock, once per subscription and per deletion, never per send.
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
    private volatile NamedPositionStore namedPositions;
    /** Guarded by this. */
    private final List<ArchiveSubscriber> subscribers = new ArrayList<>();
    /** Guarded by this; once set, no subscriber is added. */
    private boolean deleted;

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

    /** Sets the topic's named consumer table; conductor thread, before the view is published. */
    public void namedPositions(final NamedPositionStore namedPositions)
    {
        this.namedPositions = namedPositions;
    }

    /** The topic's durable named consumers, for network subscribers that give a name. Any thread. */
    public NamedPositionStore namedPositions()
    {
        return namedPositions;
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

    /**
     * Registers a subscriber before its first frame is sent; network server thread.
     *
     * @return false when the topic was deleted: the subscription must be refused.
     */
    public synchronized boolean addSubscriber(final ArchiveSubscriber subscriber)
    {
        if (deleted)
        {
            return false;
        }
        subscribers.add(subscriber);
        return true;
    }

    /** The subscriber's connection ended; network server thread. */
    public synchronized void removeSubscriber(final ArchiveSubscriber subscriber)
    {
        subscribers.remove(subscriber);
    }

    /** A copy of the subscribers now, in the order they subscribed. Any thread. */
    public synchronized List<ArchiveSubscriber> subscribers()
    {
        return new ArrayList<>(subscribers);
    }

    /**
     * Marks the topic deleted if nobody reads it over the network, so that nobody can start to; conductor thread.
     *
     * @return the subscribers that read it (the topic is then not marked), empty when it was marked.
     */
    public synchronized List<ArchiveSubscriber> deleteIfUnread()
    {
        if (subscribers.isEmpty())
        {
            deleted = true;
        }
        return new ArrayList<>(subscribers);
    }

    /** True once the topic was deleted: a reader that finds its files gone should say so. Any thread. */
    public synchronized boolean isDeleted()
    {
        return deleted;
    }
}
