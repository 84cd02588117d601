package io.shmbus.broker.net;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The network server's counters in the CnC file, shown by {@code shmbus stat}. Allocated and freed by the thread
 * that starts and stops the broker, while no other broker thread runs; written only by the network server's thread
 * in between, which also allocates and frees each subscriber's position counter.
 */
public final class NetCounters implements AutoCloseable
{
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
    private final CountersManager counters;

    /**
     * @param counters must be thread-safe (a {@link org.agrona.concurrent.status.ConcurrentCountersManager}): the
     *                 network server's thread allocates each subscriber's position counter while the conductor runs.
     */
    public NetCounters(final CountersManager counters)
    {
        this.counters = counters;
        connectionsOpen = counters.newCounter("net: connections open", CounterTypes.NET_CONNECTIONS_OPEN);
        connectionsAccepted = counters.newCounter("net: connections accepted", CounterTypes.NET_CONNECTIONS_ACCEPTED);
        connectionsRefused = counters.newCounter("net: connections refused (limit)",
            CounterTypes.NET_CONNECTIONS_REFUSED);
        subscriptions = counters.newCounter("net: subscriptions started", CounterTypes.NET_SUBSCRIPTIONS);
        subscriptionsActive = counters.newCounter("net: subscriptions active", CounterTypes.NET_SUBSCRIPTIONS_ACTIVE);
        handshakeErrors = counters.newCounter("net: handshake errors", CounterTypes.NET_HANDSHAKE_ERRORS);
        streamErrors = counters.newCounter("net: stream errors", CounterTypes.NET_STREAM_ERRORS);
        protocolViolations = counters.newCounter("net: protocol violations", CounterTypes.NET_PROTOCOL_VIOLATIONS);
        bytesSent = counters.newCounter("net: bytes sent", CounterTypes.NET_BYTES_SENT);
        heartbeatsSent = counters.newCounter("net: heartbeats sent", CounterTypes.NET_HEARTBEATS_SENT);
        socketFullWaits = counters.newCounter("net: waits for a full socket", CounterTypes.NET_SOCKET_FULL_WAITS);
    }

    /**
     * A new counter of what subscription {@code subscription} of {@code remote} to {@code topic} has been sent: its
     * position, as a consumer's; null when the CnC file has no room for another counter (the subscription goes on,
     * unmeasured). Network server thread; the caller closes it when the subscription ends.
     */
    AtomicCounter newSubscriberPosition(final String topic, final long subscription, final String remote)
    {
        try
        {
            return counters.newCounter("topic " + topic + ": network subscriber " + subscription + " (" + remote +
                ") position", CounterTypes.CONSUMER_REMOTE_POSITION, CounterKey.consumer(topic, subscription));
        }
        catch (final IllegalStateException ex)
        {
            return null; // every counter is in use
        }
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
