package io.shmbus.client;

import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.EpochNanoClock;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Publishes messages to a topic's ring. Thread-safe: any number of threads, in any number of processes, may
 * publish to one topic at once without locks; a CAS on the tail orders them.
 * <p>
 * The hot path ({@link #offer}, {@link #tryClaim}, {@link BufferClaim#commit()}) allocates nothing and never
 * throws: it returns the new stream position, or one of the negative codes below.
 */
public final class Producer extends Publisher
{
    /** Slow consumers hold the ring: retry later. */
    public static final long BACK_PRESSURED = -1;
    /** Flow control did work on this call: retry at once. */
    public static final long ADMIN_ACTION = -2;
    /** The producer or its topic is closed. */
    public static final long CLOSED = -3;
    /** The payload is longer than {@link #maxMessageLength()}. */
    public static final long MAX_MESSAGE_LENGTH_EXCEEDED = -4;
    /** The payload length is zero or negative. */
    public static final long INVALID_LENGTH = -5;

    Producer(final TopicLog log, final FlowControl flowControl, final EpochNanoClock clock, final boolean checksums)
    {
        this(log, flowControl, clock, checksums, null);
    }

    Producer(
        final TopicLog log,
        final FlowControl flowControl,
        final EpochNanoClock clock,
        final boolean checksums,
        final Runnable onClose)
    {
        super(log, flowControl, clock, checksums, onClose);
        if (0 != log.exclusiveOwnerPidVolatile())
        {
            throw new ShmbusException("topic '" + log.topic() + "' has an exclusive producer (process " +
                log.exclusiveOwnerPidVolatile() + "): no other producer may publish to it");
        }
    }

    long claim(final int length)
    {
        final long refusal = refusal(length);
        if (0 != refusal)
        {
            return refusal;
        }

        final int frameLength = length + HEADER_LENGTH;
        final int alignedLength = alignedLength(frameLength);
        while (true)
        {
            final long tail = log.tailVolatile();
            final int toEnd = capacity - ((int)tail & mask);
            final int padding = alignedLength > toEnd ? toEnd : 0;
            final long newTail = tail + padding + alignedLength;
            if (newTail > slowPathThreshold && !updateLimit(tail, newTail))
            {
                return BACK_PRESSURED;
            }
            if (log.casTail(tail, newTail))
            {
                if (padding > 0)
                {
                    writePadding(tail, padding);
                }
                if (writeHeader(tail + padding, frameLength))
                {
                    return newTail;
                }
                // Descheduled past the unblock timeout between the two CASes: the broker turned this claim into
                // padding, and a message written into it would be skipped. Claim again.
            }
        }
    }

    /**
     * Pads the end of the ring before a frame that does not fit there. The CAS fails only when the broker has
     * already padded the space (this producer stalled past the unblock timeout): it is padding either way.
     */
    private void writePadding(final long position, final int padding)
    {
        final int offset = (int)position & mask;
        ring.putLong(offset + POSITION_OFFSET, position);
        ring.compareAndSetLong(offset + FRAME_LENGTH_OFFSET, 0L, commitWord(padding, TYPE_PAD, (byte)0));
    }

    /**
     * Takes the claimed frame with a CAS of its commit word from 0 to {@code -frameLength}. The position goes first,
     * so a claim with a header always names its own position, whoever pads it later.
     *
     * @return false if the broker's unblocker took the frame first.
     */
    private boolean writeHeader(final long position, final int frameLength)
    {
        final int offset = (int)position & mask;
        ring.putLong(offset + POSITION_OFFSET, position);
        if (!ring.compareAndSetLong(offset + FRAME_LENGTH_OFFSET, 0L, commitWord(-frameLength, TYPE_DATA, flags)))
        {
            return false;
        }
        ring.putLong(offset + TIMESTAMP_OFFSET, clock.nanoTime());
        ring.putInt(offset + PRODUCER_ID_OFFSET, producerId);
        ring.putInt(offset + CHECKSUM_OFFSET, 0);
        return true;
    }

    /** The position the next claim of the topic (by any producer) starts at. */
    public long position()
    {
        return log.tailVolatile();
    }

    /** A readable name for a result code of {@link #offer} or {@link #tryClaim}. */
    public static String resultName(final long result)
    {
        if (result >= 0)
        {
            return "position " + result;
        }
        if (result == BACK_PRESSURED)
        {
            return "BACK_PRESSURED";
        }
        if (result == ADMIN_ACTION)
        {
            return "ADMIN_ACTION";
        }
        if (result == CLOSED)
        {
            return "CLOSED";
        }
        if (result == MAX_MESSAGE_LENGTH_EXCEEDED)
        {
            return "MAX_MESSAGE_LENGTH_EXCEEDED";
        }
        if (result == INVALID_LENGTH)
        {
            return "INVALID_LENGTH";
        }
        return "UNKNOWN(" + result + ")";
    }
}
