package io.shmbus.client;

import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.util.concurrent.locks.LockSupport;

/**
 * An epoch clock in nanoseconds that is cheap to read: one daemon thread per process refreshes it every
 * resolution interval, and readers only load a volatile field. Reading the system clock costs ~20-30 ns here,
 * as much as publishing a small message, so producers stamp frames from this clock unless asked to be exact.
 * <p>
 * Thread-safe. The refresh thread starts on first use and lives as long as the process.
 */
public final class CachedEpochNanoClock implements EpochNanoClock
{
    public static final String RESOLUTION_PROP_NAME = "shmbus.clock.resolution.us";
    public static final long RESOLUTION_US_DEFAULT = 100;

    private static final class Holder
    {
        static final CachedEpochNanoClock INSTANCE = new CachedEpochNanoClock(
            Long.getLong(RESOLUTION_PROP_NAME, RESOLUTION_US_DEFAULT) * 1000L);
    }

    private final EpochNanoClock source = new OffsetEpochNanoClock();
    private final long resolutionNs;
    private volatile long nanoTime;

    private CachedEpochNanoClock(final long resolutionNs)
    {
        this.resolutionNs = Math.max(10_000, resolutionNs);
        this.nanoTime = source.nanoTime();
        final Thread updater = new Thread(this::run, "shmbus-clock");
        updater.setDaemon(true);
        updater.start();
    }

    /** The process-wide clock. */
    public static CachedEpochNanoClock instance()
    {
        return Holder.INSTANCE;
    }

    public long nanoTime()
    {
        return nanoTime;
    }

    /** How stale a reading can be, at most, when the refresh thread gets its CPU on time. */
    public long resolutionNs()
    {
        return resolutionNs;
    }

    private void run()
    {
        while (true)
        {
            LockSupport.parkNanos(resolutionNs);
            nanoTime = source.nanoTime();
        }
    }
}
