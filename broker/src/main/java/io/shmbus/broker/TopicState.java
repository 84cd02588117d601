package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.archive.TopicArchiver;
import io.shmbus.broker.config.MirrorConfig;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.status.PublishedTally;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;
import java.util.Arrays;

import static io.shmbus.broker.logging.BrokerLogger.CONDUCTOR;

/**
 * The broker's view of one topic: its mapped log, flow control (advancing the producer limit, moving slow consumers
 * to the archive), its archiver or published tally, its producers (the exclusive one's grant and recovery) and
 * the slots client sessions hold; its counters are in {@link TopicCounters}, the repair of abandoned work in
 * {@link AbandonedWorkWatch}. Owned by the conductor thread.
 */
final class TopicState implements AutoCloseable
{
    final String name;
    final TopicConfig config;
    /** The mirror this topic receives from another broker (its only writer is then the mirror thread), or null. */
    final MirrorConfig mirror;
    final TopicLog log;
    final ConsumerSlots slots;
    final FlowControl flowControl;
    final TopicCounters counters;
    /** Repairs what processes left half done in the log: claims, cleanings, reservations. */
    final AbandonedWorkWatch abandonedWork;
    final TopicArchiver archiver;
    /** Counts published messages of a topic nobody archives; null when the archiver counts them. */
    final PublishedTally tally;
    /** The archived range published to other threads (the network server); null when not persistent. */
    final ArchiveView archiveView;
    /** Durable named consumers: their stored positions and holders. */
    final NamedConsumers named;
    private final ArchiveViews archiveViews;
    private final io.shmbus.broker.logging.BrokerLogger out;
    int producers;
    /** The registration of the topic's exclusive producer, 0 when it has none registered. */
    long exclusiveRegistration;

    private final long[] detachRequestedNs = new long[LogDescriptor.CONSUMER_SLOT_COUNT];
    /** Slots a client session of the broker holds, marked afresh for each check of exited processes. */
    private final boolean[] heldBySession = new boolean[LogDescriptor.CONSUMER_SLOT_COUNT];
    private long lastSeenTail = -1;

    /**
     * The most counters a topic takes, its consumers' positions aside: its own seven, and the archiver's nine (its
     * five, the published tally's two, the disk usage's two) or the tally's two. The conductor checks there is room
     * before it makes a topic ({@link TopicRegistry}), so no topic is ever half made.
     */
    static final int MAX_COUNTERS = 16;

    TopicState(
        final String name,
        final TopicConfig config,
        final MirrorConfig mirror,
        final TopicLog log,
        final CountersManager countersManager,
        final Path dataDir,
        final long segmentLength,
        final io.shmbus.broker.archive.ArchiveRecovery.Recovered recovered,
        final io.shmbus.broker.logging.BrokerLogger out,
        final ArchiveViews archiveViews)
    {
        this.name = name;
        this.out = out;
        this.config = config;
        this.mirror = mirror;
        this.log = log;
        this.slots = new ConsumerSlots(log);
        // first, so that a damaged positions file fails the topic's opening before anything needs closing
        this.named = new NamedConsumers(name, slots, null != dataDir ? dataDir.resolve(name) : null,
            config.durability() != TopicConfig.DURABILITY_NONE,
            ex -> out.warn(io.shmbus.broker.logging.BrokerLogger.CONDUCTOR, ex.getMessage()));
        this.flowControl = new FlowControl(log, slots);
        this.counters = new TopicCounters(name, log, countersManager);
        this.abandonedWork = new AbandonedWorkWatch(name, log, slots, flowControl, this.counters, out);
        if (null != dataDir && config.persistent())
        {
            TopicArchiver created = null;
            try
            {
                created = new TopicArchiver(log, dataDir, segmentLength, recovered, config, countersManager, out);
            }
            finally
            {
                if (null == created)
                {
                    closeCounters();
                }
            }
            this.archiver = created;
            this.tally = null; // the archiver counts what it archives
            this.archiveView = new ArchiveView(name, created.topicDir(), created.segmentLength(),
                log.maxMessageLength() + io.shmbus.client.log.FrameDescriptor.HEADER_LENGTH, created.firstPosition(),
                created.archivedPosition());
            archiveView.damageCounter(created.damageCounter());
            archiveView.namedPositions(named);
            archiveViews.add(archiveView);
        }
        else
        {
            this.archiver = null;
            this.archiveView = null;
            PublishedTally created = null;
            try
            {
                created = new PublishedTally(log, countersManager);
            }
            finally
            {
                if (null == created)
                {
                    closeCounters();
                }
            }
            this.tally = created;
        }
        this.archiveViews = archiveViews;
    }

