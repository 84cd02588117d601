package io.shmbus.client;

import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * The only writer of a mirrored topic's ring: copies whole frames received from the source broker (header and
 * payload exactly as received, each at its original stream position), so the mirror's ring and segment files are
 * byte for byte the source's. Like the {@link ExclusiveProducer} it needs no atomic instruction: it writes the
 * frame past the tail with a negative length, publishes the tail with a release store, and commits with a release
 * store of the commit word as received. A frame that is not exactly at the tail, or that would cross the ring's end
 * (the mirror's capacity differs from the source's), is refused with a {@link MirrorFrameException} and not
 * written.
 * <p>
 * {@link #resumePosition()} must be called once before the first {@link #write}: it finds where the stream goes on
 * and repairs what a writer killed mid-frame left (docs/reliability.md, "Mirror writer").
 * <p>
 * Not thread-safe: one thread writes. {@link #write} allocates nothing and throws only for a refused frame.
 */
public final class MirrorWriter
{
    private final TopicLog log;
    private final UnsafeBuffer ring;
    private final FlowControl flowControl;
    private final int capacity;
    private final int mask;
    private final int maxFrameLength;
    private final int sampleStep;
    private long position = -1;
    /** The end of a frame a killed writer left claimed at {@link #position}, or -1: it is written again there. */
    private long claimedEnd = -1;
    private long nextSample;

    /**
     * @param log         the mirrored topic's mapped log.
     * @param flowControl the flow control over the same mapping, through which this writer moves the producer limit
     *                    when it reaches it.
     */
    public MirrorWriter(final TopicLog log, final FlowControl flowControl)
    {
        this.log = log;
        this.ring = log.ring();
        this.flowControl = flowControl;
        this.capacity = log.capacity();
        this.mask = log.mask();
        this.maxFrameLength = log.maxMessageLength() + HEADER_LENGTH;
        this.sampleStep = Math.max(FRAME_ALIGNMENT, capacity >> 4);
    }

    /**
     * Finds where the stream goes on: after the last committed frame. A frame a killed writer left claimed (its tail
     * published, its commit word negative) is written again at its position by the next {@link #write}; bytes it
     * left past the tail before publishing it are zeroed, so the space ahead is clean again.
     *
     * @return the position of the next frame to write.
     */
    public long resumePosition()
    {
        final long tail = log.tailVolatile();
        final long committedEnd = log.walkCommitted(Math.max(log.earliestPosition(), log.initialPosition()), tail);
        if (committedEnd < tail)
        {
            final int commitLength = ring.getIntVolatile((int)committedEnd & mask);
            if (commitLength >= 0 || committedEnd + alignedLength(-commitLength) != tail)
            {
                throw new MirrorFrameException("topic '" + log.topic() + "': the ring is not a mirror's: at " +
                    committedEnd + " a frame of length " + commitLength + " that does not end at the tail " + tail);
            }
            claimedEnd = tail;
        }
        final long end = Math.min(log.producerLimitVolatile() + io.shmbus.client.log.LogDescriptor.CLEAN_GUARD_LENGTH,
            tail + alignedLength(maxFrameLength));
        log.zero(tail, end);
        position = committedEnd;
        nextSample = position;
        return position;
    }

    /**
     * Writes the frame at {@code frameOffset} in {@code buffer} (its whole aligned length must be there) at the
     * position its header gives.
     *
     * @return the position after the frame, or {@link Producer#BACK_PRESSURED} when consumers (or the archiver) have
     * not freed the space yet: nothing was written, write it again later.
     * @throws MirrorFrameException when the frame is not at {@link #position()}, is not a whole stored frame, or
     *                              would cross the ring's end; nothing was written.
     */
    public long write(final DirectBuffer buffer, final int frameOffset)
    {
        final long commitWord = buffer.getLong(frameOffset + FRAME_LENGTH_OFFSET);
        final long framePosition = buffer.getLong(frameOffset + POSITION_OFFSET);
        final int frameLength = frameLength(commitWord);
        final short type = type(commitWord);
        check(framePosition, frameLength, type);
        final int alignedLength = alignedLength(frameLength);
        final long end = framePosition + alignedLength;
        final int offset = (int)framePosition & mask;
        if (claimedEnd >= 0)
        {
            if (end != claimedEnd)
            {
                throw new MirrorFrameException("topic '" + log.topic() + "': the frame at " + framePosition +
                    " ends at " + end + " but the frame left claimed there ends at " + claimedEnd);
            }
            ring.putBytes(offset + POSITION_OFFSET, buffer, frameOffset + POSITION_OFFSET, alignedLength - 8);
            ring.putLongRelease(offset + FRAME_LENGTH_OFFSET, commitWord);
            claimedEnd = -1;
            position = end;
            return end;
        }
        if (end > log.producerLimitVolatile())
        {
            flowControl.sample(framePosition);
            if (end > flowControl.tryAdvance())
            {
                return Producer.BACK_PRESSURED;
            }
        }
        // past the published tail, nobody reads these bytes yet
        ring.putBytes(offset + POSITION_OFFSET, buffer, frameOffset + POSITION_OFFSET, alignedLength - 8);
        ring.putLong(offset + FRAME_LENGTH_OFFSET, commitWord(-frameLength, type, (byte)(commitWord >>> 48)));
        log.tailRelease(end);
        ring.putLongRelease(offset + FRAME_LENGTH_OFFSET, commitWord);
        position = end;
        if (end >= nextSample)
        {
            flowControl.sample(end); // a frame boundary, for the broker's cleaning in small steps
            nextSample = end + sampleStep;
        }
        return end;
    }

    private void check(final long framePosition, final int frameLength, final short type)
    {
        if (position < 0)
        {
            throw new IllegalStateException("resumePosition() must be called before the first write");
        }
        if (framePosition != position)
        {
            throw new MirrorFrameException("topic '" + log.topic() + "': a frame at position " + framePosition +
                " where the mirror's tail is " + position + ": refused, it would leave a " +
                (framePosition > position ? "gap" : "duplicate"));
        }
        if ((TYPE_DATA != type && TYPE_PAD != type) || frameLength < HEADER_LENGTH ||
            (TYPE_DATA == type && frameLength > maxFrameLength))
        {
            throw new MirrorFrameException("topic '" + log.topic() + "': the frame at position " + framePosition +
                " (type " + type + ", length " + frameLength + ") is not a stored frame this mirror can hold " +
                "(max message length " + log.maxMessageLength() + ")");
        }
        final int offset = (int)framePosition & mask;
        if (offset + alignedLength(frameLength) > capacity)
        {
            throw new MirrorFrameException("topic '" + log.topic() + "': the frame at position " + framePosition +
                " of " + alignedLength(frameLength) + " bytes crosses the end of the mirror's ring of capacity " +
                capacity + ", so the source's ring has another capacity (the frame starts at its offset " +
                offset + " there too): give the mirror the source's capacity");
        }
    }

    /** The position of the next frame to write: the mirror's tail once {@link #resumePosition()} was called. */
    public long position()
    {
        return position;
    }

    public String topic()
    {
        return log.topic();
    }
}
