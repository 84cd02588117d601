package io.shmbus.broker.net;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.logging.LogLevel;
import org.agrona.concurrent.NanoClock;

/**
 * Prints at most a number of lines per second and says how many it left out, so that a flood of bad connections
 * cannot flood the broker's log (the counters still count every one). Network server thread only.
 */
final class LogLimiter
{
    private static final long WINDOW_NS = 1_000_000_000L;

    private final BrokerLogger log;
    private final NanoClock clock;
    private final int linesPerSecond;
    private long windowStartNs;
    private int printed;
    private long suppressed;

    LogLimiter(final BrokerLogger log, final NanoClock clock, final int linesPerSecond)
    {
        this.log = log;
        this.clock = clock;
        this.linesPerSecond = linesPerSecond;
        this.windowStartNs = clock.nanoTime();
    }

    /** Writes a line of the network server's component at that level, unless this second's lines are spent. */
    void log(final LogLevel level, final String line)
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
            log.info(BrokerLogger.NET, "(left out " + suppressed + " similar lines in the last second)");
            suppressed = 0;
        }
        log.log(level, BrokerLogger.NET, line);
    }
}
