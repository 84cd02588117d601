package io.shmbus.broker.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for a command that runs until stopped: a shutdown hook that tells the command to stop and
 * waits until the command says it has closed what it holds, so the JVM exits as soon as that is done.
 * <p>
 * The hook does not join the command's thread: once the command returns, {@code Main.main} calls
 * {@code System.exit}, which blocks for good while the JVM is already shutting down, so a join would always run
 * to its timeout. The command calls {@link #finished()} instead, right after it has cleaned up.
 * <p>
 * Thread-safe: {@link #stopRequested()} is read by the command's thread while the hook thread sets it.
 */
final class ShutdownSignal implements AutoCloseable
{
    /** How long the hook waits for a command that does not finish, before the JVM exits anyway. */
    private static final long FINISH_TIMEOUT_MS = 2_000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean stopRequested;

    private ShutdownSignal()
    {
        // no interrupt of the command's thread: an interrupt inside a file channel operation closes the channel
        hook = new Thread(() ->
        {
            stopRequested = true;
            try
            {
                finished.await(FINISH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "shmbus-shutdown");
    }

    /** Registers the hook. */
    static ShutdownSignal register()
    {
        final ShutdownSignal signal = new ShutdownSignal();
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    /** True once Ctrl-C or SIGTERM arrived. */
    boolean stopRequested()
    {
        return stopRequested;
    }

    /** Sleeps up to {@code ms}, in short steps so that a stop request ends it within about 10 ms. */
    void pause(final long ms)
    {
        final long deadlineNs = System.nanoTime() + ms * 1_000_000L;
        while (!stopRequested && System.nanoTime() - deadlineNs < 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(10_000_000L, deadlineNs - System.nanoTime()));
        }
    }

    /** The command has flushed its output and closed its consumer: the JVM may exit now. */
    void finished()
    {
        finished.countDown();
    }

    /** Marks the command finished and removes the hook when the JVM is not already shutting down. */
    public void close()
    {
        finished();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook runs and returns at once
        }
    }
}
