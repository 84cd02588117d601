package io.shmbus.soak;

import java.util.concurrent.TimeUnit;

/**
 * The longest time one thing did not move while something was trying to move it: no producer of a topic committed a
 * message while producers of it were running, or its archive did not grow while they were. Time when nothing tries
 * (every producer of the topic killed) does not count. Used by the soak's main thread only.
 */
final class Stall
{
    final String what;
    private long sinceNs = -1;
    private long longestNs;
    private long longestEndNs;

    Stall(final String what)
    {
        this.what = what;
    }

    /**
     * @param moved  it moved since the last observation.
     * @param trying something tried to move it since then.
     */
    void observe(final long nowNs, final boolean moved, final boolean trying)
    {
        if (moved || !trying || sinceNs < 0)
        {
            sinceNs = nowNs;
            return;
        }
        if (nowNs - sinceNs > longestNs)
        {
            longestNs = nowNs - sinceNs;
            longestEndNs = nowNs;
        }
    }

    /** How long it has not moved now. */
    long currentMs(final long nowNs)
    {
        return sinceNs < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(nowNs - sinceNs);
    }

    long longestMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(longestNs);
    }

    /** When the longest stall ended (or was last seen), in System.nanoTime. */
    long longestEndNs()
    {
        return longestEndNs;
    }
}
