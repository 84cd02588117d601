package io.shmbus.broker.net;

import io.shmbus.broker.config.LogFormat;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.logging.LogLevel;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A flood of log lines is cut to a rate, and what was left out is said. */
class LogLimiterTest
{
    @Test
    void atMostTheRateThenHowManyWereLeftOut()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final BrokerLogger logger = new BrokerLogger(new PrintStream(out, true), LogFormat.TEXT, () -> 0L, null);
        final LogLimiter limiter = new LogLimiter(logger, clock, 3);
        for (int i = 0; i < 10; i++)
        {
            limiter.log(LogLevel.WARN, "line " + i);
        }
        clock.advance(1_000_000_000L);
        limiter.log(LogLevel.INFO, "later");
        final List<String> lines = Arrays.asList(out.toString().split("\n"));
        final String at = "1970-01-01T00:00:00.000Z ";
        assertEquals(List.of(at + "WARN net: line 0", at + "WARN net: line 1", at + "WARN net: line 2",
            at + "INFO net: (left out 7 similar lines in the last second)", at + "INFO net: later"), lines);
    }
}
