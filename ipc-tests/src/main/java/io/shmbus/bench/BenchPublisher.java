package io.shmbus.bench;

import org.agrona.DirectBuffer;

/**
 * Sends messages on one stream of the system under test. Single-threaded use; the hot path allocates nothing.
 */
interface BenchPublisher extends AutoCloseable
{
    /**
     * Copies a message into the stream.
     *
     * @return a positive stream position on success, else the system's own negative code.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /** True when a failed {@link #offer} may succeed if retried (back pressure, admin action). */
    boolean isRetryable(long result);

    /** A readable name for an {@link #offer} result. */
    String describe(long result);

    /** True once a subscriber is attached, so that nothing sent from now on is lost. */
    boolean isConnected();

    void close();
}
