package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveRecovery;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.InsufficientStorageException;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TopicNames;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.CountersManager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * The broker's single agent: serves client commands from the CnC ring, answers on the broadcast, advances every
 * topic's producer limit (cleaning the ring ahead of producers), and keeps the directory healthy: heartbeats,
 * client liveness, freeing the slots of dead consumers, unblocking abandoned claims, counters.
 * <p>
 * Runs on one thread; every duty is driven by {@link #doWork()} with injected clocks so tests can step it. Once
 * its clients and topics are registered, a duty cycle allocates nothing ({@code SteadyStateAllocationTest}).
 */
final class BrokerConductor implements Agent
{
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long PROCESS_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long FLOW_CONTROL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long the broker has to have had nothing to do before {@link #isQuiet()} (and its idle strategy parks longer). */
    static final long QUIET_AFTER_NS = TimeUnit.SECONDS.toNanos(1);
    /** A join holds its slot reserved for at most about a second (a frame-boundary check): well past that. */
    private static final long MIN_RESERVATION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    private final BrokerContext ctx;
    private final CncFile cnc;
    private final ManyToOneRingBuffer toBroker;
    private final CommandRingUnblocker commandRingUnblocker;
    private final long reservationTimeoutNs;
    private final BroadcastTransmitter toClients;
    private final CountersManager countersManager;
    private final BrokerCounters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final org.agrona.concurrent.EpochNanoClock epochNanoClock = new org.agrona.concurrent.OffsetEpochNanoClock();
    private final BrokerLogger log;
    private final io.shmbus.broker.archive.ArchiveViews archiveViews;

    private final Map<String, TopicState> topics = new HashMap<>();
    private final List<TopicState> topicList = new ArrayList<>();
    private final Long2ObjectHashMap<ClientSession> clients = new Long2ObjectHashMap<>();
    private final ProcessLiveness liveness = new ProcessLiveness();
    private final LongPredicate isProcessAlive = liveness::isAlive;
    private final MessageHandler commandHandler = this::onCommand;
    private final CommandFlyweight command = new CommandFlyweight();
    private final UnsafeBuffer responseBuffer = new UnsafeBuffer(new byte[2048]);
    private final ResponseFlyweight response = new ResponseFlyweight();
    private long nextRegistrationId = 1;
    private long nextHousekeepingNs;
    private long nextFlowControlNs;
    private long dutyCycleNs;
    private long lastActiveNs;
    private boolean commandActivity;
    private long nextProcessCheckNs;

    BrokerConductor(
        final BrokerContext ctx,
        final BrokerLogger log,
        final CncFile cnc,
        final CountersManager countersManager,
        final BrokerCounters counters,
        final ErrorHandler errorHandler,
        final io.shmbus.broker.archive.ArchiveViews archiveViews)
    {
        this.archiveViews = archiveViews;
        this.ctx = ctx;
        this.cnc = cnc;
        this.toBroker = new ManyToOneRingBuffer(cnc.toBroker());
        this.reservationTimeoutNs = Math.max(MIN_RESERVATION_TIMEOUT_NS, ctx.clientLivenessTimeoutNs());
        // well inside the client timeout: keepalives queue behind a blocked command too
        this.commandRingUnblocker = new CommandRingUnblocker(toBroker,
            Math.min(ctx.unblockTimeoutNs(), ctx.clientLivenessTimeoutNs() / 2));
        this.toClients = new BroadcastTransmitter(cnc.toClients());
        this.countersManager = countersManager;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.log = log;
        removeAbandonedTemporaryFiles();
        TopicDeletion.removeTombstones(ctx.dataDir(), log);
        for (final Map.Entry<String, TopicConfig> entry : ctx.config().configuredTopics().entrySet())
        {
            topic(entry.getKey());
        }
        recoverArchivedTopics();
    }

    /** Deletes the half-created logs of processes that died while creating a topic's log (ring-sized files). */
    private void removeAbandonedTemporaryFiles()
    {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(ctx.dir()))
        {
            for (final java.nio.file.Path file : (Iterable<java.nio.file.Path>)files::iterator)
            {
                final long owner = TopicLog.temporaryFileOwner(file.getFileName().toString());
                if (owner > 0 && !isAlive(owner) && java.nio.file.Files.deleteIfExists(file))
                {
                    log.info(BrokerLogger.CONDUCTOR, "removed " + file + ", left by process " + owner +
                        " that died while creating a topic's log");
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            log.error(BrokerLogger.CONDUCTOR, "cannot list " + ctx.dir() + ": " + ex.getMessage());
        }
    }

    /** Opens, at start, every topic that has segments in the data directory, so each is recovered at once. */
    private void recoverArchivedTopics()
    {
        if (null == ctx.dataDir() || !java.nio.file.Files.isDirectory(ctx.dataDir()))
        {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> dirs = java.nio.file.Files.list(ctx.dataDir()))
        {
            for (final java.nio.file.Path dir : (Iterable<java.nio.file.Path>)dirs.sorted()::iterator)
            {
                final String name = dir.getFileName().toString();
                if (TopicDeletion.isTombstone(name))
                {
                    continue; // removed at start; a deletion that failed before it was removed leaves it too
                }
                try
                {
                    if (java.nio.file.Files.isDirectory(dir) && !topics.containsKey(TopicNames.validate(name)) &&
                        !io.shmbus.broker.archive.SegmentScanner.segmentFiles(dir).isEmpty())
                    {
                        topic(name);
                    }
                }
                catch (final ShmbusException | java.io.IOException ex)
                {
                    log.error(BrokerLogger.ARCHIVER, "topic '" + name + "' not recovered: " + ex.getMessage());
                    counters.errors.increment();
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            log.error(BrokerLogger.ARCHIVER, "cannot list " + ctx.dataDir() + ": " + ex.getMessage());
        }
    }

    public String roleName()
    {
        return "shmbus-broker-conductor";
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        dutyCycleNs = nowNs;
        commandActivity = false;
        int work = toBroker.read(commandHandler, 32);
        int archived = 0;
        for (int i = 0, n = topicList.size(); i < n; i++)
        {
            archived += topicList.get(i).archive();
        }
        work += archived;
        if (archived > 0 || commandActivity)
        {
            lastActiveNs = nowNs;
        }
        if (nowNs - nextFlowControlNs >= 0)
        {
            // At most once a millisecond, and not counted as work: a busy topic must not keep the broker from
            // idling, or it would take a core from the producers and consumers it serves.
            nextFlowControlNs = nowNs + FLOW_CONTROL_INTERVAL_NS;
            final long epochNs = epochNanoClock.nanoTime();
            for (int i = 0, n = topicList.size(); i < n; i++)
            {
                final TopicState topic = topicList.get(i);
                if (topic.tailMoved())
                {
                    lastActiveNs = nowNs;
                }
                topic.advanceLimit(epochNs);
                work += topic.detachSlowConsumers(nowNs);
            }
        }
        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            work += housekeeping(nowNs);
        }
        return work;
    }

    /**
     * True once, for {@link #QUIET_AFTER_NS}, no topic's tail has moved, nothing was archived and no command came but
     * keepalives: the idle strategy may then park longer. As of the last duty cycle.
     */
    boolean isQuiet()
    {
        return dutyCycleNs - lastActiveNs >= QUIET_AFTER_NS;
    }

    public void onClose()
    {
        topicList.forEach(TopicState::close);
        topicList.clear();
        topics.clear();
    }

    private int housekeeping(final long nowNs)
    {
        final long nowMs = epochClock.time();
        cnc.brokerHeartbeatMs(nowMs);
        toBroker.consumerHeartbeatTime(nowMs);
        counters.heartbeat.setRelease(nowMs);

        int work = 0;
        if (commandRingUnblocker.check(nowNs))
        {
            counters.commandsUnblocked.increment();
            log.warn(BrokerLogger.CONDUCTOR, "a command left half-written by a client (dead, or stalled for " +
                TimeUnit.NANOSECONDS.toMillis(Math.min(ctx.unblockTimeoutNs(), ctx.clientLivenessTimeoutNs() / 2)) +
                " ms) blocked the command ring: skipped it");
            work++;
        }
        work += checkClientLiveness(nowNs);
        for (int i = 0, n = topicList.size(); i < n; i++)
        {
            final TopicState topic = topicList.get(i);
            final int unblocked = topic.unblockAbandonedClaims(nowNs, ctx.unblockTimeoutNs());
            if (unblocked > 0)
            {
                log.warn(BrokerLogger.CONDUCTOR, "topic '" + topic.name + "': turned " + unblocked +
                    " abandoned claim(s) into padding after " + TimeUnit.NANOSECONDS.toMillis(ctx.unblockTimeoutNs()) +
                    " ms");
                counters.claimsUnblocked.getAndAdd(unblocked);
                work += unblocked;
            }
            final int recovered = topic.recoverAbandonedCleaning(nowNs, ctx.unblockTimeoutNs(),
                isProcessAlive);
            counters.cleaningsRecovered.getAndAdd(recovered);
            work += recovered;
            final int reclaimed = topic.reclaimAbandonedReservations(nowNs, reservationTimeoutNs);
            counters.consumersFreed.getAndAdd(reclaimed);
            work += reclaimed;
            topic.updateCounters();
        }
        if (nowNs - nextProcessCheckNs >= 0)
        {
            nextProcessCheckNs = nowNs + PROCESS_CHECK_INTERVAL_NS;
            work += freeSlotsOfDeadProcesses();
            for (int i = 0, n = topicList.size(); i < n; i++)
            {
                work += topicList.get(i).recoverDeadExclusiveProducer(isProcessAlive);
            }
        }
        counters.clients.setRelease(clients.size());
        counters.topics.setRelease(topicList.size());
        return work;
    }

    private int checkClientLiveness(final long nowNs)
    {
        int work = 0;
        final boolean checkProcesses = nowNs - nextProcessCheckNs >= 0;
        for (final Iterator<ClientSession> it = clients.values().iterator(); it.hasNext(); )
        {
            final ClientSession session = it.next();
            String reason = null;
            boolean processAlive = true;
            if (checkProcesses && !liveness.isAlive(session.pid))
            {
                reason = "its process exited";
                processAlive = false;
            }
            else if (nowNs - session.lastKeepaliveNs > ctx.clientLivenessTimeoutNs())
            {
                reason = "sent no keepalive for " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - session.lastKeepaliveNs) + " ms";
                processAlive = liveness.isAlive(session.pid);
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
                response.wrap(responseBuffer, 0).registrationId(session.clientId);
                transmit(ControlProtocol.ON_CLIENT_TIMEOUT);
                work++;
            }
        }
        return work;
    }

    /** Frees active slots whose owner process is gone and that no live session holds (e.g. clients without a broker). */
    private int freeSlotsOfDeadProcesses()
    {
        for (int i = 0, n = topicList.size(); i < n; i++)
        {
            topicList.get(i).clearHeldBySession();
        }
        for (final ClientSession session : clients.values())
        {
            for (final ClientSession.ConsumerRegistration registration : session.consumers.values())
            {
                registration.topic.heldBySession(registration.slot);
            }
        }
        int freed = 0;
        for (int i = 0, n = topicList.size(); i < n; i++)
        {
            final TopicState topic = topicList.get(i);
            for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
            {
                final int state = topic.log.slotStateVolatile(slot);
                if (state != LogDescriptor.SLOT_FREE && state != LogDescriptor.SLOT_RESERVED &&
                    !topic.isHeldBySession(slot) && !liveness.isAlive(topic.log.slotOwnerPid(slot)))
                {
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

    static boolean isAlive(final long pid)
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
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
                if (!liveness.isAlive(session.pid))
                {
                    topic.releaseExclusive(session.pid, true);
                }
            }
        }
        int freed = 0;
        for (final ClientSession.ConsumerRegistration registration : session.consumers.values())
        {
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

    private void onCommand(final int type, final DirectBuffer buffer, final int index, final int length)
    {
        counters.commandsReceived.increment();
        commandActivity |= ControlProtocol.CLIENT_KEEPALIVE != type;
        if (length < CommandFlyweight.MIN_LENGTH || length > CommandFlyweight.MAX_LENGTH)
        {
            final long correlationId = length >= 8 ? buffer.getLong(index) : 0;
            reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND,
                "command of type " + type + " has length " + length + ", expected " + CommandFlyweight.MIN_LENGTH +
                " to " + CommandFlyweight.MAX_LENGTH);
            return;
        }
        command.wrapForRead(buffer, index);
        final long correlationId = command.correlationId();
        if (command.clientPid() <= 0)
        {
            reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND, "command without a client pid");
            return;
        }
        try
        {
            switch (type)
            {
                case ControlProtocol.ADD_PRODUCER:
                    onAddProducer(correlationId, length, false);
                    break;
                case ControlProtocol.ADD_EXCLUSIVE_PRODUCER:
                    onAddProducer(correlationId, length, true);
                    break;
                case ControlProtocol.ADD_CONSUMER:
                    onAddConsumer(correlationId, length);
                    break;
                case ControlProtocol.REMOVE_PRODUCER:
                    onRemove(correlationId, false);
                    break;
                case ControlProtocol.REMOVE_CONSUMER:
                    onRemove(correlationId, true);
                    break;
                case ControlProtocol.CLIENT_KEEPALIVE:
                    session();
                    break;
                case ControlProtocol.CLIENT_CLOSE:
                    onClientClose();
                    break;
                case ControlProtocol.TOPIC_INFO:
                    onTopicInfo(correlationId, length);
                    break;
                case ControlProtocol.DELETE_TOPIC:
                    onDeleteTopic(correlationId, length);
                    break;
                default:
                    reject(correlationId, ControlProtocol.ERROR_UNKNOWN_COMMAND, "unknown command type " + type);
            }
        }
        catch (final InvalidTopicNameException ex)
        {
            reject(correlationId, ControlProtocol.ERROR_INVALID_TOPIC, ex.getMessage());
        }
        catch (final PositionUnavailableException ex)
        {
            reject(correlationId, ControlProtocol.ERROR_POSITION_UNAVAILABLE, ex.getMessage());
        }
        catch (final InsufficientStorageException ex)
        {
            reject(correlationId, ControlProtocol.ERROR_STORAGE, ex.getMessage());
        }
        catch (final CountersFullException ex)
        {
            reject(correlationId, ControlProtocol.ERROR_RESOURCE_EXHAUSTED, ex.getMessage());
        }
        catch (final ShmbusException ex)
        {
            reject(correlationId, ex.getMessage().contains("slots") ? ControlProtocol.ERROR_RESOURCE_EXHAUSTED :
                ControlProtocol.ERROR_GENERIC, ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            reject(correlationId, ControlProtocol.ERROR_GENERIC, ex.toString());
        }
    }

    private ClientSession session()
    {
        final long clientId = command.clientId();
        ClientSession session = clients.get(clientId);
        if (null == session)
        {
            session = new ClientSession(clientId, command.clientPid(), nanoClock.nanoTime());
            clients.put(clientId, session);
        }
        session.lastKeepaliveNs = nanoClock.nanoTime();
        return session;
    }

    private String topicName(final int length)
    {
        final String name = command.topic(length);
        if (null == name)
        {
            throw new InvalidTopicNameException("topic name length " + command.topicLength() + " is out of range");
        }
        return TopicNames.validate(name);
    }

    private void onAddProducer(final long correlationId, final int length, final boolean exclusive)
    {
        final String name = topicName(length);
        final ClientSession session = session();
        final TopicState topic = topic(name);
        final String conflict = topic.producerConflict(exclusive, isProcessAlive);
        if (null != conflict)
        {
            reject(correlationId, ControlProtocol.ERROR_PRODUCER_CONFLICT, conflict);
            return;
        }
        final long registrationId = nextRegistrationId++;
        if (exclusive)
        {
            topic.grantExclusive(registrationId, session.pid);
        }
        session.producers.put(registrationId, topic);
        topic.producers++;
        response.wrap(responseBuffer, 0).correlationId(correlationId).registrationId(registrationId);
        transmit(ControlProtocol.ON_PRODUCER_READY);
    }

    private void onAddConsumer(final long correlationId, final int length)
    {
        final String name = topicName(length);
        StartPosition start;
        switch (command.startType())
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
                if (command.startPosition() < 0)
                {
                    throw new PositionUnavailableException("start position must be >= 0: " +
                        command.startPosition());
                }
                start = StartPosition.at(command.startPosition());
                break;
            default:
                reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND,
                    "unknown start type " + command.startType());
                return;
        }
        final ClientSession session = session();
        final TopicState topic = topic(name);
        if (null == start)
        {
            start = StartPosition.at(topic.positionAtTime(command.startPosition()));
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
        response.wrap(responseBuffer, 0).correlationId(correlationId).registrationId(registrationId)
            .slot(slot).position(position);
        response.replayPosition(replayFrom)
            .message(null != topic.archiver ? topic.archiver.topicDir().toAbsolutePath().toString() : "");
        if (null != topic.archiver && topic.config.slowConsumerToArchive())
        {
            topic.slots.markArchiveFallback(slot);
            response.flags(ResponseFlyweight.FLAG_ARCHIVE_FALLBACK);
            if (replayFrom >= 0)
            {
                topic.slots.detachActive(slot); // the replay follows the archive and rejoins: producers go on
            }
        }
        transmit(ControlProtocol.ON_CONSUMER_READY);
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

    private void onRemove(final long correlationId, final boolean consumer)
    {
        final ClientSession session = session();
        final long registrationId = command.registrationId();
        if (consumer)
        {
            final ClientSession.ConsumerRegistration registration = session.consumers.remove(registrationId);
            if (null == registration)
            {
                reject(correlationId, ControlProtocol.ERROR_UNKNOWN_REGISTRATION,
                    "no consumer " + registrationId + " for client " + session.clientId);
                return;
            }
            registration.topic.slots.release(registration.slot);
        }
        else
        {
            final TopicState topic = session.producers.remove(registrationId);
            if (null == topic)
            {
                reject(correlationId, ControlProtocol.ERROR_UNKNOWN_REGISTRATION,
                    "no producer " + registrationId + " for client " + session.clientId);
                return;
            }
            topic.producers--;
            if (registrationId == topic.exclusiveRegistration)
            {
                topic.releaseExclusive(session.pid, false);
            }
        }
        if (0 != correlationId)
        {
            response.wrap(responseBuffer, 0).correlationId(correlationId).registrationId(registrationId);
            transmit(ControlProtocol.ON_OPERATION_SUCCESS);
        }
    }

    private void onClientClose()
    {
        final ClientSession session = clients.remove(command.clientId());
        if (null != session)
        {
            removeRegistrations(session, false);
        }
    }

    /**
     * The topic for an operator's command: open, or opened now when it has a ring file or an archive directory (as
     * its first use would), or null when the broker has no such topic.
     */
    private TopicState existingTopic(final String name)
    {
        final TopicState open = topics.get(name);
        if (null != open)
        {
            return open;
        }
        final boolean hasFiles = java.nio.file.Files.exists(TopicLog.fileOf(ctx.dir(), name)) ||
            (null != ctx.dataDir() && java.nio.file.Files.isDirectory(ctx.dataDir().resolve(name)));
        return hasFiles ? topic(name) : null;
    }

    private String unknownTopic(final String name)
    {
        return "no topic '" + name + "' on this broker (no ring file in " + ctx.dir() +
            (null != ctx.dataDir() ? " and no archive in " + ctx.dataDir() : "") + ")";
    }

    private void onTopicInfo(final long correlationId, final int length)
    {
        final String name = topicName(length);
        final TopicState topic = existingTopic(name);
        if (null == topic)
        {
            reject(correlationId, ControlProtocol.ERROR_UNKNOWN_TOPIC, unknownTopic(name));
            return;
        }
        final String report;
        try
        {
            report = TopicReport.render(topic, clients, ctx.dataDir());
        }
        catch (final java.io.IOException ex)
        {
            reject(correlationId, ControlProtocol.ERROR_STORAGE, "topic '" + name + "': " + ex);
            return;
        }
        final List<String> parts = TopicReport.parts(report, ResponseFlyweight.MAX_MESSAGE_LENGTH);
        for (int i = 0, n = parts.size(); i < n; i++)
        {
            response.wrap(responseBuffer, 0).correlationId(correlationId)
                .flags(i < n - 1 ? ResponseFlyweight.FLAG_MORE : 0).message(parts.get(i));
            transmit(ControlProtocol.ON_TOPIC_INFO);
        }
    }

    /**
     * Deletes a topic nobody uses. Every check comes before the first change; from there the topic is closed
     * (its counters freed, its archiver stopped) and its files deleted within this one command, so a client's
     * command that comes after it finds no topic and gets a new one, never part of the old.
     */
    private void onDeleteTopic(final long correlationId, final int length)
    {
        final String name = topicName(length);
        final TopicState topic = existingTopic(name);
        if (null == topic)
        {
            reject(correlationId, ControlProtocol.ERROR_UNKNOWN_TOPIC, unknownTopic(name));
            return;
        }
        final java.nio.file.Path archiveDir = null != ctx.dataDir() ? ctx.dataDir().resolve(name) : null;
        final TopicDeletion.Refusal refusal = TopicDeletion.check(topic, clients, isProcessAlive, archiveDir,
            0 != (command.startType() & ControlProtocol.DELETE_ARCHIVE));
        if (null != refusal)
        {
            reject(correlationId, refusal.errorCode(), refusal.message());
            return;
        }
        topics.remove(name);
        topicList.remove(topic);
        topic.close();
        final String deleted;
        try
        {
            deleted = TopicDeletion.deleteFiles(topic.log.file(), archiveDir);
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            counters.errors.increment();
            reject(correlationId, ControlProtocol.ERROR_STORAGE, "topic '" + name + "' was closed but not all its " +
                "files could be deleted (" + ex + "); what is left is opened again at its next use");
            return;
        }
        log.info(BrokerLogger.CONDUCTOR, "topic '" + name + "' deleted: " + deleted);
        response.wrap(responseBuffer, 0).correlationId(correlationId).message("deleted topic '" + name + "': " +
            deleted);
        transmit(ControlProtocol.ON_OPERATION_SUCCESS);
    }

    private TopicState topic(final String name)
    {
        TopicState topic = topics.get(name);
        if (null == topic)
        {
            if (countersManager.available() < TopicState.MAX_COUNTERS)
            {
                throw new CountersFullException("no room for the counters of topic '" + name + "': the " +
                    topics.size() + " topics of this broker and their consumers hold all " +
                    countersManager.capacity() + " counters of its CnC file; delete topics no longer used " +
                    "('shmbus topic delete')");
            }
            final TopicConfig config = ctx.config().topic(name);
            final boolean persistent = null != ctx.dataDir() && config.persistent();
            final ArchiveRecovery.Recovered recovered = persistent ?
                ArchiveRecovery.recover(ctx.dataDir().resolve(name), log) : ArchiveRecovery.Recovered.NONE;
            final long resume = recovered.resumePosition;
            // a new ring continues the archive's positions, so nothing is ever stored twice at one position
            final TopicLog topicLog = TopicLog.openOrCreate(ctx.dir(), name, config.capacity(),
                config.maxMessageLength(), Math.max(0, resume), ctx.filePermissions(), 5_000);
            try
            {
                topic = new TopicState(name, config, topicLog, countersManager, ctx.dataDir(), ctx.segmentLength(),
                    recovered, log, archiveViews);
            }
            catch (final RuntimeException ex)
            {
                topicLog.close();
                throw ex;
            }
            topicLog.brokerEpochNsRelease(epochNanoClock.nanoTime()); // before any producer is told it is ready
            topics.put(name, topic);
            topicList.add(topic);
            log.info(BrokerLogger.CONDUCTOR, "topic '" + name + "' ready (" + topicLog.file() + ", capacity " +
                topicLog.capacity() + ", max message " + topicLog.maxMessageLength() +
                (null != topic.archiver ? ", archived to " + topic.archiver.topicDir() + " from position " +
                topic.archiver.archivedPosition() : ", not persistent") + ")");
        }
        return topic;
    }

    private void reject(final long correlationId, final int errorCode, final String message)
    {
        counters.commandErrors.increment();
        log.warn(BrokerLogger.CONDUCTOR, "rejected command " + correlationId + ": " +
            ControlProtocol.errorCodeName(errorCode) + ": " + message);
        // without the correlation id: the same mistake made again is one entry with a growing count; recorded before
        // the client hears of it, so a client that saw the error finds it in the error log
        log.record(BrokerLogger.CONDUCTOR, "rejected command: " + ControlProtocol.errorCodeName(errorCode) + ": " +
            message);
        response.wrap(responseBuffer, 0).correlationId(correlationId).errorCode(errorCode).message(message);
        transmit(ControlProtocol.ON_ERROR);
    }

    private void transmit(final int type)
    {
        toClients.transmit(type, responseBuffer, 0, response.length());
    }

}
