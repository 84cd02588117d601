package io.shmbus.broker;

import org.agrona.collections.Long2ObjectHashMap;

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
    /** By registration id; iterating them allocates nothing (the maps reuse their iterators). */
    final Long2ObjectHashMap<TopicState> producers = new Long2ObjectHashMap<>();
    final Long2ObjectHashMap<ConsumerRegistration> consumers = new Long2ObjectHashMap<>();

    ClientSession(final long clientId, final long pid, final long nowNs)
    {
        this.clientId = clientId;
        this.pid = pid;
        this.lastKeepaliveNs = nowNs;
    }
}
