package io.shmbus.broker.config;

import io.shmbus.broker.mirror.MirrorStreamIds;

/**
 * One {@code [mirror NAME]} section: a topic this broker receives from a source broker (its live frames on an
 * Aeron channel, catch-up from the source's archive over TCP) and writes as the topic's only writer, with the
 * topic's settings (always persistent). Immutable.
 */
public final class MirrorConfig
{
    private final String topic;
    private final String channel;
    private final int streamId;
    private final String source;
    private final String token;
    private final TopicConfig topicConfig;
    private final String configLine;

    MirrorConfig(
        final String topic,
        final SettingValues values,
        final TopicConfig topicConfig,
        final String configLine)
    {
        this.topic = topic;
        this.channel = values.get(MirrorSettings.CHANNEL);
        final Integer streamId = values.get(MirrorSettings.STREAM_ID);
        this.streamId = null != streamId ? streamId : MirrorStreamIds.defaultStreamId(topic);
        this.source = values.get(MirrorSettings.SOURCE);
        this.token = values.get(MirrorSettings.TOKEN);
        this.topicConfig = topicConfig;
        this.configLine = configLine;
    }

    public String topic()
    {
        return topic;
    }

    /** The Aeron channel of the live frames. */
    public String channel()
    {
        return channel;
    }

    public int streamId()
    {
        return streamId;
    }

    /** HOST:PORT of the source broker's network server. */
    public String source()
    {
        return source;
    }

    public String sourceHost()
    {
        return MirrorSettings.hostOf(source);
    }

    public int sourcePort()
    {
        return MirrorSettings.portOf(source);
    }

    /** The source's network token, or null. */
    public String token()
    {
        return token;
    }

    /** The mirrored topic's settings. */
    public TopicConfig topicConfig()
    {
        return topicConfig;
    }

    /** Where the mirror is configured, {@code file:line}, for messages about it. */
    public String configLine()
    {
        return configLine;
    }

    public String toString()
    {
        return "mirror " + topic + " from " + source + " on " + channel + " stream " + streamId;
    }
}
