package io.shmbus.client;

import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Publishes messages to a topic's ring. Thread-safe: any number of threads, in any number of processes, may
 * publish to one topic at once without locks; a CAS on the tail orders them.
 * <p>
 * The hot path ({@link #offer}, {@link #tryClaim}, {@link BufferClaim#commit()}) allocates nothing and never
 * throws: it returns the new stream position, or one of the negative codes below.
 */
public final class Producer implements AutoCloseable
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

    private final TopicLog log;
    private final UnsafeBuffer ring;
    private final FlowControl flowControl;
    private final EpochNanoClock clock;
    private final int capacity;
    private final int mask;
    private final int maxMessageLength;
    private final int producerId;
    private final boolean checksums;
    private final byte flags;
    /** Producers sample a boundary and, when near the limit, clean this much at a time: a few microseconds. */
    private final int cleanStep;
    private static final int CLEAN_STEP_MAX = 64 * 1024;

    private final ThreadLocal<ChecksumScratch> checksumScratch;
    // Shared by all publishing threads: a plain field is enough because it is only ever derived from a limit that
    // was really published, and a stale (lower) value only sends a thread down the slow path.
    private long slowPathThreshold;
    private volatile boolean closed;
    private final Runnable onClose;

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
     * Claims space for a message of {@code length} bytes to be written in place.
     *
     * @return the stream position after the message, or a negative code; on success the claim must be committed
     * or aborted, promptly: consumers wait at an open claim.
     */
    public long tryClaim(final int length, final BufferClaim bufferClaim)
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
    public long offer(final DirectBuffer buffer, final int offset, final int length)
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
    public long offer(
        final DirectBuffer bufferA, final int offsetA, final int lengthA,
        final DirectBuffer bufferB, final int offsetB, final int lengthB)
    {
        if (lengthA < 0 || lengthB < 0)
        {
            return INVALID_LENGTH;
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

    private long claim(final int length)
    {
        if (closed || log.isClosed())
        {
            return CLOSED;
        }
        if (length <= 0)
        {
            return INVALID_LENGTH;
        }
        if (length > maxMessageLength)
        {
            return MAX_MESSAGE_LENGTH_EXCEEDED;
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

    private boolean updateLimit(final long tail, final long newTail)
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

    void commit(final UnsafeBuffer ring, final int frameOffset, final int frameLength)
    {
        if (checksums)
        {
            final int crc = checksumScratch.get().crc32c(frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH);
            ring.putInt(frameOffset + CHECKSUM_OFFSET, crc);
        }
        // Only the length word: if the broker already turned this claim into padding, it stays padding.
        ring.putIntRelease(frameOffset + FRAME_LENGTH_OFFSET, frameLength);
    }

    void abort(final UnsafeBuffer ring, final int frameOffset, final int frameLength)
    {
        ring.putLongRelease(frameOffset + FRAME_LENGTH_OFFSET, commitWord(frameLength, TYPE_PAD, (byte)0));
    }

    /** Identifier written into every frame this producer publishes. */
    public int producerId()
    {
        return producerId;
    }

    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public String topic()
    {
        return log.topic();
    }

    /** The position the next claim of the topic (by any producer) starts at. */
    public long position()
    {
        return log.tailVolatile();
    }

    public boolean isClosed()
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
