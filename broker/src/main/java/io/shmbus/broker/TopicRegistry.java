package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveRecovery;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.broker.config.MirrorConfig;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.mirror.MirrorHandOff;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.TopicNames;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The broker's open topics, by name: opens a topic at its first use (recovering its archive and continuing its
 * positions), at start every configured topic and every topic with segments in the data directory, and closes and
 * forgets a deleted one. At start it also removes what dead processes and interrupted deletions left behind.
 * <p>
 * Conductor thread only. {@link #all()} is a view for index loops, which allocate nothing.
 */
final class TopicRegistry
{
    private final BrokerContext ctx;
    private final BrokerLogger log;
    private final CountersManager countersManager;
    private final BrokerCounters counters;
    private final ArchiveViews archiveViews;
    private final EpochNanoClock epochNanoClock;
    private final MirrorHandOff mirrorHandOff;
    private final Map<String, TopicState> topics = new HashMap<>();
    private final List<TopicState> topicList = new ArrayList<>();
    private final List<TopicState> view = Collections.unmodifiableList(topicList);

    TopicRegistry(
        final BrokerContext ctx,
        final BrokerLogger log,
        final CountersManager countersManager,
        final BrokerCounters counters,
        final ArchiveViews archiveViews,
        final EpochNanoClock epochNanoClock,
        final MirrorHandOff mirrorHandOff)
    {
        this.mirrorHandOff = mirrorHandOff;
        this.ctx = ctx;
        this.log = log;
        this.countersManager = countersManager;
        this.counters = counters;
        this.archiveViews = archiveViews;
        this.epochNanoClock = epochNanoClock;
    }

    /**
     * At start: removes abandoned temporary files and deletion tombstones, then opens every configured topic and
     * recovers every archived one.
     */
    void openAtStart()
    {
        removeAbandonedTemporaryFiles();
        TopicDeletion.removeTombstones(ctx.dataDir(), log);
        for (final Map.Entry<String, TopicConfig> entry : ctx.config().configuredTopics().entrySet())
        {
            topic(entry.getKey());
        }
        for (final String mirror : ctx.config().mirrors().keySet())
        {
            if (mirrorHasStarted(mirror))
            {
                topic(mirror); // a new one waits for its source's position (MirrorHandOff)
            }
        }
        recoverArchivedTopics();
    }

    /** The mirror configured for that topic name (the mirror thread is its only writer), or null. */
    MirrorConfig mirrorOf(final String name)
    {
        return ctx.config().mirror(name);
    }

    /** The open topics, in the order they were opened. */
    List<TopicState> all()
    {
        return view;
    }

    int size()
    {
        return topicList.size();
    }

    /** True when the topic is open now (never opens it). */
    boolean isOpen(final String name)
    {
        return topics.containsKey(name);
    }

    /** Deletes the half-created logs of processes that died while creating a topic's log (ring-sized files). */
    private void removeAbandonedTemporaryFiles()
    {
        try (Stream<Path> files = Files.list(ctx.dir()))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final long owner = TopicLog.temporaryFileOwner(file.getFileName().toString());
                if (owner > 0 && !isAlive(owner) && Files.deleteIfExists(file))
                {
                    log.info(BrokerLogger.CONDUCTOR, "removed " + file + ", left by process " + owner +
                        " that died while creating a topic's log");
                }
            }
        }
        catch (final IOException ex)
        {
            log.error(BrokerLogger.CONDUCTOR, "cannot list " + ctx.dir() + ": " + ex.getMessage());
        }
    }

    private static boolean isAlive(final long pid)
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Opens, at start, every topic that has segments in the data directory, so each is recovered at once. */
    private void recoverArchivedTopics()
    {
        if (null == ctx.dataDir() || !Files.isDirectory(ctx.dataDir()))
        {
            return;
        }
        try (Stream<Path> dirs = Files.list(ctx.dataDir()))
        {
            for (final Path dir : (Iterable<Path>)dirs.sorted()::iterator)
            {
                final String name = dir.getFileName().toString();
                if (TopicDeletion.isTombstone(name))
                {
                    continue; // removed at start; a deletion that failed before it was removed leaves it too
                }
                try
                {
                    if (Files.isDirectory(dir) && !topics.containsKey(TopicNames.validate(name)) &&
                        !SegmentScanner.segmentFiles(dir).isEmpty())
                    {
                        topic(name);
                    }
                }
                catch (final ShmbusException | IOException ex)
                {
                    log.error(BrokerLogger.ARCHIVER, "topic '" + name + "' not recovered: " + ex.getMessage());
                    counters.errors.increment();
                }
            }
        }
        catch (final IOException ex)
        {
            log.error(BrokerLogger.ARCHIVER, "cannot list " + ctx.dataDir() + ": " + ex.getMessage());
        }
    }

    /**
     * The topic for an operator's command: open, or opened now when it has a ring file or an archive directory (as
     * its first use would), or null when the broker has no such topic.
     */
    TopicState existingTopic(final String name)
    {
        final TopicState open = topics.get(name);
        if (null != open)
        {
            return open;
        }
        return hasFiles(name) ? topic(name) : null;
    }

    private boolean hasFiles(final String name)
    {
        return Files.exists(TopicLog.fileOf(ctx.dir(), name)) ||
            (null != ctx.dataDir() && Files.isDirectory(ctx.dataDir().resolve(name)));
    }

    /**
     * True when a mirror's positions are settled: it has a ring, or segments (its ring then continues them). A new
     * mirror has neither until the mirror thread has made its ring at the source's position.
     */
    private boolean mirrorHasStarted(final String name)
    {
        if (Files.exists(TopicLog.fileOf(ctx.dir(), name)))
        {
            return true;
        }
        final Path archive = ctx.dataDir().resolve(name); // a mirror's broker always has a data directory
        try
        {
            return Files.isDirectory(archive) && !SegmentScanner.segmentFiles(archive).isEmpty();
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot list " + archive + ": " + ex.getMessage(), ex);
        }
    }

    /** Why {@link #existingTopic(String)} found no topic of that name. */
    String unknownTopic(final String name)
    {
        return "no topic '" + name + "' on this broker (no ring file in " + ctx.dir() +
            (null != ctx.dataDir() ? " and no archive in " + ctx.dataDir() : "") + ")";
    }

    /**
     * Opens the mirrors whose ring the mirror thread has made, starting at their source's position.
     *
     * @return the number opened.
     */
    int openRequestedMirrors()
    {
        int opened = 0;
        for (String name = mirrorHandOff.nextRequest(); null != name; name = mirrorHandOff.nextRequest())
        {
            try
            {
                topic(name);
                opened++;
            }
            catch (final RuntimeException ex)
            {
                log.error(BrokerLogger.CONDUCTOR, "mirror '" + name + "' not opened: " + ex.getMessage());
                counters.errors.increment();
            }
        }
        return opened;
    }

    /**
     * The open topic of that name, or the topic opened now: its archive recovered and its ring continuing the
     * archive's positions. A mirror opens only once its ring or archive exists (the mirror thread makes a new one's
     * ring, at the source's position).
     *
     * @throws CountersFullException when the CnC file has no room left for the topic's counters.
     */
    TopicState topic(final String name)
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
            final MirrorConfig mirror = ctx.config().mirror(name);
            if (null != mirror && !mirrorHasStarted(name))
            {
                throw new ShmbusException("topic '" + name + "' is a mirror of " + mirror.source() + " that has " +
                    "not reached its source yet (its positions start where the source's do): try again shortly");
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
                topic = new TopicState(name, config, mirror, topicLog, countersManager, ctx.dataDir(),
                    ctx.segmentLength(), recovered, log, archiveViews);
            }
            catch (final RuntimeException ex)
            {
                topicLog.close();
                throw ex;
            }
            topicLog.brokerEpochNsRelease(epochNanoClock.nanoTime()); // before any producer is told it is ready
            topics.put(name, topic);
            topicList.add(topic);
            if (null != mirror)
            {
                mirrorHandOff.opened(name);
            }
            log.info(BrokerLogger.CONDUCTOR, "topic '" + name + "' ready (" + topicLog.file() + ", capacity " +
                topicLog.capacity() + ", max message " + topicLog.maxMessageLength() +
                (null != topic.archiver ? ", archived to " + topic.archiver.topicDir() + " from position " +
                topic.archiver.archivedPosition() : ", not persistent") + ")");
        }
        return topic;
    }

    /** Forgets a topic and closes it: its counters freed, its archiver stopped, its log unmapped. */
    void remove(final TopicState topic)
    {
        mirrorHandOff.closed(topic.name);
        topics.remove(topic.name);
        topicList.remove(topic);
        topic.close();
    }

    /** Closes every topic, at the broker's stop. */
    void closeAll()
    {
        topicList.forEach(topic -> mirrorHandOff.closed(topic.name));
        topicList.forEach(TopicState::close);
        topicList.clear();
        topics.clear();
    }
}
