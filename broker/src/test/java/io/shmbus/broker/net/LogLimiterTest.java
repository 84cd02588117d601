package io.shmbus.broker.net;

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
        final LogLimiter limiter = new LogLimiter(new PrintStream(out, true), clock, 3);
        for (int i = 0; i < 10; i++)
        {
            limiter.println("line " + i);
        }
        clock.advance(1_000_000_000L);
        limiter.println("later");
        final List<String> lines = Arrays.asList(out.toString().split("\n"));
        assertEquals(List.of("line 0", "line 1", "line 2",
            "shmbus broker: net: (left out 7 similar lines in the last second)", "later"), lines);
    }
}
