package io.shmbus.client.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.shmbus.client.log.LogDescriptor.CLEAN_GUARD_LENGTH;

/**
 * Advances the producer limit of a log: finds the slowest consumer, zeroes the ring space everyone has read so
 * that it is clean for the next lap, then publishes the new limit. Any party may call it (the broker every
 * millisecond, producers when they near the limit, in small steps so that no single offer pays for zeroing a large
 * range).
 * <p>
 * One cleaner at a time holds the <em>clean lock</em>, a CAS of the log's {@code cleanerPid} from 0 to its process
 * id; the others return at once, so no caller ever waits on another. A cleaning step, under the lock:
 * <ol>
 *     <li>publish the new clean position (a volatile store: joining consumers read it);</li>
 *     <li>re-read the consumer slots and lower the clean position for a consumer that joined meanwhile (the
 *     Dekker-style handshake of {@link ConsumerSlots#activate});</li>
 *     <li>publish that the recheck is done ({@code cleanCheckedPosition}), zero the freed range, publish the
 *     limit, release the lock.</li>
 * </ol>
 * Every step can be finished by whoever holds the lock next: a holder that finds {@code cleanPosition} ahead of
 * {@code producerLimit + 8} completes the step first, redoing the recheck unless it was done for that exact clean
 * position (after which the range may be partly zeroed, so the clean position must not go back). A process that
 * dies holding the lock leaves it taken; only the broker takes it over, once the holder's process is gone
 * ({@link #recoverFrom(long)}), because a stalled but live holder would still zero the range when it wakes up.
 * <p>
 * Thread-safe and lock-free for producers (they never wait for the lock). Allocates nothing.
 */
public final class FlowControl
{
    private static final int SAMPLE_COUNT = 64;

    private final TopicLog log;
    private final ConsumerSlots slots;
    private final int capacity;
    private final long ownerPid;
    private final AtomicLongArray samples = new AtomicLongArray(SAMPLE_COUNT);
    private final AtomicLong sampleCounter = new AtomicLong();

    public FlowControl(final TopicLog log, final ConsumerSlots slots)
    {
        this(log, slots, ProcessHandle.current().pid());
    }

    /**
     * @param ownerPid the process id this cleaner writes into the clean lock.
     */
    public FlowControl(final TopicLog log, final ConsumerSlots slots, final long ownerPid)
    {
        if (ownerPid <= 0)
        {
            throw new IllegalArgumentException("owner pid must be positive: " + ownerPid);
        }
        this.log = log;
        this.slots = slots;
        this.capacity = log.capacity();
        this.ownerPid = ownerPid;
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
     * Returns at once when another party holds the clean lock.
     *
     * @return the producer limit after the attempt.
     */
    public long tryAdvance(final long retainBytes, final long maxAdvanceBytes)
    {
        if (0 != log.cleanerPidVolatile() || !log.casCleanerPid(0, ownerPid))
        {
            return log.producerLimitVolatile();
        }
        // No finally: a holder that fails mid-step (its mapping gone) leaves the lock as a dead process does, and
        // whoever takes it over finishes the step.
        final long limit = advanceLocked(retainBytes, maxAdvanceBytes);
        log.cleanerPidRelease(0);
        return limit;
    }

    /**
     * Takes over the clean lock left by a process that is gone, finishes the cleaning step it was in, and
     * releases the lock. The caller (the broker) must have established that {@code deadPid} no longer runs: a
     * live holder, even a stalled one, would zero its range when it resumes, over what producers wrote since.
     *
     * @return true if the lock was held by {@code deadPid} and has been recovered.
     */
    public boolean recoverFrom(final long deadPid)
    {
        if (0 == deadPid || deadPid == ownerPid || !log.casCleanerPid(deadPid, ownerPid))
        {
            return false;
        }
        finishPendingStep();
        log.cleanerPidRelease(0);
        return true;
    }

    /** True when no cleaning step is pending or in progress: the lock is free and the limit matches the clean position. */
    public boolean isSettled()
    {
        return 0 == log.cleanerPidVolatile() &&
            log.cleanPositionVolatile() == log.producerLimitVolatile() + CLEAN_GUARD_LENGTH;
    }

    private long advanceLocked(final long retainBytes, final long maxAdvanceBytes)
    {
        final long limit = finishPendingStep();
        final long cleanPosition = limit + CLEAN_GUARD_LENGTH;
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

        final long target = newHead + capacity;
        if (target <= cleanPosition)
        {
            return limit;
        }
        log.cleanPositionVolatile(target);
        return completeStep(limit, target, false);
    }

    /**
     * Completes a step a previous holder of the lock left between publishing the clean position and the limit.
     *
     * @return the producer limit, with no step pending.
     */
    private long finishPendingStep()
    {
        final long limit = log.producerLimitVolatile();
        final long cleanPosition = log.cleanPositionVolatile();
        if (cleanPosition == limit + CLEAN_GUARD_LENGTH)
        {
            return limit;
        }
        return completeStep(limit, cleanPosition, log.cleanCheckedPositionVolatile() == cleanPosition);
    }

    /**
     * The rest of a step whose clean position {@code target} is published: recheck (unless done), zero, publish.
     */
    private long completeStep(final long limit, final long target, final boolean checked)
    {
        final long cleanPosition = limit + CLEAN_GUARD_LENGTH;
        long newClean = target;
        if (!checked)
        {
            final long recheck = slots.minPosition(Long.MAX_VALUE);
            if (Long.MAX_VALUE != recheck && recheck + capacity < newClean)
            {
                // a consumer joined between the scan and the publication: spare what it is about to read
                newClean = Math.max(cleanPosition, recheck + capacity);
                log.cleanPositionVolatile(newClean);
            }
            log.cleanCheckedPositionRelease(newClean);
        }
        if (newClean == cleanPosition)
        {
            return limit;
        }
        log.zero(cleanPosition, newClean);
        final long newLimit = newClean - CLEAN_GUARD_LENGTH;
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
