package io.shmbus.broker;

import io.shmbus.broker.config.MirrorConfig;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Serves an operator's topic commands: {@code TOPIC_INFO} (the topic's report, see {@link TopicReport}) and
 * {@code DELETE_TOPIC} (see {@link TopicDeletion}), each on a topic the broker has open or has files of.
 * <p>
 * Conductor thread only; called by {@link ClientCommandAdapter}.
 */
final class TopicAdminCommands
{
    private final TopicRegistry topics;
    private final ClientSessions sessions;
    private final ClientProxy clientProxy;
    private final LongPredicate isProcessAlive;
    private final BrokerContext ctx;
    private final BrokerCounters counters;
    private final BrokerLogger log;

    TopicAdminCommands(
        final TopicRegistry topics,
        final ClientSessions sessions,
        final ClientProxy clientProxy,
        final LongPredicate isProcessAlive,
        final BrokerContext ctx,
        final BrokerCounters counters,
        final BrokerLogger log)
    {
        this.topics = topics;
        this.sessions = sessions;
        this.clientProxy = clientProxy;
        this.isProcessAlive = isProcessAlive;
        this.ctx = ctx;
        this.counters = counters;
        this.log = log;
    }

    void onTopicInfo(final long correlationId, final String name)
    {
        final TopicState topic = topics.existingTopic(name);
        if (null == topic)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_TOPIC, topics.unknownTopic(name));
            return;
        }
        final String report;
        try
        {
            report = TopicReport.render(topic, sessions.all(), ctx.dataDir());
        }
        catch (final IOException ex)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_STORAGE, "topic '" + name + "': " + ex);
            return;
        }
        final List<String> parts = TopicReport.parts(report, ResponseFlyweight.MAX_MESSAGE_LENGTH);
        clientProxy.onTopicInfo(correlationId, parts);
    }

    /**
     * Deletes a topic nobody uses. Every check comes before the first change; from there the topic is closed
     * (its counters freed, its archiver stopped) and its files deleted within this one command, so a client's
     * command that comes after it finds no topic and gets a new one, never part of the old.
     */
    void onDeleteTopic(final long correlationId, final String name, final boolean withArchive)
    {
        final MirrorConfig mirror = topics.mirrorOf(name);
        if (null != mirror)
        {
            // the mirror thread writes its own mapping of the ring: deleting the files under it would lose frames
            clientProxy.reject(correlationId, ControlProtocol.ERROR_TOPIC_IN_USE, "topic '" + name + "' is a mirror " +
                "of " + mirror.source() + " (" + mirror.configLine() + "), written by this broker: remove its " +
                "[mirror " + name + "] section and restart the broker before deleting it");
            return;
        }
        final TopicState topic = topics.existingTopic(name);
        if (null == topic)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_TOPIC, topics.unknownTopic(name));
            return;
        }
        final Path archiveDir = null != ctx.dataDir() ? ctx.dataDir().resolve(name) : null;
        final TopicDeletion.Refusal refusal = TopicDeletion.check(topic, sessions.all(), isProcessAlive, archiveDir,
            withArchive);
        if (null != refusal)
        {
            clientProxy.reject(correlationId, refusal.errorCode(), refusal.message());
            return;
        }
        topics.remove(topic);
        final String deleted;
        try
        {
            deleted = TopicDeletion.deleteFiles(topic.log.file(), archiveDir);
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.errors.increment();
            clientProxy.reject(correlationId, ControlProtocol.ERROR_STORAGE, "topic '" + name + "' was closed but " +
                "not all its files could be deleted (" + ex + "); what is left is opened again at its next use");
            return;
        }
        log.info(BrokerLogger.CONDUCTOR, "topic '" + name + "' deleted: " + deleted);
        clientProxy.onOperationSuccess(correlationId, "deleted topic '" + name + "': " + deleted);
    }
}
