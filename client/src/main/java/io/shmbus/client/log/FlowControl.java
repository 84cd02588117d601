package io.shmbus.client.log;

import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.client.log.LogDescriptor.CLEAN_GUARD_LENGTH;

/**
 * Advances the producer limit of a log: finds the slowest consumer, zeroes the ring space everyone has read so
 * that it is clean for the next lap, then publishes the new limit. Any party may call it (producers do when they
 * approach the limit); one cleaner at a time wins a CAS on the clean position, the others return at once, so no
 * caller ever waits on another.
 * <p>
 * Thread-safe and lock-free. Allocates nothing.
 */
public final class FlowControl
{
    private final TopicLog log;
    private final ConsumerSlots slots;
    private final int capacity;

    public FlowControl(final TopicLog log, final ConsumerSlots slots)
    {
        this.log = log;
        this.slots = slots;
        this.capacity = log.capacity();
    }

    /**
     * Moves the limit as far as the consumers allow, keeping nothing that is not needed.
     *
     * @return the producer limit after the attempt.
     */
    public long tryAdvance()
    {
        return tryAdvance(0);
    }

    /**
     * Moves the limit as far as the consumers allow, but keeps at least {@code retainBytes} behind the tail
     * readable (when consumers have read it too), so a consumer joining at "earliest" still finds recent history.
     *
     * @return the producer limit after the attempt.
     */
    public long tryAdvance(final long retainBytes)
    {
        final long limit = log.producerLimitVolatile();
        final long cleanPosition = log.cleanPositionVolatile();
        if (cleanPosition != limit + CLEAN_GUARD_LENGTH)
        {
            return limit; // another party is cleaning
        }

        final long head = cleanPosition - capacity;
        final long tail = log.tailVolatile();
        final long bound = tail - retainBytes;
        final long min = slots.minPosition(Long.MAX_VALUE);
        final long newHead;
        if (min <= bound)
        {
            newHead = min; // a consumer's position is always a frame boundary
        }
        else
        {
            // Free up to the last frame boundary at or below the bound, never past a frame still being written:
            // its producer would leave bytes in the next lap's clean space.
            newHead = walkCommitted(head, Math.min(bound, min));
        }

        long target = newHead + capacity;
        if (target <= cleanPosition || !log.casCleanPosition(cleanPosition, target))
        {
            return log.producerLimitVolatile();
        }

        final long recheck = slots.minPosition(Long.MAX_VALUE);
        if (Long.MAX_VALUE != recheck && recheck + capacity < target)
        {
            // a consumer joined between the scan and the CAS: spare what it is about to read
            target = Math.max(cleanPosition, recheck + capacity);
            log.cleanPositionRelease(target);
            if (target == cleanPosition)
            {
                return limit;
            }
        }

        log.zero(cleanPosition, target);
        final long newLimit = target - CLEAN_GUARD_LENGTH;
        log.producerLimitRelease(newLimit);
        return newLimit;
    }

    /**
     * @return the last frame boundary at or below {@code bound} reached from {@code from} over committed frames.
     */
    long walkCommitted(final long from, final long bound)
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

    /** The first frame from the earliest position on that is not committed, or the tail. */
    public long firstUncommitted()
    {
        return scanCommitted(log.earliestPosition(), log.tailVolatile());
    }

    /**
     * @return the position of the first frame at or after {@code from} that is not yet committed, or {@code to}.
     */
    long scanCommitted(final long from, final long to)
    {
        final UnsafeBuffer ring = log.ring();
        final int mask = log.mask();
        long position = from;
        while (position < to)
        {
            final int length = ring.getIntVolatile(((int)position & mask) + FrameDescriptor.FRAME_LENGTH_OFFSET);
            if (length <= 0)
            {
                break;
            }
            position += FrameDescriptor.alignedLength(length);
        }
        return Math.min(position, to);
    }
}
