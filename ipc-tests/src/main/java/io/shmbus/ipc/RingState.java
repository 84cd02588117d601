package io.shmbus.ipc;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * A diagnostic snapshot of a topic log read from outside (a test or the soak mapping the file), for telling what a
 * killed process left behind and why a topic stopped: the tail, the producer limit, the clean position, the slowest
 * consumer, and the claims still open between the slowest consumer and the tail. The fields are read one after
 * another while producers run, so they are only consistent when nothing moves (e.g. a frozen topic).
 * <p>
 * Immutable.
 */
public final class RingState
{
    /** No consumer slot is active. */
    public static final long NO_CONSUMER = -1;
    public static final int MAX_CLAIMS_LISTED = 16;

    public final long tail;
    public final long producerLimit;
    public final long cleanPosition;
    /** The clean lock: the pid of the process cleaning, 0 when none. */
    public final long cleanerPid;
    public final long archivedPosition;
    public final long slowestConsumer;
    public final int activeConsumers;
    /** Claimed frames (negative length) between the slowest consumer and the tail. */
    public final int claimsWithHeader;
    /** The producer ids of the first {@value #MAX_CLAIMS_LISTED} of them. */
    private final int[] claimProducerIds;
    /** A frame start below the tail whose header was never written: a claim made just before its maker stopped. */
    public final boolean claimWithoutHeader;
    /**
     * The first frame after the slowest consumer whose header does not hold its own position (its maker stopped
     * between the commit word and the rest of the header), or -1.
     */
    public final long wrongPositionAt;
    /** Where the walk from the slowest consumer stopped: the tail, or the first frame it could not pass. */
    public final long walkedTo;

    private RingState(
        final long tail,
        final long producerLimit,
        final long cleanPosition,
        final long cleanerPid,
        final long archivedPosition,
        final long slowestConsumer,
        final int activeConsumers,
        final int claimsWithHeader,
        final int[] claimProducerIds,
        final boolean claimWithoutHeader,
        final long wrongPositionAt,
        final long walkedTo)
    {
        this.tail = tail;
        this.producerLimit = producerLimit;
        this.cleanPosition = cleanPosition;
        this.cleanerPid = cleanerPid;
        this.archivedPosition = archivedPosition;
        this.slowestConsumer = slowestConsumer;
        this.activeConsumers = activeConsumers;
        this.claimsWithHeader = claimsWithHeader;
        this.claimProducerIds = claimProducerIds;
        this.claimWithoutHeader = claimWithoutHeader;
        this.wrongPositionAt = wrongPositionAt;
        this.walkedTo = walkedTo;
    }

    /** Reads the log's positions and walks the frames from the slowest consumer to the tail. */
    public static RingState read(final TopicLog log)
    {
        final long limit = log.producerLimitVolatile();
        final long clean = log.cleanPositionVolatile();
        final long cleaner = log.cleanerPidVolatile();
        long slowest = Long.MAX_VALUE;
        int active = 0;
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            final int state = log.slotStateVolatile(slot);
            if (LogDescriptor.SLOT_ACTIVE == state || LogDescriptor.SLOT_DETACHING == state)
            {
                active++;
                slowest = Math.min(slowest, log.slotPositionVolatile(slot));
            }
        }
        final long tail = log.tailVolatile();
        final UnsafeBuffer ring = log.ring();
        final long from = 0 == active ? Math.max(log.earliestPosition(), tail - log.capacity()) : slowest;
        long position = from;
        int claims = 0;
        final int[] claimProducers = new int[MAX_CLAIMS_LISTED];
        boolean withoutHeader = false;
        long wrongPosition = -1;
        for (int frames = 0; position < tail && frames < log.capacity() / FrameDescriptor.FRAME_ALIGNMENT; frames++)
        {
            final int offset = (int)position & log.mask();
            final int length = ring.getIntVolatile(offset + FrameDescriptor.FRAME_LENGTH_OFFSET);
            if (0 == length)
            {
                withoutHeader = true;
                break;
            }
            if (wrongPosition < 0 && ring.getLong(offset + FrameDescriptor.POSITION_OFFSET) != position)
            {
                wrongPosition = position;
            }
            if (length < 0)
            {
                if (claims < MAX_CLAIMS_LISTED)
                {
                    claimProducers[claims] = ring.getInt(offset + FrameDescriptor.PRODUCER_ID_OFFSET);
                }
                claims++;
            }
            position += FrameDescriptor.alignedLength(Math.abs(length));
        }
        return new RingState(tail, limit, clean, cleaner, log.archivedPositionVolatile(),
            0 == active ? NO_CONSUMER : slowest, active, claims,
            Arrays.copyOf(claimProducers, Math.min(claims, MAX_CLAIMS_LISTED)), withoutHeader, wrongPosition,
            Math.min(position, tail));
    }

    /**
     * True when a process holds the clean lock, or a cleaning step is pending (the clean position published ahead of
     * the limit + {@link LogDescriptor#CLEAN_GUARD_LENGTH}); if it stays so after the holder died, the broker has
     * not recovered it.
     */
    public boolean isCleaning()
    {
        return 0 != cleanerPid || cleanPosition != producerLimit + LogDescriptor.CLEAN_GUARD_LENGTH;
    }

    /** True when one of the first {@value #MAX_CLAIMS_LISTED} open claims is by this producer id. */
    public boolean hasClaimBy(final int producerId)
    {
        for (final int id : claimProducerIds)
        {
            if (id == producerId)
            {
                return true;
            }
        }
        return false;
    }

    /** True when a claim that is not committed sits between the slowest consumer and the tail. */
    public boolean hasOpenClaim()
    {
        return claimsWithHeader > 0 || claimWithoutHeader;
    }

    public String toString()
    {
        return "tail " + tail + ", producer limit " + producerLimit + ", clean position " + cleanPosition +
            (0 != cleanerPid ? ", clean lock held by pid " + cleanerPid : "") +
            (cleanPosition != producerLimit + LogDescriptor.CLEAN_GUARD_LENGTH ? " (a cleaning step pending: the " +
            "limit is not clean position - " + LogDescriptor.CLEAN_GUARD_LENGTH + ")" : "") +
            ", archived " + archivedPosition + ", slowest of " +
            activeConsumers + " consumer(s) at " + slowestConsumer + ", open claims after it: " + claimsWithHeader +
            (claimsWithHeader > 0 ? " (by producer ids " + Arrays.toString(claimProducerIds) + ")" : "") +
            (claimWithoutHeader ? " and one without a header at " + walkedTo : "") +
            (wrongPositionAt >= 0 ? ", a frame whose header does not hold its position at " + wrongPositionAt : "") +
            ", walked to " + walkedTo;
    }
}
