package io.shmbus.broker;

import java.util.HashMap;
import java.util.Map;

/**
 * What the broker knows of one connected client: its process, when it last showed signs of life, and its
 * producers and consumers. Owned by the conductor thread.
 */
final class ClientSession
{
    /** A consumer registered by this client: the slot it holds in a topic log. */
    static final class ConsumerRegistration
    {
        final TopicState topic;
        final int slot;

        ConsumerRegistration(final TopicState topic, final int slot)
        {
            this.topic = topic;
            this.slot = slot;
        }
    }

    final long clientId;
    final long pid;
    long lastKeepaliveNs;
    final Map<Long, TopicState> producers = new HashMap<>();
    final Map<Long, ConsumerRegistration> consumers = new HashMap<>();

    ClientSession(final long clientId, final long pid, final long nowNs)
    {
        this.clientId = clientId;
        this.pid = pid;
        this.lastKeepaliveNs = nowNs;
    }
}
