package io.shmbus.broker.cli;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.LogVersionMismatchException;
import io.shmbus.client.ShmBus;

import java.util.function.Supplier;

/**
 * Connects a command that waits for its broker: tells "no broker yet" (none runs, or one is starting right now)
 * from a failure. A starting broker creates its CnC file zero-filled and writes the magic and version last, so a
 * client that maps it in that instant reads a file that is "not a shmbus command-and-control file"; that is taken
 * for "not ready" for a short grace, after which it is the real mismatch it says. Not thread-safe.
 */
final class BrokerConnector
{
    /** Far longer than a broker takes from creating its CnC file to writing its version. */
    private static final long STARTING_GRACE_NS = 2_000_000_000L;

    private final Supplier<ShmBus> connect;
    private final long graceNs;
    private long mismatchSinceNs;
    private boolean mismatchSeen;
    private String lastReason;

    BrokerConnector(final Supplier<ShmBus> connect)
    {
        this(connect, STARTING_GRACE_NS);
    }

    BrokerConnector(final Supplier<ShmBus> connect, final long graceNs)
    {
        this.connect = connect;
        this.graceNs = graceNs;
    }

    /**
     * @return a connection, or null while no broker is ready.
     * @throws LogVersionMismatchException when the directory holds a CnC file of another kind for longer than a
     *                                     broker takes to start.
     */
    ShmBus tryConnect()
    {
        try
        {
            final ShmBus bus = connect.get();
            mismatchSeen = false;
            return bus;
        }
        catch (final BrokerUnavailableException ex)
        {
            mismatchSeen = false;
            lastReason = ex.getMessage();
            return null;
        }
        catch (final LogVersionMismatchException ex)
        {
            final long nowNs = System.nanoTime();
            if (!mismatchSeen)
            {
                mismatchSeen = true;
                mismatchSinceNs = nowNs;
            }
            if (nowNs - mismatchSinceNs > graceNs)
            {
                throw ex;
            }
            lastReason = ex.getMessage();
            return null;
        }
    }

    /** Why the last {@link #tryConnect()} returned null. */
    String lastReason()
    {
        return lastReason;
    }
}
