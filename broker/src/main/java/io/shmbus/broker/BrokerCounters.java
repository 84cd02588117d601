package io.shmbus.broker;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The broker-wide counters in the CnC file, readable by {@code shmbus stat} while the broker runs. Written by the
 * conductor thread only (and the error handler).
 */
final class BrokerCounters implements AutoCloseable
{
    static final int TYPE_BROKER = 1;
    static final int TYPE_TOPIC = 2;

    final AtomicCounter heartbeat;
    final AtomicCounter commandsReceived;
    final AtomicCounter commandErrors;
    final AtomicCounter errors;
    final AtomicCounter clients;
    final AtomicCounter clientsTimedOut;
    final AtomicCounter consumersFreed;
    final AtomicCounter claimsUnblocked;
    final AtomicCounter cleaningsRecovered;
    final AtomicCounter commandsUnblocked;
    final AtomicCounter topics;

    BrokerCounters(final CountersManager counters)
    {
        heartbeat = counters.newCounter("broker: heartbeat (epoch ms)", TYPE_BROKER);
        commandsReceived = counters.newCounter("broker: commands received", TYPE_BROKER);
        commandErrors = counters.newCounter("broker: commands rejected", TYPE_BROKER);
        errors = counters.newCounter("broker: errors", TYPE_BROKER);
        clients = counters.newCounter("broker: clients connected", TYPE_BROKER);
        clientsTimedOut = counters.newCounter("broker: clients timed out or exited", TYPE_BROKER);
        consumersFreed = counters.newCounter("broker: consumer slots freed after death", TYPE_BROKER);
        claimsUnblocked = counters.newCounter("broker: abandoned claims unblocked", TYPE_BROKER);
        cleaningsRecovered = counters.newCounter("broker: cleanings of dead processes recovered", TYPE_BROKER);
        commandsUnblocked = counters.newCounter("broker: half-written commands skipped", TYPE_BROKER);
        topics = counters.newCounter("broker: topics", TYPE_BROKER);
    }

    public void close()
    {
        heartbeat.close();
        commandsReceived.close();
        commandErrors.close();
        errors.close();
        clients.close();
        clientsTimedOut.close();
        consumersFreed.close();
        claimsUnblocked.close();
        cleaningsRecovered.close();
        commandsUnblocked.close();
        topics.close();
    }
}
