package io.shmbus.bench;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Entry point of every child JVM the benchmark starts: {@code BenchChild <role> key=value...}.
 * <p>
 * Protocol with the parent, one line each on stdout: {@code READY ...} once the child is attached and the parent
 * may start the next process, {@code RESULT key=value ...} with its measurements, {@code ERROR message} when it
 * fails. The parent asks a child to stop by closing its stdin; a child whose parent dies sees the same end of
 * file, so no child outlives the benchmark. A newline on stdin is a "go" for a child waiting in {@link #awaitGo}:
 * it blocks without polling, so a window measured around the step holds no idle wake-ups. Each child also has a
 * hard runtime limit of its own.
 */
public final class BenchChild
{
    private static final long STOP_GRACE_MS = 10_000;

    private static final Semaphore GO = new Semaphore(0);
    private static volatile boolean stopRequested;
    private static final CountDownLatch STOP = new CountDownLatch(1);

    private BenchChild()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length < 1)
        {
            System.err.println("usage: BenchChild aeron-driver|shmbus-broker|tp-consumer|tp-producer|ping|pong|" +
                "replay-receiver|replay-sender|replay-cli|net-subscriber|zc-producer|zc-consumer|idle-client " +
                "key=value...");
            System.exit(2);
        }
        final String role = args[0];
        try
        {
            final ChildArgs childArgs = new ChildArgs(args, 1);
            startWatchdogs(role, Long.parseLong(childArgs.get("maxRuntimeMs", "600000")));
            switch (role)
            {
                case "aeron-driver":
                    AeronDriverRole.run(childArgs);
                    break;
                case "shmbus-broker":
                    ShmbusBrokerRole.run(childArgs);
                    break;
                case "tp-consumer":
                    ThroughputConsumerRole.run(childArgs);
                    break;
                case "tp-producer":
                    ThroughputProducerRole.run(childArgs);
                    break;
                case "ping":
                    PingRole.run(childArgs);
                    break;
                case "pong":
                    PongRole.run(childArgs);
                    break;
                case "replay-receiver":
                    ReplayReceiverRole.run(childArgs);
                    break;
                case "replay-sender":
                    ReplaySenderRole.run(childArgs);
                    break;
                case "replay-cli":
                    ReplayCliRole.run(childArgs);
                    break;
                case "net-subscriber":
                    NetSubscriberRole.run(childArgs);
                    break;
                case "zc-producer":
                    ZeroCopyProducerRole.run(childArgs);
                    break;
                case "zc-consumer":
                    ZeroCopyConsumerRole.run(childArgs);
                    break;
                case "idle-client":
                    IdleClientRole.run(childArgs);
                    break;
                default:
                    throw new IllegalArgumentException("unknown role '" + role + "'");
            }
        }
        catch (final Throwable ex)
        {
            System.out.println("ERROR " + role + ": " + oneLine(ex));
            System.out.flush();
            ex.printStackTrace();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }

    /** True once the parent closed stdin: finish up and exit. Cheap enough to read in a spin loop. */
    static boolean stopRequested()
    {
        return stopRequested;
    }

    /** Blocks until the parent asks this child to stop, without waking up meanwhile (the idle benchmark counts). */
    static void awaitStop() throws InterruptedException
    {
        STOP.await();
    }

    /**
     * Blocks until the parent says go (a newline on stdin) or stop, at most {@code timeoutMs}.
     *
     * @return true to go, false when the parent asks to stop.
     * @throws IllegalStateException when the timeout passes first.
     */
    static boolean awaitGo(final long timeoutMs) throws InterruptedException
    {
        if (!GO.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("no go from the parent within " + timeoutMs + " ms");
        }
        return !stopRequested;
    }

    /**
     * The kernel's id of the calling thread ({@code /proc/thread-self} is {@code PID/task/TID}), so the parent can
     * trace this thread alone; -1 where there is no such link.
     */
    static long threadId()
    {
        try
        {
            final String link = Files.readSymbolicLink(Paths.get("/proc/thread-self")).toString();
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    static void ready(final String details)
    {
        System.out.println(details.isEmpty() ? "READY" : "READY " + details);
        System.out.flush();
    }

    static void result(final String keyValues)
    {
        System.out.println("RESULT " + keyValues);
        System.out.flush();
    }

    /** Spins, or waits until the condition holds, failing after the timeout. */
    static void await(final String what, final BooleanSupplier condition, final long timeoutMs)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (stopRequested || System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException((stopRequested ? "stopped by parent" : "timed out after " +
                    timeoutMs + " ms") + " waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** The idle strategy for the hot loops: the same on both sides and for every system. */
    static IdleStrategy idleStrategy(final ChildArgs args)
    {
        final String idle = args.get("idle", "busy-spin");
        switch (idle)
        {
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "no-op":
                return NoOpIdleStrategy.INSTANCE;
            case "yield":
                return YieldingIdleStrategy.INSTANCE;
            default:
                throw new IllegalArgumentException("unknown idle strategy '" + idle + "'");
        }
    }

    static String oneLine(final Throwable ex)
    {
        final String message = ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage());
        return message.replace('\n', ' ').replace('\r', ' ');
    }

    private static void startWatchdogs(final String role, final long maxRuntimeMs)
    {
        final Thread stdinWatcher = new Thread(() ->
        {
            final InputStream in = System.in;
            final byte[] discard = new byte[256];
            try
            {
                int read;
                while ((read = in.read(discard)) >= 0)
                {
                    for (int i = 0; i < read; i++)
                    {
                        if ('\n' == discard[i])
                        {
                            GO.release();
                        }
                    }
                }
            }
            catch (final IOException ignore)
            {
                // treated as end of file
            }
            stopRequested = true;
            GO.release(); // a child waiting to go sees the stop at once
            STOP.countDown();
            sleepQuietly(STOP_GRACE_MS);
            System.err.println(role + ": did not stop within " + STOP_GRACE_MS + " ms of the stop request");
            Runtime.getRuntime().halt(3);
        }, "stdin-watcher");
        stdinWatcher.setDaemon(true);
        stdinWatcher.start();

        final Thread deadline = new Thread(() ->
        {
            sleepQuietly(maxRuntimeMs);
            System.out.println("ERROR " + role + ": exceeded its maximum runtime of " + maxRuntimeMs + " ms");
            System.out.flush();
            Runtime.getRuntime().halt(4);
        }, "runtime-limit");
        deadline.setDaemon(true);
        deadline.start();
    }

    private static void sleepQuietly(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ignore)
        {
            Thread.currentThread().interrupt();
        }
    }
}
