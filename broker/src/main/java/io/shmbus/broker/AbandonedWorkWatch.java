package io.shmbus.broker;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.LogUnblocker;
import io.shmbus.client.log.TopicLog;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import static io.shmbus.broker.logging.BrokerLogger.CONDUCTOR;

/**
 * Finds, in one topic log, what a process left half done and repairs it once it has stood still for long enough: a
 * claim that holds readers (turned into padding), the clean lock of an exited process (its cleaning step
 * finished), a consumer slot reserved and never activated (freed). Each is watched across housekeeping checks, so
 * only work that made no progress is touched.
 * <p>
 * Conductor thread only; a check allocates nothing.
 */
final class AbandonedWorkWatch
{
    private static final int NO_CONSUMER_WATCH = LogDescriptor.CONSUMER_SLOT_COUNT;

    private final String name;
    private final TopicLog log;
    private final ConsumerSlots slots;
    private final FlowControl flowControl;
    private final LogUnblocker unblocker;
    private final TopicCounters counters;
    private final BrokerLogger out;
    private final long[] watchedPosition = new long[LogDescriptor.CONSUMER_SLOT_COUNT + 1];
    private final long[] watchedSinceNs = new long[LogDescriptor.CONSUMER_SLOT_COUNT + 1];
    private final long[] reservationStamp = new long[LogDescriptor.CONSUMER_SLOT_COUNT];
    private final long[] reservedSinceNs = new long[LogDescriptor.CONSUMER_SLOT_COUNT];
    private long watchedCleanerPid;
    private long watchedCleanerLimit;
    private long cleanerWatchedSinceNs;
    private boolean cleanerStallReported;

    AbandonedWorkWatch(
        final String name,
        final TopicLog log,
        final ConsumerSlots slots,
        final FlowControl flowControl,
        final TopicCounters counters,
        final BrokerLogger out)
    {
        this.name = name;
        this.log = log;
        this.slots = slots;
        this.flowControl = flowControl;
        this.unblocker = new LogUnblocker(log);
        this.counters = counters;
        this.out = out;
        Arrays.fill(watchedPosition, -1);
        Arrays.fill(reservationStamp, -1);
    }

    /**
     * Turns into padding any claim that has held a reader (or, with no reader, the flow control) at the same
     * position for longer than the timeout.
     *
     * @return the number of claims unblocked.
     */
    int unblockAbandonedClaims(final long nowNs, final long timeoutNs)
    {
        int unblocked = 0;
        boolean anyConsumer = false;
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            final int state = log.slotStateVolatile(slot);
            if (state != LogDescriptor.SLOT_ACTIVE && state != LogDescriptor.SLOT_DETACHING)
            {
                watchedPosition[slot] = -1;
                continue;
            }
            anyConsumer = true;
            unblocked += watch(slot, log.slotPositionVolatile(slot), nowNs, timeoutNs);
        }
        if (!anyConsumer)
        {
            unblocked += watch(NO_CONSUMER_WATCH, flowControl.firstUncommitted(), nowNs, timeoutNs);
        }
        else
        {
            watchedPosition[NO_CONSUMER_WATCH] = -1;
        }
        return unblocked;
    }

    private int watch(final int index, final long position, final long nowNs, final long timeoutNs)
    {
        if (!unblocker.isBlocked(position))
        {
            watchedPosition[index] = -1;
            return 0;
        }
        if (watchedPosition[index] != position)
        {
            watchedPosition[index] = position;
            watchedSinceNs[index] = nowNs;
            return 0;
        }
        if (nowNs - watchedSinceNs[index] >= timeoutNs && unblocker.unblock(position))
        {
            watchedPosition[index] = -1;
            counters.claimUnblocked();
            return 1;
        }
        return 0;
    }

    /**
     * Watches the clean lock: held by the same process with no progress of the limit across two checks, by a
     * process that is gone, it is taken over and the cleaning step that process left is finished, so producers
     * wait for a dead cleaner no longer than a housekeeping interval or two. A live holder is never taken over (it
     * would zero its range when it resumes, over what producers wrote since); one that holds the lock for longer
     * than {@code stallTimeoutNs} is reported once.
     *
     * @return 1 if a cleaning was recovered, else 0.
     */
    int recoverAbandonedCleaning(final long nowNs, final long stallTimeoutNs,
        final LongPredicate isAlive)
    {
        final long holder = log.cleanerPidVolatile();
        final long limit = log.producerLimitVolatile();
        if (0 == holder || holder != watchedCleanerPid || limit != watchedCleanerLimit)
        {
            watchedCleanerPid = holder;
            watchedCleanerLimit = limit;
            cleanerWatchedSinceNs = nowNs;
            cleanerStallReported = false;
            return 0;
        }
        if (!isAlive.test(holder))
        {
            final long cleanPosition = log.cleanPositionVolatile();
            if (flowControl.recoverFrom(holder))
            {
                watchedCleanerPid = 0;
                counters.cleaningRecovered();
                out.info(CONDUCTOR, "topic '" + name + "': took over the clean lock of exited process " +
                    holder + " (clean position " + cleanPosition + ", producer limit " + limit +
                    ") and finished its step: producer limit now " + log.producerLimitVolatile());
                return 1;
            }
            return 0;
        }
        if (!cleanerStallReported && nowNs - cleanerWatchedSinceNs >= stallTimeoutNs)
        {
            cleanerStallReported = true;
            out.warn(CONDUCTOR, "topic '" + name + "': process " + holder + " has held the clean lock for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - cleanerWatchedSinceNs) +
                " ms and is alive (stopped?): producers wait for it");
        }
        return 0;
    }

    /**
     * Frees slots left {@code RESERVED} by a process that died between reserving and activating them: a slot that
     * stays reserved with the same stamp for {@code timeoutNs} (far longer than any join) is taken back.
     *
     * @return the number of slots freed.
     */
    int reclaimAbandonedReservations(final long nowNs, final long timeoutNs)
    {
        int freed = 0;
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            if (LogDescriptor.SLOT_RESERVED != log.slotStateVolatile(slot))
            {
                reservationStamp[slot] = -1;
                continue;
            }
            final long stamp = slots.reservationStamp(slot);
            if (stamp != reservationStamp[slot])
            {
                reservationStamp[slot] = stamp;
                reservedSinceNs[slot] = nowNs;
            }
            else if (nowNs - reservedSinceNs[slot] >= timeoutNs && slots.reclaimReservation(slot, stamp))
            {
                reservationStamp[slot] = -1;
                freed++;
                out.info(CONDUCTOR, "topic '" + name + "': freed consumer slot " + slot + ", reserved by " +
                    "process " + log.slotOwnerPid(slot) + " that never activated it");
            }
        }
        return freed;
    }
}
