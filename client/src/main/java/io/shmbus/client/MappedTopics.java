package io.shmbus.client;

import io.shmbus.client.log.BrokerEpochClock;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The topic logs a {@link ShmBus} client has mapped: one mapping per topic, shared by its producers and consumers.
 * A mapping of a file the topic no longer has (the topic was deleted and created again) is replaced, and kept
 * mapped until close, as producers and consumers made before may still hold it.
 * <p>
 * Not thread-safe: its {@link ShmBus} calls it under its own lock.
 */
final class MappedTopics
{
    /** One topic's mapped log, with what its producers and consumers share. */
    static final class MappedTopic
    {
        final TopicLog log;
        final ConsumerSlots slots;
        final FlowControl flowControl;
        final BrokerEpochClock brokerClock;
        final Object fileKey;

        MappedTopic(final TopicLog log, final Object fileKey)
        {
            this.log = log;
            this.fileKey = fileKey;
            this.brokerClock = new BrokerEpochClock(log);
            this.slots = new ConsumerSlots(log);
            this.flowControl = new FlowControl(log, slots);
        }
    }

    private final ShmBus.Context ctx;
    private final Map<String, MappedTopic> topics = new HashMap<>();
    /** Logs of topics deleted since this client mapped them: unmapped only at close, as old objects may hold them. */
    private final List<TopicLog> retired = new ArrayList<>();

    MappedTopics(final ShmBus.Context ctx)
    {
        this.ctx = ctx;
    }

    /**
     * The topic's log, mapped once per client. Called after the broker registered the request, so the file at the
     * topic's path is the broker's current one; a mapping made before the topic was deleted (and created again) is
     * of another file, and is replaced.
     */
    MappedTopic map(final String topic)
    {
        final Path file = TopicLog.fileOf(ctx.dir(), topic);
        MappedTopic mapped = topics.get(topic);
        if (null != mapped && !mapped.fileKey.equals(fileKey(file)))
        {
            topics.remove(topic);
            retired.add(mapped.log);
            mapped = null;
        }
        if (null == mapped)
        {
            final TopicLog log = TopicLog.open(file, topic, ctx.requestTimeoutMs());
            if (ctx.preTouch())
            {
                log.preTouch();
            }
            mapped = new MappedTopic(log, fileKey(file));
            topics.put(topic, mapped);
        }
        return mapped;
    }

    /** The file's identity (device and inode), or a fresh object that equals nothing when it is gone. */
    private static Object fileKey(final Path file)
    {
        try
        {
            final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return null != key ? key : new Object();
        }
        catch (final IOException ex)
        {
            return new Object();
        }
    }

    /** Unmaps every log, current and retired. */
    void closeAll()
    {
        topics.values().forEach(t -> t.log.close());
        topics.clear();
        retired.forEach(TopicLog::close);
        retired.clear();
    }
}
