package io.shmbus.client.log;

import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Turns an abandoned claim into padding, so that a producer that died (or stalled past the unblock timeout) between
 * claim and commit blocks no one: consumers skip the padding and go on to every committed message after it.
 * <p>
 * Deciding that a claim is abandoned (a consumer stuck at the same position for longer than the timeout) is the
 * caller's job; this class performs the change so that it never races a producer into losing or reviving a
 * message:
 * <ul>
 *     <li>A claim with a header (commit word {@code -length}) becomes padding of the same length by one CAS of its
 *     commit word. Producers write a frame's position before its header, so the position is already right; a
 *     late {@code commit()} writes only the length and leaves it padding.</li>
 *     <li>Claimed space whose header was never written is padded one {@link FrameDescriptor#FRAME_ALIGNMENT} slot at
 *     a time, from the blocked position up to the first header written or the tail read at the start. Each slot is
 *     taken by a CAS from 0 to {@link #HELD_SLOT} (still blocking readers), its position written, then released as
 *     a padding slot. A producer whose claim starts in that space takes its header by a CAS from 0 too: it loses,
 *     and claims again, so a live producer's message is never swallowed. The unblocker writes only into slots it
 *     holds while they still block readers, so nothing it writes can land in a later lap.</li>
 * </ul>
 * A slot left held by an unblocker that died is finished by the next one.
 * <p>
 * Thread-safe, but meant for one caller (the broker's conductor).
 */
public final class LogUnblocker
{
    /** Commit word of a slot the unblocker holds: a negative length, so readers wait at it. */
    public static final long HELD_SLOT = commitWord(-FRAME_ALIGNMENT, TYPE_PAD, (byte)0);
    /** Commit word of a released slot: one alignment unit of padding. */
    public static final long PADDING_SLOT = commitWord(FRAME_ALIGNMENT, TYPE_PAD, (byte)0);

    private final TopicLog log;
    private final UnsafeBuffer ring;
    private final int mask;

    public LogUnblocker(final TopicLog log)
    {
        this.log = log;
        this.ring = log.ring();
        this.mask = log.mask();
    }

    /**
     * Unblocks the frame at {@code position}, which must be a frame boundary below the tail.
     *
     * @return true if a claim was turned into padding, false if the frame was committed or not claimed.
     */
    public boolean unblock(final long position)
    {
        final int offset = (int)position & mask;
        final long word = ring.getLongVolatile(offset + FRAME_LENGTH_OFFSET);
        final int length = frameLength(word);
        if (length > 0)
        {
            return false;
        }
        final long tail = log.tailVolatile();
        if (position >= tail)
        {
            return false; // not claimed: nothing to unblock
        }
        if (length < 0 && HELD_SLOT != word)
        {
            // the producer wrote its position and header, and never committed
            return ring.compareAndSetLong(offset + FRAME_LENGTH_OFFSET, word, commitWord(-length, TYPE_PAD, (byte)0));
        }
        return padUnwrittenClaims(position, tail) > 0;
    }

    /**
     * Pads slot by slot from {@code from} up to the first slot that holds a header (or anything but a slot left
     * held by an earlier unblocker) or to {@code tail}.
     *
     * @return the number of slots padded.
     */
    private int padUnwrittenClaims(final long from, final long tail)
    {
        long position = from;
        int padded = 0;
        while (position < tail)
        {
            final int offset = (int)position & mask;
            final long word = ring.getLongVolatile(offset + FRAME_LENGTH_OFFSET);
            if (HELD_SLOT != word &&
                (0 != word || !ring.compareAndSetLong(offset + FRAME_LENGTH_OFFSET, 0L, HELD_SLOT)))
            {
                break; // a producer's header: its frame is not ours to pad
            }
            ring.putLong(offset + POSITION_OFFSET, position);
            ring.putLongRelease(offset + FRAME_LENGTH_OFFSET, PADDING_SLOT);
            position += FRAME_ALIGNMENT;
            padded++;
        }
        return padded;
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
