package io.shmbus.broker;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The conductor's default idle strategy. While the broker has anything to do it backs off as Agrona's
 * {@link BackoffIdleStrategy} does: a few spins, a few yields, then parks from 1 µs doubling up to 1 ms, so flow
 * control, archiving and the broker clock in each topic log keep their millisecond cadence. Once the broker has been
 * quiet (see {@link BrokerConductor#isQuiet()}: no topic's tail moved, nothing archived, no command but keepalives
 * for a second) it parks {@link #QUIET_PARK_NS} at a time, a fifth of the wake-ups, which keeps an idle broker
 * under 2% of a core ({@code scripts/bench idle}). The price is paid once, by the first message after a quiet
 * second: it may wait up to that long for the broker to notice, and the broker clock it is stamped with may be as
 * old.
 * <p>
 * Conductor thread only.
 */
final class BrokerIdleStrategy implements IdleStrategy
{
    static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long QUIET_PARK_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final BackoffIdleStrategy backoff =
        new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1), MAX_PARK_NS);
    private final BooleanSupplier quiet;

    /**
     * @param quiet true while the broker has had nothing to do for long enough to park longer.
     */
    BrokerIdleStrategy(final BooleanSupplier quiet)
    {
        this.quiet = quiet;
    }

    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            backoff.reset();
        }
        else
        {
            idle();
        }
    }

    public void idle()
    {
        if (quiet.getAsBoolean())
        {
            LockSupport.parkNanos(QUIET_PARK_NS);
        }
        else
        {
            backoff.idle();
        }
    }

    public void reset()
    {
        backoff.reset();
    }

    public String alias()
    {
        return "broker-backoff";
    }
}
