package io.shmbus.ipc;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Publishes one thread's numbered payloads ({@link Payloads}) for a test producer process: {@code offer} from a
 * scratch buffer on even threads, {@code tryClaim} and an in-place encode on odd ones, so both paths are exercised.
 * It makes single attempts; what to do with a result (retry, count, stop) is the caller's. One per thread.
 */
final class PayloadPublisher
{
    private final Producer producer;
    private final Payloads payloads;
    private final int process;
    private final int thread;
    private final boolean useClaim;
    private final UnsafeBuffer scratch;
    private final BufferClaim claim = new BufferClaim();
    private final Checksums checksums = new Checksums();

    PayloadPublisher(final Producer producer, final Payloads payloads, final int process, final int thread)
    {
        this.producer = producer;
        this.payloads = payloads;
        this.process = process;
        this.thread = thread;
        this.useClaim = thread % 2 == 1;
        this.scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(producer.maxMessageLength()));
    }

    /** The name of a thread publishing with this: process, thread and the path it takes. */
    static String threadName(final int process, final int thread)
    {
        return "p" + process + "t" + thread + (thread % 2 == 0 ? "-offer" : "-claim");
    }

    /**
     * Gets message {@code seq} ready for its attempts (with {@code offer} it is encoded once, here).
     *
     * @return its length.
     */
    int prepare(final int seq)
    {
        final int length = payloads.length(process, thread, seq);
        if (!useClaim)
        {
            payloads.encode(scratch, 0, process, thread, seq, length, checksums);
        }
        return length;
    }

    /**
     * One attempt to publish message {@code seq} of {@code length} bytes.
     *
     * @return the new stream position, or the producer's negative result code.
     */
    long attempt(final int seq, final int length)
    {
        if (!useClaim)
        {
            return producer.offer(scratch, 0, length);
        }
        final long result = producer.tryClaim(length, claim);
        if (result > 0)
        {
            try
            {
                payloads.encode(claim.buffer(), claim.offset(), process, thread, seq, length, checksums);
            }
            catch (final RuntimeException ex)
            {
                claim.abort();
                throw ex;
            }
            claim.commit();
        }
        return result;
    }
}