    /**
     * The position of the first message stamped at or after {@code epochNs}: in the archive if it is there, else
     * in the ring; the tail when no message is that recent yet.
     */
    long positionAtTime(final long epochNs)
    {
        long from = log.earliestPosition();
        if (null != archiver)
        {
            final long archived = archiver.positionAtTime(epochNs);
            if (archived < archiver.archivedPosition())
            {
                return archived;
            }
            from = Math.max(from, archived);
        }
        final org.agrona.concurrent.UnsafeBuffer ring = log.ring();
        final long tail = log.tailVolatile();
        long position = from;
        while (position < tail)
        {
            final int offset = (int)position & log.mask();
            final int length = ring.getIntVolatile(offset);
            if (length <= 0)
            {
                return position;
            }
            if (ring.getShort(offset + io.shmbus.client.log.FrameDescriptor.TYPE_OFFSET) ==
                io.shmbus.client.log.FrameDescriptor.TYPE_DATA &&
                ring.getLong(offset + io.shmbus.client.log.FrameDescriptor.TIMESTAMP_OFFSET) >= epochNs)
            {
                return position;
            }
            position += io.shmbus.client.log.FrameDescriptor.alignedLength(length);
        }
        return tail;
    }

    /** Archives what producers committed since the last call; returns the work done. */
    int archive()
    {
        if (null == archiver)
        {
            return 0;
        }
        final int work = archiver.doWork();
        archiveView.update(archiver.firstPosition(), archiver.archivedPosition());
        return work;
    }

    /**
     * Publishes the broker's clock into the log and advances the producer limit ahead of the producers, keeping a
     * quarter of the ring of history for consumers that join at "earliest". It cleans only once the producers'
     * headroom falls below 5/8 of the ring, and then frees at least an eighth at once: few, larger cleanings
     * disturb the producers' and consumers' cores less often than one small one every millisecond, and the
     * producers' own cleaning (at half a ring of headroom) stays a fallback. Returns 1 when the limit moved.
     */
    int advanceLimit(final long epochNs)
    {
        if (null != tally)
        {
            tally.catchUp(); // first: what the limit's advance may clean is then counted
        }
        log.brokerEpochNsRelease(epochNs);
        flowControl.sample();
        final int capacity = log.capacity();
        final long before = log.producerLimitVolatile();
        if (before - log.tailVolatile() >= (capacity >> 1) + (capacity >> 3))
        {
            return 0;
        }
        return flowControl.tryAdvance(capacity >> 2, Long.MAX_VALUE) != before ? 1 : 0;
    }

