package io.shmbus.client.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.shmbus.client.log.LogDescriptor.CLEAN_GUARD_LENGTH;

/**
 * Advances the producer limit of a log: finds the slowest consumer, zeroes the ring space everyone has read so
 * that it is clean for the next lap, then publishes the new limit. Any party may call it (the broker every
 * millisecond, producers when they near the limit, in small steps so that no single offer pays for zeroing a large
 * range); one cleaner at a time wins a CAS on the clean position, the others return at once, so no caller ever
 * waits on another.
 * <p>
 * Thread-safe and lock-free. Allocates nothing.
 */
public final class FlowControl
{
    private final TopicLog log;
    private final ConsumerSlots slots;
    private final int capacity;
    private static final int SAMPLE_COUNT = 64;
    private final AtomicLongArray samples = new AtomicLongArray(SAMPLE_COUNT);
    private final AtomicLong sampleCounter = new AtomicLong();

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
        return tryAdvance(0, Long.MAX_VALUE);
    }

    /**
     * Records the current tail as a known frame boundary. Cleaning can stop only at frame boundaries (the oldest
     * frame left must be whole), and these samples let it advance in small steps without walking the frames.
     */
    public void sample()
    {
        sample(log.tailVolatile());
    }

    /**
     * Records a position known to be a frame boundary (a tail read by a producer is one).
     */
    public void sample(final long boundary)
    {
        final int index = (int)(sampleCounter.getAndIncrement() & (SAMPLE_COUNT - 1));
        samples.lazySet(index, boundary);
    }

    /**
     * Moves the limit, at most {@code maxAdvanceBytes} of newly freed space (measured to the nearest sampled
     * boundary), keeping at least {@code retainBytes} behind the tail readable for consumers joining at
     * "earliest". With no cap it frees up to the slowest consumer (or, with none, the first frame not committed).
     *
     * @return the producer limit after the attempt.
     */
    public long tryAdvance(final long retainBytes, final long maxAdvanceBytes)
    {
        final long limit = log.producerLimitVolatile();
        final long cleanPosition = log.cleanPositionVolatile();
        if (cleanPosition != limit + CLEAN_GUARD_LENGTH)
        {
            return limit; // another party is cleaning
        }

        final long head = cleanPosition - capacity;
        final long tail = log.tailVolatile();
        long candidate;
        if (0 == retainBytes && Long.MAX_VALUE == maxAdvanceBytes)
        {
            candidate = tail;
        }
        else
        {
            final long retainBound = tail - retainBytes;
            final long bound = Math.min(retainBound, maxAdvanceBytes == Long.MAX_VALUE ? tail :
                head + maxAdvanceBytes);
            candidate = bestSample(head, bound, retainBound);
            if (candidate <= head)
            {
                return limit;
            }
        }

        final long min = slots.minPosition(Long.MAX_VALUE);
        final long newHead;
        if (min <= candidate)
        {
            newHead = min; // a consumer's position is always a frame boundary
        }
        else if (Long.MAX_VALUE != min)
        {
            newHead = candidate; // every consumer has read past it: all before it is committed
        }
        else
        {
            // Nobody reads: never free past a frame still being written, or its producer would leave bytes in
            // the next lap's clean space.
            newHead = log.walkCommitted(head, candidate);
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
     * The furthest sample in {@code (head, bound]}, or when none is that close, the nearest sample past the head
     * that is still within {@code limit}: steps are then as long as the sampling interval.
     */
    private long bestSample(final long head, final long bound, final long limit)
    {
        long best = Long.MIN_VALUE;
        long nearest = Long.MAX_VALUE;
        for (int i = 0; i < SAMPLE_COUNT; i++)
        {
            final long sample = samples.get(i);
            if (sample > head)
            {
                if (sample <= bound)
                {
                    best = Math.max(best, sample);
                }
                else if (sample <= limit)
                {
                    nearest = Math.min(nearest, sample);
                }
            }
        }
        return best != Long.MIN_VALUE ? best : nearest != Long.MAX_VALUE ? nearest : Long.MIN_VALUE;
    }

    /** The first frame from the earliest position on that is not committed, or the tail. */
    public long firstUncommitted()
    {
        return log.walkCommitted(log.earliestPosition(), log.tailVolatile()); // the tail is a boundary
    }
}
