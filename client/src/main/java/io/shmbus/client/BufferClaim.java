package io.shmbus.client;

import io.shmbus.client.log.FrameDescriptor;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A region of the ring claimed by {@link Producer#tryClaim(int, BufferClaim)} or
 * {@link ExclusiveProducer#tryClaim(int, BufferClaim)}: write the payload in place, then {@link #commit()} or
 * {@link #abort()}. Reusable; not thread-safe: keep one per thread.
 */
public final class BufferClaim
{
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private UnsafeBuffer ring;
    private Publisher producer;
    private int frameOffset;
    private int frameLength;

    void wrap(final Publisher producer, final UnsafeBuffer ring, final int frameOffset, final int frameLength)
    {
        this.producer = producer;
        this.ring = ring;
        this.frameOffset = frameOffset;
        this.frameLength = frameLength;
        view.wrap(ring, frameOffset, frameLength);
    }

    /** The whole frame, header included; write the payload from {@link #offset()}. */
    public MutableDirectBuffer buffer()
    {
        return view;
    }

    /** Offset of the payload in {@link #buffer()}. */
    public int offset()
    {
        return FrameDescriptor.HEADER_LENGTH;
    }

    /** Payload length claimed. */
    public int length()
    {
        return frameLength - FrameDescriptor.HEADER_LENGTH;
    }

    /** Sets the producer id field, for relays that keep the original producer's identity. */
    public BufferClaim producerId(final int producerId)
    {
        view.putInt(FrameDescriptor.PRODUCER_ID_OFFSET, producerId);
        return this;
    }

    /** Publishes the message: consumers see it after this call. */
    public void commit()
    {
        if (null != producer)
        {
            producer.commit(ring, frameOffset, frameLength);
            producer = null;
        }
    }

    /** Gives the claim back as padding: consumers skip it. */
    public void abort()
    {
        if (null != producer)
        {
            producer.abort(ring, frameOffset, frameLength);
            producer = null;
        }
    }
}
