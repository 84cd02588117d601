package io.shmbus.broker;

import io.shmbus.broker.config.MirrorConfig;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.cnc.ControlProtocol;

import java.util.function.LongPredicate;

/**
 * Serves the commands that add and remove a client's producers and consumers: checks them against the topic
 * (an exclusive producer's conflicts, a consumer's start position in the ring or the archive), records them in the
 * client's session and the topic log, and answers the client.
 * <p>
 * Conductor thread only; called by {@link ClientCommandAdapter}.
 */
final class RegistrationCommands
{
    private final TopicRegistry topics;
    private final ClientSessions sessions;
    private final ClientProxy clientProxy;
    private final LongPredicate isProcessAlive;
    private long nextRegistrationId = 1;

    RegistrationCommands(
        final TopicRegistry topics,
        final ClientSessions sessions,
        final ClientProxy clientProxy,
        final LongPredicate isProcessAlive)
    {
        this.topics = topics;
        this.sessions = sessions;
        this.clientProxy = clientProxy;
        this.isProcessAlive = isProcessAlive;
    }

    void onAddProducer(
        final long correlationId, final long clientId, final long pid, final String name, final boolean exclusive)
    {
        final ClientSession session = sessions.session(clientId, pid);
        final MirrorConfig mirror = topics.mirrorOf(name);
        if (null != mirror)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_TOPIC_MIRRORED, "topic '" + name + "' is a " +
                "mirror of " + mirror.source() + ": only the mirror writes it; publish on the source broker");
            return;
        }
        final TopicState topic = topics.topic(name);
        final String conflict = topic.producerConflict(exclusive, isProcessAlive);
        if (null != conflict)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_PRODUCER_CONFLICT, conflict);
            return;
        }
        final long registrationId = nextRegistrationId++;
        if (exclusive)
        {
            topic.grantExclusive(registrationId, session.pid);
        }
        session.producers.put(registrationId, topic);
        topic.producers++;
        clientProxy.onProducerReady(correlationId, registrationId);
    }

    void onAddConsumer(
        final long correlationId,
        final long clientId,
        final long pid,
        final String name,
        final int startType,
        final long startPosition)
    {
        onAddConsumer(correlationId, clientId, pid, name, null, startType, startPosition);
    }

    /**
     * Adds a consumer; a named one ({@code consumerName} not null) resumes at its stored position when the broker
     * has one, and is refused while another live process holds the name.
     */
    void onAddConsumer(
        final long correlationId,
        final long clientId,
        final long pid,
        final String name,
        final String consumerName,
        final int startType,
        final long startPosition)
    {
        StartPosition start;
        switch (startType)
        {
            case ControlProtocol.START_EARLIEST:
                start = StartPosition.EARLIEST;
                break;
            case ControlProtocol.START_LATEST:
                start = StartPosition.LATEST;
                break;
            case ControlProtocol.START_TIME:
                start = null; // resolved below, once the topic is open
                break;
            case ControlProtocol.START_POSITION:
                if (startPosition < 0)
                {
                    throw new PositionUnavailableException("start position must be >= 0: " + startPosition);
                }
                start = StartPosition.at(startPosition);
                break;
            default:
                clientProxy.reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND,
                    "unknown start type " + startType);
                return;
        }
        final ClientSession session = sessions.session(clientId, pid);
        final TopicState topic = topics.topic(name);
        if (null == consumerName)
        {
            addConsumer(correlationId, session, topic, null, start, startPosition);
            return;
        }
        // held from the check to the attach, so a network subscriber cannot take the name in between
        synchronized (topic.named)
        {
            final String holder = topic.named.holder(consumerName, isProcessAlive);
            if (null != holder)
            {
                clientProxy.reject(correlationId, ControlProtocol.ERROR_CONSUMER_NAME_IN_USE, "consumer '" +
                    consumerName + "' of topic '" + name + "' is held by " + holder +
                    "; one subscriber at a time holds a name");
                return;
            }
            final long stored = topic.named.position(consumerName);
            if (stored >= 0)
            {
                start = StartPosition.at(stored); // resumes: the start applies only to a name not seen before
            }
            addConsumer(correlationId, session, topic, consumerName, start, startPosition);
        }
    }

    private void addConsumer(
        final long correlationId,
        final ClientSession session,
        final TopicState topic,
        final String consumerName,
        final StartPosition requestedStart,
        final long startPosition)
    {
        StartPosition start = requestedStart;
        if (null == start)
        {
            start = StartPosition.at(topic.positionAtTime(startPosition));
        }
        final long replayFrom = replayStart(topic, start);
        final int slot = topic.slots.reserve();
        // with a replay, the live part starts exactly where the archive ends: the archiver's own slot holds the
        // ring there, so the position is still in it
        final long position = replayFrom >= 0 ?
            topic.slots.activateAtBoundary(slot, topic.archiver.archivedPosition(), session.pid) :
            topic.slots.activate(slot, start, session.pid);
        final long registrationId = nextRegistrationId++;
        session.consumers.put(registrationId, new ClientSession.ConsumerRegistration(topic, slot));
        if (null != consumerName)
        {
            topic.named.attach(consumerName, slot, session.pid, replayFrom >= 0 ? replayFrom : position);
        }
        final boolean archiveFallback = null != topic.archiver && topic.config.slowConsumerToArchive();
        if (archiveFallback)
        {
            topic.slots.markArchiveFallback(slot);
            if (replayFrom >= 0)
            {
                topic.slots.detachActive(slot); // the replay follows the archive and rejoins: producers go on
            }
        }
        clientProxy.onConsumerReady(correlationId, registrationId, slot, position, replayFrom,
            null != topic.archiver ? topic.archiver.topicDir().toAbsolutePath().toString() : "", archiveFallback);
    }

    /**
     * Where a new consumer must read the archive from before the live ring, or -1 when it starts in the ring:
     * "earliest" on an archived topic means the oldest archived frame; an exact position before the ring's oldest
     * frame must be an archived frame start.
     */
    private static long replayStart(final TopicState topic, final StartPosition start)
    {
        if (null == topic.archiver || start.isLatest())
        {
            return -1;
        }
        final long archived = topic.archiver.archivedPosition();
        final long first = topic.archiver.firstPosition();
        if (start.isEarliest())
        {
            return first < archived && first < topic.log.earliestPosition() ? first : -1;
        }
        final long position = start.position();
        if (position >= archived || position >= topic.log.earliestPosition())
        {
            return -1; // the ring still holds it
        }
        if (position < first)
        {
            throw new PositionUnavailableException("position " + position + " of topic '" + topic.name +
                "' is no longer available: the archive starts at " + first);
        }
        if (!topic.archiver.isFrameStart(position))
        {
            throw new PositionUnavailableException("position " + position + " of topic '" + topic.name +
                "' is not the start of a frame in the archive");
        }
        return position;
    }

    void onRemoveProducer(final long correlationId, final long clientId, final long pid, final long registrationId)
    {
        final ClientSession session = sessions.session(clientId, pid);
        final TopicState topic = session.producers.remove(registrationId);
        if (null == topic)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_REGISTRATION,
                "no producer " + registrationId + " for client " + session.clientId);
            return;
        }
        topic.producers--;
        if (registrationId == topic.exclusiveRegistration)
        {
            topic.releaseExclusive(session.pid, false);
        }
        removed(correlationId, registrationId);
    }

    void onRemoveConsumer(final long correlationId, final long clientId, final long pid, final long registrationId)
    {
        final ClientSession session = sessions.session(clientId, pid);
        final ClientSession.ConsumerRegistration registration = session.consumers.remove(registrationId);
        if (null == registration)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_REGISTRATION,
                "no consumer " + registrationId + " for client " + session.clientId);
            return;
        }
        registration.topic.named.onSlotReleased(registration.slot);
        registration.topic.slots.release(registration.slot);
        removed(correlationId, registrationId);
    }

    /** A removal is answered only when the client waits for it (a correlation id); a close just sends it. */
    private void removed(final long correlationId, final long registrationId)
    {
        if (0 != correlationId)
        {
            clientProxy.onOperationSuccess(correlationId, registrationId);
        }
    }
}
