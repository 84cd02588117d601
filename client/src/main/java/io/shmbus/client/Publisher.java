package io.shmbus.client;

import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * What the shared {@link Producer} and the {@link ExclusiveProducer} have in common, for code that publishes
 * through either: {@link #offer}, {@link #tryClaim}, commit and abort of claims, checksums, and the slow path that
 * moves the producer limit. Each subclass has its own way to claim space; there are no others.
 * <p>
 * Threading as the subclass says. The hot path allocates nothing and never throws: results are the new stream
 * position or one of the negative codes of {@link Producer}.
 */
public abstract class Publisher implements AutoCloseable
{
    /** Producers clean at most this much at a time when near the limit: a few microseconds. */
    private static final int CLEAN_STEP_MAX = 64 * 1024;

    final TopicLog log;
    final UnsafeBuffer ring;
    final FlowControl flowControl;
    final EpochNanoClock clock;
    final int capacity;
    final int mask;
    final int maxMessageLength;
    final int producerId;
    final byte flags;
    final int cleanStep;
    private final boolean checksums;
    private final ThreadLocal<ChecksumScratch> checksumScratch;
    private final Runnable onClose;
    // Shared by all publishing threads of a shared producer: a plain field is enough because it is only ever
    // derived from a limit that was really published, and a stale (lower) value only sends a thread down the slow
    // path.
    long slowPathThreshold;
    private volatile boolean closed;

    Publisher(
        final TopicLog log,
        final FlowControl flowControl,
        final EpochNanoClock clock,
        final boolean checksums,
        final Runnable onClose)
    {
        this.onClose = onClose;
        this.log = log;
        this.ring = log.ring();
        this.flowControl = flowControl;
        this.clock = clock;
        this.capacity = log.capacity();
        this.mask = log.mask();
        this.maxMessageLength = log.maxMessageLength();
        this.producerId = log.nextProducerId();
        this.checksums = checksums;
        this.flags = checksums ? FLAG_CHECKSUM : 0;
        this.checksumScratch = checksums ? ThreadLocal.withInitial(() -> new ChecksumScratch(ring)) : null;
        this.cleanStep = Math.min(capacity >> 4, CLEAN_STEP_MAX);
        this.slowPathThreshold = Math.min(log.producerLimitVolatile(), log.tailVolatile() + cleanStep);
    }

    /**
     * Claims a frame for a payload of {@code length} bytes, its header written with a negative length.
     *
     * @return the stream position after the frame (the frame ends there), or a negative code.
     */
    abstract long claim(int length);

    /**
     * Claims space for a message of {@code length} bytes to be written in place.
     *
     * @return the stream position after the message, or a negative code; on success the claim must be committed
     * or aborted, promptly: consumers wait at an open claim.
     */
    public final long tryClaim(final int length, final BufferClaim bufferClaim)
    {
        final long newTail = claim(length);
        if (newTail > 0)
        {
            final int frameLength = length + HEADER_LENGTH;
            bufferClaim.wrap(this, ring, (int)(newTail - alignedLength(frameLength)) & mask, frameLength);
        }
        return newTail;
    }

    /**
     * Copies a message into the ring and publishes it.
     *
     * @return the stream position after the message, or a negative code.
     */
    public final long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        final long newTail = claim(length);
        if (newTail > 0)
        {
            final int frameLength = length + HEADER_LENGTH;
            final int frameOffset = (int)(newTail - alignedLength(frameLength)) & mask;
            ring.putBytes(frameOffset + HEADER_LENGTH, buffer, offset, length);
            commit(ring, frameOffset, frameLength);
        }
        return newTail;
    }

    /**
     * Publishes the concatenation of two buffers as one message, copying each once.
     *
     * @return the stream position after the message, or a negative code.
     */
    public final long offer(
        final DirectBuffer bufferA, final int offsetA, final int lengthA,
        final DirectBuffer bufferB, final int offsetB, final int lengthB)
    {
        if (lengthA < 0 || lengthB < 0)
        {
            return Producer.INVALID_LENGTH;
        }
        final int length = lengthA + lengthB;
        final long newTail = claim(length);
        if (newTail > 0)
        {
            final int frameLength = length + HEADER_LENGTH;
            final int frameOffset = (int)(newTail - alignedLength(frameLength)) & mask;
            ring.putBytes(frameOffset + HEADER_LENGTH, bufferA, offsetA, lengthA);
            ring.putBytes(frameOffset + HEADER_LENGTH + lengthA, bufferB, offsetB, lengthB);
            commit(ring, frameOffset, frameLength);
        }
        return newTail;
    }

    /** The code a claim of {@code length} bytes is refused with before any space is taken, or 0. */
    final long refusal(final int length)
    {
        if (closed || log.isClosed())
        {
            return Producer.CLOSED;
        }
        if (length <= 0)
        {
            return Producer.INVALID_LENGTH;
        }
        if (length > maxMessageLength)
        {
            return Producer.MAX_MESSAGE_LENGTH_EXCEEDED;
        }
        return 0;
    }

    /**
     * The slow path, taken every {@link #cleanStep} of stream: records a frame boundary for the cleaner and, near
     * the limit, cleans a step (or, really blocked, all the consumers allow).
     *
     * @return true when a claim up to {@code newTail} fits under the limit.
     */
    final boolean updateLimit(final long tail, final long newTail)
    {
        flowControl.sample(tail);
        long limit = log.producerLimitVolatile();
        if (newTail > limit - (capacity >> 1))
        {
            limit = flowControl.tryAdvance(0, cleanStep);
            if (newTail > limit)
            {
                limit = flowControl.tryAdvance(); // really blocked: free all the consumers allow
            }
        }
        slowPathThreshold = Math.min(limit, newTail + cleanStep);
        return newTail <= limit;
    }

    final void commit(final UnsafeBuffer ring, final int frameOffset, final int frameLength)
    {
        if (checksums)
        {
            final int crc = checksumScratch.get().crc32c(frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH);
            ring.putInt(frameOffset + CHECKSUM_OFFSET, crc);
        }
        // Only the length word: if the broker already turned this claim into padding, it stays padding.
        ring.putIntRelease(frameOffset + FRAME_LENGTH_OFFSET, frameLength);
    }

    final void abort(final UnsafeBuffer ring, final int frameOffset, final int frameLength)
    {
        ring.putLongRelease(frameOffset + FRAME_LENGTH_OFFSET, commitWord(frameLength, TYPE_PAD, (byte)0));
    }

    /** Identifier written into every frame this producer publishes. */
    public final int producerId()
    {
        return producerId;
    }

    public final int maxMessageLength()
    {
        return maxMessageLength;
    }

    public final String topic()
    {
        return log.topic();
    }

    public final boolean isClosed()
    {
        return closed;
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != onClose)
            {
                onClose.run();
            }
        }
    }

    /**
     * Per-thread CRC32C state and view of the ring: the JDK's intrinsic CRC32C reads a direct ByteBuffer in place,
     * and keeping one view per thread makes a checksum cost no allocation.
     */
    private static final class ChecksumScratch
    {
        private final CRC32C crc = new CRC32C();
        private final ByteBuffer view;
        private final int base;

        ChecksumScratch(final UnsafeBuffer ring)
        {
            view = ring.byteBuffer().duplicate();
            base = ring.wrapAdjustment();
        }

        int crc32c(final int offset, final int length)
        {
            view.limit(base + offset + length).position(base + offset);
            crc.reset();
            crc.update(view);
            return (int)crc.getValue();
        }
    }
}
