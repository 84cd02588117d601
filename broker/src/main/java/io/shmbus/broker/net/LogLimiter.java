package io.shmbus.broker.net;

import org.agrona.concurrent.NanoClock;

import java.io.PrintStream;

/**
 * Prints at most a number of lines per second and says how many it left out, so that a flood of bad connections
 * cannot flood the broker's log (the counters still count every one). Network server thread only.
 */
final class LogLimiter
{
    private static final long WINDOW_NS = 1_000_000_000L;

    private final PrintStream log;
    private final NanoClock clock;
    private final int linesPerSecond;
    private long windowStartNs;
    private int printed;
    private long suppressed;

    LogLimiter(final PrintStream log, final NanoClock clock, final int linesPerSecond)
    {
        this.log = log;
        this.clock = clock;
        this.linesPerSecond = linesPerSecond;
        this.windowStartNs = clock.nanoTime();
    }

    void println(final String line)
    {
        final long nowNs = clock.nanoTime();
        if (nowNs - windowStartNs >= WINDOW_NS)
        {
            windowStartNs = nowNs;
            printed = 0;
        }
        if (printed >= linesPerSecond)
        {
            suppressed++;
            return;
        }
        printed++;
        if (suppressed > 0)
        {
            log.println("shmbus broker: net: (left out " + suppressed + " similar lines in the last second)");
            suppressed = 0;
        }
        log.println(line);
    }
}
