package io.shmbus.broker.status;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * Counts a topic's published messages and payload bytes by walking the committed frames in its ring, behind the
 * producers and without touching them: a persistent topic's archiver hands over each range it archives
 * ({@link #countCommitted}), which it has walked already and which producers cannot overwrite before it is done;
 * the conductor walks a topic that is not persisted ({@link #catchUp}) before each advance of its producer limit.
 * <p>
 * What the figures mean: data frames (padding and other control frames are not messages) and their payload bytes,
 * committed since the broker started. For a topic that is not persisted the conductor holds no slot, so producers
 * may lap its walk when they clean the ring themselves (only when the broker falls behind them by half a ring); the
 * walk then resumes at the tail and the frames it skipped are not counted: the figure is then a lower bound.
 * <p>
 * Conductor thread only. Allocates nothing after construction.
 */
public final class PublishedTally implements AutoCloseable
{
    private final TopicLog log;
    private final UnsafeBuffer ring;
    private final AtomicCounter messages;
    private final AtomicCounter bytes;
    private long position;
    private long walkedMessages;
    private long walkedBytes;

    public PublishedTally(final TopicLog log, final CountersManager counters)
    {
        this.log = log;
        this.ring = log.ring();
        final String topic = log.topic();
        this.messages = counters.newCounter("topic " + topic + ": messages published",
            CounterTypes.TOPIC_PUBLISHED_MESSAGES, CounterKey.topic(topic));
        this.bytes = counters.newCounter("topic " + topic + ": payload bytes published",
            CounterTypes.TOPIC_PUBLISHED_BYTES, CounterKey.topic(topic));
        this.position = log.tailVolatile();
    }

    /**
     * Counts the frames in {@code [from, to)}: committed frames the caller walked, which producers cannot overwrite
     * while it counts them (the archiver's slot holds them).
     */
    public void countCommitted(final long from, final long to)
    {
        walk(from, to);
        add();
        position = to;
    }

    /**
     * Counts what producers committed since the last call, at most a quarter of the ring; for a topic nobody
     * archives. A walk that producers lapped meanwhile counts nothing and resumes at the tail.
     *
     * @return 1 if it counted anything.
     */
    public int catchUp()
    {
        final long from = position;
        final long tail = log.tailVolatile();
        if (from >= tail)
        {
            return 0;
        }
        if (from < log.earliestPosition())
        {
            position = tail; // lapped before the walk: the tail is a frame boundary to resume from
            return 0;
        }
        final long end = log.walkCommitted(from, Math.min(tail, from + (log.capacity() >> 2)));
        if (end == from)
        {
            return 0;
        }
        walk(from, end);
        if (from < log.earliestPosition())
        {
            // cleaned while it read: what it read may be a later lap's bytes, so nothing of this walk counts
            position = log.tailVolatile();
            return 0;
        }
        add();
        position = end;
        return 1;
    }

    /** The position up to which frames were counted (or skipped). */
    public long position()
    {
        return position;
    }

    private void walk(final long from, final long to)
    {
        long messageCount = 0;
        long payloadBytes = 0;
        final int mask = log.mask();
        long at = from;
        while (at < to)
        {
            final int offset = (int)at & mask;
            final int length = ring.getInt(offset + FrameDescriptor.FRAME_LENGTH_OFFSET);
            if (length <= 0)
            {
                break;
            }
            if (FrameDescriptor.TYPE_DATA == ring.getShort(offset + FrameDescriptor.TYPE_OFFSET))
            {
                messageCount++;
                payloadBytes += length - FrameDescriptor.HEADER_LENGTH;
            }
            at += FrameDescriptor.alignedLength(length);
        }
        walkedMessages = messageCount;
        walkedBytes = payloadBytes;
    }

    private void add()
    {
        if (walkedMessages > 0)
        {
            messages.setRelease(messages.getPlain() + walkedMessages);
            bytes.setRelease(bytes.getPlain() + walkedBytes);
        }
    }

    public void close()
    {
        messages.close();
        bytes.close();
    }
}
