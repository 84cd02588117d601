package io.shmbus.broker;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * The broker's connected clients and their liveness: a session is opened by a client's first command and kept
 * alive by each later one; a client whose process exited, or that sent no keepalive within the timeout, loses its
 * producers and consumers (and every client hears of it). Also frees consumer slots whose owner process is gone and
 * that no session holds.
 * <p>
 * Conductor thread only; a liveness check allocates nothing (the maps reuse their iterators).
 */
final class ClientSessions
{
    private final Long2ObjectHashMap<ClientSession> clients = new Long2ObjectHashMap<>();
    private final BrokerContext ctx;
    private final NanoClock nanoClock;
    private final LongPredicate isProcessAlive;
    private final ClientProxy clientProxy;
    private final BrokerCounters counters;
    private final BrokerLogger log;

    ClientSessions(
        final BrokerContext ctx,
        final NanoClock nanoClock,
        final LongPredicate isProcessAlive,
        final ClientProxy clientProxy,
        final BrokerCounters counters,
        final BrokerLogger log)
    {
        this.ctx = ctx;
        this.nanoClock = nanoClock;
        this.isProcessAlive = isProcessAlive;
        this.clientProxy = clientProxy;
        this.counters = counters;
        this.log = log;
    }

    /** The sessions by client id, for reports and checks that read them. */
    Long2ObjectHashMap<ClientSession> all()
    {
        return clients;
    }

    int size()
    {
        return clients.size();
    }

    /** The client's session, opened now if this is its first command; either way, it has just shown it lives. */
    ClientSession session(final long clientId, final long pid)
    {
        ClientSession session = clients.get(clientId);
        if (null == session)
        {
            session = new ClientSession(clientId, pid, nanoClock.nanoTime());
            clients.put(clientId, session);
        }
        session.lastKeepaliveNs = nanoClock.nanoTime();
        return session;
    }

    /** The client closed: its producers and consumers are removed and its slots freed. */
    void close(final long clientId)
    {
        final ClientSession session = clients.remove(clientId);
        if (null != session)
        {
            removeRegistrations(session, false);
        }
    }

    /**
     * Removes the clients that went silent for longer than the timeout or (when {@code checkProcesses}) whose
     * process exited, and tells every client which one timed out.
     *
     * @return the number of clients removed.
     */
    int checkLiveness(final long nowNs, final boolean checkProcesses)
    {
        int work = 0;
        for (final Iterator<ClientSession> it = clients.values().iterator(); it.hasNext(); )
        {
            final ClientSession session = it.next();
            String reason = null;
            boolean processAlive = true;
            if (checkProcesses && !isProcessAlive.test(session.pid))
            {
                reason = "its process exited";
                processAlive = false;
            }
            else if (nowNs - session.lastKeepaliveNs > ctx.clientLivenessTimeoutNs())
            {
                reason = "sent no keepalive for " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - session.lastKeepaliveNs) + " ms";
                processAlive = isProcessAlive.test(session.pid);
            }
            if (null != reason)
            {
                it.remove();
                // a live but silent process keeps its slots as REVOKED until it sees that, so that its late
                // position stores can never land in a slot reused by another consumer
                final int freed = removeRegistrations(session, processAlive);
                counters.clientsTimedOut.increment();
                counters.consumersFreed.getAndAdd(freed);
                log.info(BrokerLogger.CONDUCTOR, "client " + session.clientId + " (pid " + session.pid + ") " + reason +
                    ": freed " + freed + " consumer(s) and " + session.producers.size() + " producer(s)");
                clientProxy.onClientTimeout(session.clientId);
                work++;
            }
        }
        return work;
    }

    /** Frees active slots whose owner process is gone and that no live session holds (e.g. clients without a broker). */
    int freeSlotsOfDeadProcesses(final List<TopicState> topics)
    {
        for (int i = 0, n = topics.size(); i < n; i++)
        {
            topics.get(i).clearHeldBySession();
        }
        for (final ClientSession session : clients.values())
        {
            for (final ClientSession.ConsumerRegistration registration : session.consumers.values())
            {
                registration.topic.heldBySession(registration.slot);
            }
        }
        int freed = 0;
        for (int i = 0, n = topics.size(); i < n; i++)
        {
            final TopicState topic = topics.get(i);
            for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
            {
                final int state = topic.log.slotStateVolatile(slot);
                if (state != LogDescriptor.SLOT_FREE && state != LogDescriptor.SLOT_RESERVED &&
                    !topic.isHeldBySession(slot) && !isProcessAlive.test(topic.log.slotOwnerPid(slot)))
                {
                    topic.named.onSlotReleased(slot);
                    topic.slots.release(slot);
                    freed++;
                    log.info(BrokerLogger.CONDUCTOR, "topic '" + topic.name + "': freed consumer slot " + slot +
                        " of exited process " + topic.log.slotOwnerPid(slot));
                }
            }
        }
        counters.consumersFreed.getAndAdd(freed);
        return freed;
    }

    private int removeRegistrations(final ClientSession session, final boolean revokeOnly)
    {
        for (final Map.Entry<Long, TopicState> producer : session.producers.entrySet())
        {
            final TopicState topic = producer.getValue();
            topic.producers--;
            if (producer.getKey() == topic.exclusiveRegistration)
            {
                // a silent but live process keeps the topic until it exits: it may still write past the tail
                topic.exclusiveRegistration = 0;
                if (!isProcessAlive.test(session.pid))
                {
                    topic.releaseExclusive(session.pid, true);
                }
            }
        }
        int freed = 0;
        for (final ClientSession.ConsumerRegistration registration : session.consumers.values())
        {
            registration.topic.named.onSlotReleased(registration.slot);
            if (revokeOnly)
            {
                registration.topic.slots.revoke(registration.slot);
            }
            else
            {
                registration.topic.slots.release(registration.slot);
            }
            freed++;
        }
        session.consumers.clear();
        return freed;
    }
}
