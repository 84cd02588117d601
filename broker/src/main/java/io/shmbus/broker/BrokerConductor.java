package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.mirror.MirrorHandOff;
import io.shmbus.client.cnc.CncFile;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.CountersManager;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * The broker's single agent: its duty cycle serves client commands (through the {@link ClientCommandAdapter}),
 * archives, advances every topic's producer limit (cleaning the ring ahead of producers), and keeps the directory
 * healthy: heartbeats, client liveness ({@link ClientSessions}), freeing the slots of dead consumers, unblocking
 * abandoned claims and commands, counters. The topics are in the {@link TopicRegistry}.
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
    private final BrokerCounters counters;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final EpochNanoClock epochNanoClock = new OffsetEpochNanoClock();
    private final BrokerLogger log;
    private final LongPredicate isProcessAlive = new ProcessLiveness()::isAlive;
    private final TopicRegistry topics;
    private final ClientSessions sessions;
    private final ClientCommandAdapter commandAdapter;
    private long nextHousekeepingNs;
    private long nextFlowControlNs;
    private long dutyCycleNs;
    private long lastActiveNs;
    private long nextProcessCheckNs;

    BrokerConductor(
        final BrokerContext ctx,
        final BrokerLogger log,
        final CncFile cnc,
        final CountersManager countersManager,
        final BrokerCounters counters,
        final ErrorHandler errorHandler,
        final ArchiveViews archiveViews,
        final MirrorHandOff mirrorHandOff)
    {
        this.ctx = ctx;
        this.cnc = cnc;
        this.toBroker = new ManyToOneRingBuffer(cnc.toBroker());
        this.reservationTimeoutNs = Math.max(MIN_RESERVATION_TIMEOUT_NS, ctx.clientLivenessTimeoutNs());
        // well inside the client timeout: keepalives queue behind a blocked command too
        this.commandRingUnblocker = new CommandRingUnblocker(toBroker,
            Math.min(ctx.unblockTimeoutNs(), ctx.clientLivenessTimeoutNs() / 2));
        this.counters = counters;
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.log = log;
        final ClientProxy clientProxy = new ClientProxy(new BroadcastTransmitter(cnc.toClients()), counters, log);
        this.topics = new TopicRegistry(ctx, log, countersManager, counters, archiveViews, epochNanoClock,
            mirrorHandOff);
        this.sessions = new ClientSessions(ctx, nanoClock, isProcessAlive, clientProxy,
            counters, log);
        this.commandAdapter = new ClientCommandAdapter(toBroker,
            new RegistrationCommands(topics, sessions, clientProxy, isProcessAlive),
            new TopicAdminCommands(topics, sessions, clientProxy, isProcessAlive, ctx, counters, log),
            new NamedConsumerCommands(topics, clientProxy, isProcessAlive, ctx.dataDir(), log),
            sessions, clientProxy, counters, errorHandler);
        topics.openAtStart();
    }

    public String roleName()
    {
        return "shmbus-broker-conductor";
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        dutyCycleNs = nowNs;
        int work = commandAdapter.receive();
        work += topics.openRequestedMirrors();
        final List<TopicState> topicList = topics.all();
        int archived = 0;
        for (int i = 0, n = topicList.size(); i < n; i++)
        {
            archived += topicList.get(i).archive();
        }
        work += archived;
        if (archived > 0 || commandAdapter.hadCommandActivity())
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
                topic.named.pollCommits();
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
        topics.closeAll();
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
        work += sessions.checkLiveness(nowNs, nowNs - nextProcessCheckNs >= 0);
        final List<TopicState> topicList = topics.all();
        for (int i = 0, n = topicList.size(); i < n; i++)
        {
            final TopicState topic = topicList.get(i);
            // a mirror's only writer is the broker's mirror thread, which finishes its own frames after a restart
            final int unblocked = null != topic.mirror ? 0 :
                topic.abandonedWork.unblockAbandonedClaims(nowNs, ctx.unblockTimeoutNs());
            if (unblocked > 0)
            {
                log.warn(BrokerLogger.CONDUCTOR, "topic '" + topic.name + "': turned " + unblocked +
                    " abandoned claim(s) into padding after " + TimeUnit.NANOSECONDS.toMillis(ctx.unblockTimeoutNs()) +
                    " ms");
                counters.claimsUnblocked.getAndAdd(unblocked);
                work += unblocked;
            }
            final int recovered = topic.abandonedWork.recoverAbandonedCleaning(nowNs, ctx.unblockTimeoutNs(),
                isProcessAlive);
            counters.cleaningsRecovered.getAndAdd(recovered);
            work += recovered;
            final int reclaimed = topic.abandonedWork.reclaimAbandonedReservations(nowNs, reservationTimeoutNs);
            counters.consumersFreed.getAndAdd(reclaimed);
            work += reclaimed;
            topic.updateCounters();
            topic.named.persist(); // only when a named consumer committed since the last write
        }
        if (nowNs - nextProcessCheckNs >= 0)
        {
            nextProcessCheckNs = nowNs + PROCESS_CHECK_INTERVAL_NS;
            work += sessions.freeSlotsOfDeadProcesses(topicList);
            for (int i = 0, n = topicList.size(); i < n; i++)
            {
                work += topicList.get(i).recoverDeadExclusiveProducer(isProcessAlive);
            }
        }
        counters.clients.setRelease(sessions.size());
        counters.topics.setRelease(topics.size());
        return work;
    }
}