    /**
     * Slow-consumer policy "archive": a consumer that is half a ring behind the tail and a quarter ring behind the
     * archiver (so what it has not read is in the segment files) is asked to continue from the archive, which it
     * does at its next poll; one that does not poll within the detach timeout is moved by the broker. Producers
     * are then held only by the others. The quarter-ring margin keeps a consumer that just rejoined the ring at the
     * archived position from being sent straight back.
     *
     * @return the number of consumers asked or moved.
     */
    int detachSlowConsumers(final long nowNs)
    {
        if (null == archiver || !config.slowConsumerToArchive())
        {
            return 0;
        }
        final int capacity = log.capacity();
        final long tail = log.tailVolatile();
        final long archived = archiver.archivedPosition();
        int work = 0;
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            final int state = log.slotStateVolatile(slot);
            if (LogDescriptor.SLOT_ACTIVE == state && slots.isArchiveFallback(slot))
            {
                final long position = log.slotPositionVolatile(slot);
                if (tail - position > (capacity >> 1) && archived - position > (capacity >> 2) &&
                    slots.requestDetach(slot))
                {
                    detachRequestedNs[slot] = nowNs;
                    counters.consumerMovedToArchive();
                    work++;
                }
            }
            else if (LogDescriptor.SLOT_DETACHING == state &&
                nowNs - detachRequestedNs[slot] >= config.slowConsumerDetachTimeoutNs() && slots.detach(slot))
            {
                work++;
            }
        }
        return work;
    }

    /** True when the tail moved since the last call: producers are publishing. */
    boolean tailMoved()
    {
        final long tail = log.tailVolatile();
        if (tail != lastSeenTail)
        {
            lastSeenTail = tail;
            return true;
        }
        return false;
    }

    void clearHeldBySession()
    {
        Arrays.fill(heldBySession, false);
    }

    void heldBySession(final int slot)
    {
        heldBySession[slot] = true;
    }

    boolean isHeldBySession(final int slot)
    {
        return heldBySession[slot];
    }

    void updateCounters()
    {
        counters.update(log.tailVolatile(), log.producerLimitVolatile(),
            slots.activeCount() - (null != archiver ? 1 : 0), // clients' consumers only
            producers, null != archiver ? archiver.slot() : -1);
    }

    /**
     * Why a producer (exclusive or not) of process {@code pid} may not be added now, or null when it may: an
     * exclusive producer must be the only one, and a topic with one takes no other while its process lives.
     */
    String producerConflict(final boolean exclusive, final java.util.function.LongPredicate isAlive)
    {
        final long owner = log.exclusiveOwnerPidVolatile();
        if (0 != owner)
        {
            if (isAlive.test(owner))
            {
                return "topic '" + name + "' has an exclusive producer (process " + owner + "): no other producer " +
                    "may publish to it while it lives";
            }
            recoverDeadExclusiveProducer(owner);
        }
        if (exclusive && producers > 0)
        {
            return "topic '" + name + "' has " + producers + " producer(s): an exclusive producer must be its only one";
        }
        return null;
    }

    /** Records the exclusive producer of process {@code pid} in the topic log. */
    void grantExclusive(final long registrationId, final long pid)
    {
        if (!log.casExclusiveOwnerPid(0, pid))
        {
            throw new IllegalStateException("topic '" + name + "' already has an exclusive producer");
        }
        exclusiveRegistration = registrationId;
    }

    /**
     * The exclusive producer is gone. One that closed itself left nothing behind; one whose process died may have
     * left a header and payload past the tail, which are cleared before another producer may write there.
     */
    void releaseExclusive(final long pid, final boolean processDied)
    {
        exclusiveRegistration = 0;
        if (processDied)
        {
            recoverDeadExclusiveProducer(pid);
        }
        else
        {
            log.casExclusiveOwnerPid(pid, 0);
        }
    }

    /**
     * Housekeeping: an exclusive producer whose process is gone (registered or not) leaves the topic to others once
     * what it wrote past the tail is zeroed.
     *
     * @return 1 if one was recovered.
     */
    int recoverDeadExclusiveProducer(final java.util.function.LongPredicate isAlive)
    {
        final long owner = log.exclusiveOwnerPidVolatile();
        return 0 != owner && !isAlive.test(owner) && recoverDeadExclusiveProducer(owner) ? 1 : 0;
    }

    private boolean recoverDeadExclusiveProducer(final long owner)
    {
        final long tail = log.tailVolatile();
        final long end = log.releaseDeadExclusiveOwner(owner);
        if (end < 0)
        {
            return false;
        }
        exclusiveRegistration = 0;
        out.info(CONDUCTOR, "topic '" + name + "': the exclusive producer of exited process " + owner +
            " is gone: cleared what it left past the tail (" + tail + " to " + end + "); the topic takes producers");
        return true;
    }

    private void closeCounters()
    {
        counters.close();
        if (null != tally)
        {
            tally.close();
        }
    }

    public void close()
    {
        named.pollCommits();
        named.persist();
        if (null != archiver)
        {
            archiveViews.remove(name);
            archiver.close();
        }
        closeCounters();
        log.close();
    }
}
