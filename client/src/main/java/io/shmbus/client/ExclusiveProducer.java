package io.shmbus.client;

import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.EpochNanoClock;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * The one producer of a topic: claims space with no atomic instruction, because no other producer writes the tail.
 * Each claim writes the whole frame header (its length negative) past the tail, where no reader or unblocker looks,
 * then publishes the tail with a release store; the commit is a release store of the length, as for a shared
 * {@link Producer}. So a reader never meets space claimed without a header, and the broker's unblocker only ever
 * pads a claimed frame with one CAS of its commit word. A topic has an exclusive producer only when the broker
 * granted it (no other producer is registered, and none may register while it lives); bytes an exclusive producer
 * that died left past the tail are cleared by the broker before the topic takes another producer.
 * <p>
 * Not thread-safe: publish from one thread at a time. The hot path ({@link #offer}, {@link #tryClaim},
 * {@link BufferClaim#commit()}) allocates nothing and never throws; its results are those of {@link Producer}.
 */
public final class ExclusiveProducer extends Publisher
{
    private long tail;

    ExclusiveProducer(
        final TopicLog log,
        final FlowControl flowControl,
        final EpochNanoClock clock,
        final boolean checksums,
        final Runnable onClose)
    {
        super(log, flowControl, clock, checksums, onClose);
        this.tail = log.tailVolatile();
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
        final long tail = this.tail;
        final int toEnd = capacity - ((int)tail & mask);
        final int padding = alignedLength > toEnd ? toEnd : 0;
        final long newTail = tail + padding + alignedLength;
        if (newTail > slowPathThreshold && !updateLimit(tail, newTail))
        {
            return Producer.BACK_PRESSURED;
        }

        // everything up to the tail store lies past the published tail: nobody reads it yet
        final int padOffset = (int)tail & mask;
        if (padding > 0)
        {
            ring.putLong(padOffset + POSITION_OFFSET, tail);
            ring.putLong(padOffset + FRAME_LENGTH_OFFSET, commitWord(-padding, TYPE_PAD, (byte)0));
        }
        final long framePosition = tail + padding;
        final int offset = (int)framePosition & mask;
        ring.putLong(offset + POSITION_OFFSET, framePosition);
        ring.putLong(offset + TIMESTAMP_OFFSET, clock.nanoTime());
        ring.putInt(offset + PRODUCER_ID_OFFSET, producerId);
        ring.putInt(offset + CHECKSUM_OFFSET, 0);
        ring.putLong(offset + FRAME_LENGTH_OFFSET, commitWord(-frameLength, TYPE_DATA, flags));
        log.tailRelease(newTail);
        this.tail = newTail;
        if (padding > 0)
        {
            // committed only once the tail covers it: a padding frame past the tail would send readers past space
            // the next producer may write
            ring.putLongRelease(padOffset + FRAME_LENGTH_OFFSET, commitWord(padding, TYPE_PAD, (byte)0));
        }
        return newTail;
    }

    /** The position this producer's next claim starts at. */
    public long position()
    {
        return tail;
    }
}
