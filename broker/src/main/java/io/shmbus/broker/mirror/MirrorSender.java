package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.config.TopicConfig;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The broker's one mirror sender: an agent on its own thread ({@value #ROLE_NAME}) that serves every mirrored-out
 * topic, each on its own Aeron publication (a {@code TopicMirrorOut}), reading the topics' segment files through
 * their {@link io.shmbus.broker.archive.ArchiveView}s. An untethered reader: it never reads a ring, so it never holds
 * a producer back; a receiver that misses frames catches up from the archive over TCP by itself.
 * <p>
 * Made, and its publications added, by the thread that starts the broker; then only its agent thread runs it, and
 * {@link #onClose()} (on that thread when it stops, else by the broker after a failed start) closes the
 * publications and frees the counters. Its duty cycle allocates nothing.
 */
public final class MirrorSender implements Agent
{
    /** The agent's name, which is also its thread's. */
    public static final String ROLE_NAME = "shmbus-broker-mirror-out";

    private final TopicMirrorOut[] topics;
    private boolean closed;

    private MirrorSender(final TopicMirrorOut[] topics)
    {
        this.topics = topics;
    }

    /**
     * Adds a publication and the counters of each mirrored-out topic.
     *
     * @param mirrored the mirrored-out topics by name ({@link TopicConfig#isMirroredOut()}).
     * @throws io.shmbus.client.ConfigurationException when the media driver refuses a channel, or an open topic's
     *                                                 frames are longer than its channel's largest message.
     */
    public static MirrorSender create(
        final Map<String, TopicConfig> mirrored,
        final Aeron aeron,
        final ArchiveViews views,
        final CountersManager counters,
        final ErrorHandler errorHandler)
    {
        final List<TopicMirrorOut> made = new ArrayList<>();
        try
        {
            for (final Map.Entry<String, TopicConfig> entry : mirrored.entrySet())
            {
                final String topic = entry.getKey();
                made.add(new TopicMirrorOut(topic, entry.getValue().mirrorChannel(),
                    entry.getValue().mirrorStreamId(topic), aeron, views, counters, errorHandler));
            }
        }
        catch (final RuntimeException ex)
        {
            made.forEach(CloseHelper::quietClose);
            throw ex;
        }
        return new MirrorSender(made.toArray(new TopicMirrorOut[0]));
    }

    /** The idle strategy of its thread: spins briefly, yields, then parks up to a millisecond. */
    public static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** What it mirrors, one {@code topic 'T' on CHANNEL stream N} each, for the broker's log. */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        for (final TopicMirrorOut topic : topics)
        {
            lines.add("topic '" + topic.topic() + "' on " + topic.channel() + " stream " + topic.streamId());
        }
        return lines;
    }

    public int doWork()
    {
        int work = 0;
        for (final TopicMirrorOut topic : topics)
        {
            work += topic.doWork();
        }
        return work;
    }

    /** Closes every publication and frees the counters; idempotent. */
    public void onClose()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final TopicMirrorOut topic : topics)
        {
            CloseHelper.quietClose(topic);
        }
    }

    public String roleName()
    {
        return ROLE_NAME;
    }
}
