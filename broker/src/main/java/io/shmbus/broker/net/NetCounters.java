package io.shmbus.broker.net;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The network server's counters in the CnC file, shown by {@code shmbus stat}. Allocated and freed by the thread
 * that starts and stops the broker (the counters manager is not thread-safe), while no other broker thread runs;
 * written only by the network server's thread in between.
 */
public final class NetCounters implements AutoCloseable
{
    /** Counter type id of the network server's counters (broker 1, topic 2, archiver 3). */
    public static final int COUNTER_TYPE = 4;

    final AtomicCounter connectionsOpen;
    final AtomicCounter connectionsAccepted;
    final AtomicCounter connectionsRefused;
    final AtomicCounter subscriptions;
    final AtomicCounter subscriptionsActive;
    final AtomicCounter handshakeErrors;
    final AtomicCounter streamErrors;
    final AtomicCounter protocolViolations;
    final AtomicCounter bytesSent;
    final AtomicCounter heartbeatsSent;
    final AtomicCounter socketFullWaits;

    public NetCounters(final CountersManager counters)
    {
        connectionsOpen = counters.newCounter("net: connections open", COUNTER_TYPE);
        connectionsAccepted = counters.newCounter("net: connections accepted", COUNTER_TYPE);
        connectionsRefused = counters.newCounter("net: connections refused (limit)", COUNTER_TYPE);
        subscriptions = counters.newCounter("net: subscriptions started", COUNTER_TYPE);
        subscriptionsActive = counters.newCounter("net: subscriptions active", COUNTER_TYPE);
        handshakeErrors = counters.newCounter("net: handshake errors", COUNTER_TYPE);
        streamErrors = counters.newCounter("net: stream errors", COUNTER_TYPE);
        protocolViolations = counters.newCounter("net: protocol violations", COUNTER_TYPE);
        bytesSent = counters.newCounter("net: bytes sent", COUNTER_TYPE);
        heartbeatsSent = counters.newCounter("net: heartbeats sent", COUNTER_TYPE);
        socketFullWaits = counters.newCounter("net: waits for a full socket", COUNTER_TYPE);
    }

    public void close()
    {
        connectionsOpen.close();
        connectionsAccepted.close();
        connectionsRefused.close();
        subscriptions.close();
        subscriptionsActive.close();
        handshakeErrors.close();
        streamErrors.close();
        protocolViolations.close();
        bytesSent.close();
        heartbeatsSent.close();
        socketFullWaits.close();
    }
}
