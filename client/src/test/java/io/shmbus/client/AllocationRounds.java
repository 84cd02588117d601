package io.shmbus.client;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that some work allocates nothing in its steady state on the calling thread. Any allocation per operation
 * would show in every round of the work; a single round may still see a one-off allocation by the JVM itself (an
 * object re-materialised when compiled code deoptimises), so the work runs in up to five rounds and one round that
 * allocates nothing at all is the proof. The caller warms the work up first (JIT, thread-locals). Stateless.
 */
public final class AllocationRounds
{
    private static final int MAX_ROUNDS = 5;

    private AllocationRounds()
    {
    }

    /**
     * Runs {@code round} until a run of it allocates nothing on this thread, at most five times.
     *
     * @param what  says what was measured, e.g. "bytes allocated by poll in each round of 100,000 messages"; the
     *              failure message is it followed by the bytes of each round.
     * @param round the work.
     */
    public static void assertOneClean(final String what, final Runnable round)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        final long threadId = Thread.currentThread().getId();
        final StringBuilder rounds = new StringBuilder();
        boolean clean = false;
        for (int i = 0; i < MAX_ROUNDS && !clean; i++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            round.run();
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            rounds.append(allocated).append(' ');
            clean = 0 == allocated;
        }
        assertTrue(clean, what + ": " + rounds);
    }
}
