package io.shmbus.broker;

import io.shmbus.broker.status.CounterTypes;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The broker-wide counters in the CnC file, readable by {@code shmbus stat} while the broker runs. Written by the
 * conductor thread only (and the error handler). Each has its own type id ({@link CounterTypes}) and an empty key.
 */
final class BrokerCounters implements AutoCloseable
{
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
        heartbeat = counters.newCounter("broker: heartbeat (epoch ms)", CounterTypes.BROKER_HEARTBEAT);
        commandsReceived = counters.newCounter("broker: commands received", CounterTypes.BROKER_COMMANDS_RECEIVED);
        commandErrors = counters.newCounter("broker: commands rejected", CounterTypes.BROKER_COMMANDS_REJECTED);
        errors = counters.newCounter("broker: errors", CounterTypes.BROKER_ERRORS);
        clients = counters.newCounter("broker: clients connected", CounterTypes.BROKER_CLIENTS);
        clientsTimedOut = counters.newCounter("broker: clients timed out or exited",
            CounterTypes.BROKER_CLIENTS_TIMED_OUT);
        consumersFreed = counters.newCounter("broker: consumer slots freed after death",
            CounterTypes.BROKER_CONSUMERS_FREED);
        claimsUnblocked = counters.newCounter("broker: abandoned claims unblocked",
            CounterTypes.BROKER_CLAIMS_UNBLOCKED);
        cleaningsRecovered = counters.newCounter("broker: cleanings of dead processes recovered",
            CounterTypes.BROKER_CLEANINGS_RECOVERED);
        commandsUnblocked = counters.newCounter("broker: half-written commands skipped",
            CounterTypes.BROKER_COMMANDS_UNBLOCKED);
        topics = counters.newCounter("broker: topics", CounterTypes.BROKER_TOPICS);
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
