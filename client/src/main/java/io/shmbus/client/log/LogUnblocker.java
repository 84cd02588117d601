package io.shmbus.client.log;

import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Turns an abandoned claim into padding, so that a producer that died (or stalled past the unblock timeout) between
 * claim and commit blocks no one: consumers skip the padding and go on to every committed message after it.
 * <p>
 * Deciding that a claim is abandoned (a consumer stuck at the same position for longer than the timeout) is the
 * caller's job: this class only performs the change, with a CAS, so a claim committed meanwhile is left alone and
 * a producer committing after the change cannot turn the padding back into a message.
 * <p>
 * Thread-safe.
 */
public final class LogUnblocker
{
    private final TopicLog log;

    public LogUnblocker(final TopicLog log)
    {
        this.log = log;
    }

    /**
     * Unblocks the frame at {@code position}, which must be a frame boundary below the tail.
     *
     * @return true if a claim was turned into padding, false if the frame was committed or not claimed.
     */
    public boolean unblock(final long position)
    {
        final UnsafeBuffer ring = log.ring();
        final int frameOffset = (int)position & log.mask();
        final long word = ring.getLongVolatile(frameOffset + FRAME_LENGTH_OFFSET);
        final int length = frameLength(word);
        if (length > 0)
        {
            return false;
        }
        if (length < 0)
        {
            // claimed with a header: the producer wrote everything but the commit
            return ring.compareAndSetLong(frameOffset + FRAME_LENGTH_OFFSET, word, commitWord(-length, TYPE_PAD,
                (byte)0));
        }

        final long tail = log.tailVolatile();
        if (position >= tail)
        {
            return false; // not claimed: nothing to unblock
        }
        // Claimed but the header was never written. The ring is zeroed ahead of producers, so the claim ends at
        // the next non-zero frame start, the tail, or the end of the ring, whichever comes first.
        final int ringEnd = log.capacity();
        final long scanLimit = Math.min(tail - position, ringEnd - frameOffset);
        int padLength = FRAME_ALIGNMENT;
        while (padLength < scanLimit && 0 == ring.getIntVolatile(frameOffset + padLength))
        {
            padLength += FRAME_ALIGNMENT;
        }
        ring.putLong(frameOffset + POSITION_OFFSET, position);
        return ring.compareAndSetLong(frameOffset + FRAME_LENGTH_OFFSET, 0L, commitWord(padLength, TYPE_PAD,
            (byte)0));
    }

    /**
     * @return true when the frame at the position is claimed but not committed.
     */
    public boolean isBlocked(final long position)
    {
        if (position >= log.tailVolatile())
        {
            return false;
        }
        return log.ring().getIntVolatile(((int)position & log.mask()) + FRAME_LENGTH_OFFSET) <= 0;
    }
}
