package io.shmbus.client.log;

import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.client.log.LogDescriptor.*;

/**
 * The consumer position slots of a log: joining at a start position without racing the cleaner, and the slowest
 * position that flow control must honour. Thread-safe.
 * <p>
 * Joining is a Dekker-style handshake with {@link FlowControl}: the joiner publishes its position with a volatile
 * store and then re-reads the clean position; the cleaner claims a range with a CAS and then re-reads the slots.
 * Whichever runs second sees the other, so the joiner never starts on bytes that are about to be zeroed.
 */
public final class ConsumerSlots
{
    private static final long BOUNDARY_WAIT_NS = 1_000_000_000L;

    private final TopicLog log;
    private final UnsafeBuffer meta;

    public ConsumerSlots(final TopicLog log)
    {
        this.log = log;
        this.meta = log.metaData();
    }

    /**
     * Takes a free slot for a consumer of this process.
     *
     * @throws ShmbusException when every slot is taken.
     */
    public int reserve()
    {
        for (int i = 0; i < CONSUMER_SLOT_COUNT; i++)
        {
            final int offset = slotOffset(i) + SLOT_STATE_OFFSET;
            if (meta.getIntVolatile(offset) == SLOT_FREE && meta.compareAndSetInt(offset, SLOT_FREE, SLOT_RESERVED))
            {
                // a reservation stamp, so the broker can tell a reservation its process never completed (it died
                // here) from one in progress
                meta.putLong(slotOffset(i) + SLOT_OWNER_PID_OFFSET, ProcessHandle.current().pid());
                meta.putLongVolatile(slotOffset(i) + SLOT_HEARTBEAT_OFFSET, nextStamp(slotOffset(i)));
                return i;
            }
        }
        throw new ShmbusException("all " + CONSUMER_SLOT_COUNT + " consumer slots of topic '" + log.topic() +
            "' are in use");
    }

    /**
     * Makes a reserved slot active at the start position and returns the exact position the consumer starts at.
     *
     * @throws PositionUnavailableException when an exact position is overwritten, beyond the tail or not a frame
     *                                      boundary; the slot is released.
     */
    public long activate(final int slot, final StartPosition start)
    {
        return activate(slot, start, ProcessHandle.current().pid());
    }

    /**
     * As {@link #activate(int, StartPosition)}, for a consumer in the process {@code ownerPid} (the broker
     * activates slots on behalf of its clients).
     */
    public long activate(final int slot, final StartPosition start, final long ownerPid)
    {
        return activate(slot, start, ownerPid, true);
    }

    /**
     * As {@link #activate(int, StartPosition, long)} at an exact position the caller knows to be a frame boundary
     * (the end of the archive), so it is not checked: the frame there may be a claim whose producer died before
     * writing anything, which only the unblocker can later turn into padding.
     */
    public long activateAtBoundary(final int slot, final long position, final long ownerPid)
    {
        return activate(slot, StartPosition.at(position), ownerPid, false);
    }

    private long activate(final int slot, final StartPosition start, final long ownerPid, final boolean check)
    {
        final int offset = slotOffset(slot);
        final int capacity = log.capacity();
        long position;
        if (start.isLatest())
        {
            position = log.tailVolatile();
        }
        else if (start.isEarliest())
        {
            position = log.cleanPositionVolatile() - capacity;
        }
        else if (start.isTime())
        {
            release(slot);
            throw new io.shmbus.client.ConfigurationException(
                "a start at a time needs the broker (ShmBus), which resolves it to a position");
        }
        else
        {
            position = start.position();
        }

        meta.putLong(offset + SLOT_POSITION_OFFSET, position);
        meta.putInt(offset + SLOT_FLAGS_OFFSET, 0);
        meta.putLong(offset + SLOT_OWNER_PID_OFFSET, ownerPid);
        meta.putLong(offset + SLOT_HEARTBEAT_OFFSET, nextStamp(offset));
        meta.putLong(offset + SLOT_COMMITTED_POSITION_OFFSET, NO_COMMIT);
        if (!meta.compareAndSetInt(offset + SLOT_STATE_OFFSET, SLOT_RESERVED, SLOT_ACTIVE))
        {
            throw new ShmbusException("consumer slot " + slot + " of topic '" + log.topic() + "' was taken back by " +
                "the broker while this process joined: it stalled for longer than the reservation timeout");
        }

        while (true)
        {
            final long earliest = log.cleanPositionVolatile() - capacity;
            if (earliest <= position)
            {
                break;
            }
            if (!start.isEarliest() && !start.isLatest())
            {
                release(slot);
                throw new PositionUnavailableException("position " + position + " of topic '" + log.topic() +
                    "' is no longer in the ring; the earliest available is " + earliest);
            }
            position = earliest;
            meta.putLongVolatile(offset + SLOT_POSITION_OFFSET, position);
        }

        if (check && !start.isEarliest() && !start.isLatest())
        {
            checkBoundary(slot, position);
        }
        return position;
    }

    private void checkBoundary(final int slot, final long position)
    {
        if ((position & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            release(slot);
            throw new PositionUnavailableException("position " + position + " is not the start of a frame: " +
                "frames start at multiples of " + FrameDescriptor.FRAME_ALIGNMENT);
        }
        final long tail = log.tailVolatile();
        if (position > tail)
        {
            release(slot);
            throw new PositionUnavailableException("position " + position + " of topic '" + log.topic() +
                "' is beyond the tail " + tail);
        }
        if (position == tail)
        {
            return;
        }
        final UnsafeBuffer ring = log.ring();
        final int frameOffset = (int)position & log.mask();
        final long deadline = System.nanoTime() + BOUNDARY_WAIT_NS;
        while (true)
        {
            final long word = ring.getLongVolatile(frameOffset + FrameDescriptor.FRAME_LENGTH_OFFSET);
            final long framePosition = ring.getLongVolatile(frameOffset + FrameDescriptor.POSITION_OFFSET);
            // producers write a frame's position before its header, and the unblocker holds a slot before it
            // writes the position: either is a frame start
            if (framePosition == position || LogUnblocker.HELD_SLOT == word)
            {
                return;
            }
            final int length = FrameDescriptor.frameLength(word);
            if (length > 0 || System.nanoTime() - deadline > 0)
            {
                release(slot);
                throw new PositionUnavailableException("position " + position + " of topic '" + log.topic() +
                    "' is not the start of a frame");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Takes back a slot reserved by a process that never activated it (it died between the two): the broker's
     * repair, after the reservation has stood unchanged for longer than any join takes.
     *
     * @return true if the slot was reserved with this stamp and is now free.
     */
    public boolean reclaimReservation(final int slot, final long reservationStamp)
    {
        final int offset = slotOffset(slot);
        return meta.getLongVolatile(offset + SLOT_HEARTBEAT_OFFSET) == reservationStamp &&
            meta.compareAndSetInt(offset + SLOT_STATE_OFFSET, SLOT_RESERVED, SLOT_FREE);
    }

    /**
     * The stamp of a slot's last reservation or activation: about the time it was made, epoch ms, and always
     * greater than the stamp before it, so it tells one holder of the slot from the next even within a millisecond
     * (the broker keeps a named consumer's commits to the holder it attached).
     */
    public long reservationStamp(final int slot)
    {
        return meta.getLongVolatile(slotOffset(slot) + SLOT_HEARTBEAT_OFFSET);
    }

    /** A stamp greater than the slot's current one; the caller owns the slot (reserved it, or is activating it). */
    private long nextStamp(final int slotOffset)
    {
        return Math.max(System.currentTimeMillis(), meta.getLong(slotOffset + SLOT_HEARTBEAT_OFFSET) + 1);
    }

    /** Frees a slot; producers stop honouring its position. */
    public void release(final int slot)
    {
        meta.putIntVolatile(slotOffset(slot) + SLOT_STATE_OFFSET, SLOT_FREE);
    }

    /**
     * Drops a consumer whose process is alive but silent: producers stop honouring it, and the slot is not reused
     * until its owner frees it ({@link #freeRevoked(int)}) or its process is gone.
     *
     * @return true if the slot was active and is now revoked.
     */
    public boolean revoke(final int slot)
    {
        final int offset = slotOffset(slot) + SLOT_STATE_OFFSET;
        return meta.compareAndSetInt(offset, SLOT_ACTIVE, SLOT_REVOKED) ||
            meta.compareAndSetInt(offset, SLOT_DETACHING, SLOT_REVOKED) ||
            meta.compareAndSetInt(offset, SLOT_DETACHED, SLOT_REVOKED);
    }

    /** Marks an active slot's owner as able to continue from the archive; only such slots are ever detached. */
    public void markArchiveFallback(final int slot)
    {
        meta.putIntVolatile(slotOffset(slot) + SLOT_FLAGS_OFFSET, SLOT_FLAG_ARCHIVE_FALLBACK);
    }

    public boolean isArchiveFallback(final int slot)
    {
        return (meta.getIntVolatile(slotOffset(slot) + SLOT_FLAGS_OFFSET) & SLOT_FLAG_ARCHIVE_FALLBACK) != 0;
    }

    /**
     * Asks the owner of an active slot to continue from the archive (slow-consumer policy "archive"); producers
     * stay held by the slot until it is detached.
     *
     * @return true if the slot was active and is now detaching.
     */
    public boolean requestDetach(final int slot)
    {
        return meta.compareAndSetInt(slotOffset(slot) + SLOT_STATE_OFFSET, SLOT_ACTIVE, SLOT_DETACHING);
    }

    /**
     * Completes a detach: flow control stops honouring the slot. The owner calls this when it has stopped reading
     * the ring; the broker calls it for an owner that does not poll within the detach timeout.
     *
     * @return true if the slot was detaching and is now detached.
     */
    public boolean detach(final int slot)
    {
        return meta.compareAndSetInt(slotOffset(slot) + SLOT_STATE_OFFSET, SLOT_DETACHING, SLOT_DETACHED);
    }

    /**
     * Moves an active slot straight to detached; the broker does this for a consumer that starts with a replay of
     * the archive on a topic whose slow-consumer policy is "archive", so the replay does not hold producers.
     */
    public boolean detachActive(final int slot)
    {
        return meta.compareAndSetInt(slotOffset(slot) + SLOT_STATE_OFFSET, SLOT_ACTIVE, SLOT_DETACHED);
    }

    /**
     * A detached consumer that has read the archive up to {@code position} rejoins the ring there, if the ring
     * still holds it. The same handshake as joining: publish the position and the state, then re-read the clean
     * position; a cleaner that claimed a range before our store is seen here, one that claims after sees us.
     *
     * @return true if the slot is active at {@code position}; false if the ring has moved past it (the slot stays
     * detached: read more of the archive and try again) or the slot is no longer detached (revoked).
     */
    public boolean rejoin(final int slot, final long position)
    {
        final int offset = slotOffset(slot);
        meta.putLongVolatile(offset + SLOT_POSITION_OFFSET, position);
        if (!meta.compareAndSetInt(offset + SLOT_STATE_OFFSET, SLOT_DETACHED, SLOT_ACTIVE))
        {
            return false;
        }
        if (log.cleanPositionVolatile() - log.capacity() <= position)
        {
            return true;
        }
        if (!meta.compareAndSetInt(offset + SLOT_STATE_OFFSET, SLOT_ACTIVE, SLOT_DETACHED))
        {
            meta.compareAndSetInt(offset + SLOT_STATE_OFFSET, SLOT_DETACHING, SLOT_DETACHED); // asked meanwhile
        }
        return false;
    }

    /** Frees a revoked slot; its owner calls this once it has seen the revocation. */
    public boolean freeRevoked(final int slot)
    {
        return meta.compareAndSetInt(slotOffset(slot) + SLOT_STATE_OFFSET, SLOT_REVOKED, SLOT_FREE);
    }

    public int stateVolatile(final int slot)
    {
        return meta.getIntVolatile(slotOffset(slot) + SLOT_STATE_OFFSET);
    }

    /** Publishes a consumer's progress. Only the slot's owner calls this. */
    public void positionRelease(final int slot, final long position)
    {
        meta.putLongRelease(slotOffset(slot) + SLOT_POSITION_OFFSET, position);
    }

    /**
     * Publishes a named consumer's acknowledged position (the next position it wants after a restart) with an
     * ordered store; the broker reads it and persists it. Only the slot's owner calls this.
     */
    public void committedPositionRelease(final int slot, final long position)
    {
        meta.putLongRelease(slotOffset(slot) + SLOT_COMMITTED_POSITION_OFFSET, position);
    }

    /** The last position the slot's owner committed, or {@link LogDescriptor#NO_COMMIT}. */
    public long committedPositionVolatile(final int slot)
    {
        return meta.getLongVolatile(slotOffset(slot) + SLOT_COMMITTED_POSITION_OFFSET);
    }

    /** The process that owns a slot (or reserved it last). */
    public long ownerPidVolatile(final int slot)
    {
        return meta.getLongVolatile(slotOffset(slot) + SLOT_OWNER_PID_OFFSET);
    }

    /**
     * @param none value returned when no slot is active.
     * @return the lowest position of the slots that hold producers (active or detaching).
     */
    public long minPosition(final long none)
    {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (int i = 0; i < CONSUMER_SLOT_COUNT; i++)
        {
            final int offset = slotOffset(i);
            final int state = meta.getIntVolatile(offset + SLOT_STATE_OFFSET);
            if (state == SLOT_ACTIVE || state == SLOT_DETACHING)
            {
                any = true;
                min = Math.min(min, meta.getLongVolatile(offset + SLOT_POSITION_OFFSET));
            }
        }
        return any ? min : none;
    }

    /** Number of consumers in the ring or reading the archive. */
    public int activeCount()
    {
        int count = 0;
        for (int i = 0; i < CONSUMER_SLOT_COUNT; i++)
        {
            final int state = meta.getIntVolatile(slotOffset(i) + SLOT_STATE_OFFSET);
            if (state == SLOT_ACTIVE || state == SLOT_DETACHING || state == SLOT_DETACHED)
            {
                count++;
            }
        }
        return count;
    }
}
