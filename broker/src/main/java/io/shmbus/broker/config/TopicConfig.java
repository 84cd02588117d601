package io.shmbus.broker.config;

import io.shmbus.client.log.LogDescriptor;

/**
 * Per-topic settings of the broker: ring size and message size for the shared-memory log, and the storage
 * settings (persistence, durability, retention, slow consumers) that the archiver applies, taken from
 * {@link TopicSettings}. Immutable.
 */
public final class TopicConfig
{
    /** Durability: never fsync; what the OS has is lost on power loss (a process crash loses nothing). */
    public static final long DURABILITY_NONE = TopicSettings.DURABILITY_NONE;
    /** Durability: fsync each segment when it is complete. */
    public static final long DURABILITY_SEGMENT = TopicSettings.DURABILITY_SEGMENT;

    public static final TopicConfig DEFAULTS = new TopicConfig(new SettingValues());

    private final SettingValues values;
    private final int capacity;
    private final int maxMessageLength;
    private final boolean persistent;
    private final long retentionBytes;
    private final long retentionAgeNs;
    private final long durability;
    private final boolean slowConsumerToArchive;
    private final long slowConsumerDetachTimeoutNs;
    private final String mirrorChannel;
    private final Integer mirrorStreamId;

    TopicConfig(final SettingValues values)
    {
        this.values = values;
        capacity = (int)(long)values.getOrDefault(TopicSettings.CAPACITY);
        final Long maxLength = values.get(TopicSettings.MAX_MESSAGE_LENGTH);
        maxMessageLength = null == maxLength ? LogDescriptor.defaultMaxMessageLength(capacity) : (int)(long)maxLength;
        persistent = values.getOrDefault(TopicSettings.PERSISTENT);
        retentionBytes = values.getOrDefault(TopicSettings.RETENTION_BYTES);
        retentionAgeNs = values.getOrDefault(TopicSettings.RETENTION_AGE);
        durability = values.getOrDefault(TopicSettings.DURABILITY);
        slowConsumerToArchive = values.getOrDefault(TopicSettings.SLOW_CONSUMER) == SlowConsumerPolicy.ARCHIVE;
        slowConsumerDetachTimeoutNs = values.getOrDefault(TopicSettings.SLOW_CONSUMER_DETACH_TIMEOUT);
        mirrorChannel = values.get(TopicSettings.MIRROR_CHANNEL);
        mirrorStreamId = values.get(TopicSettings.MIRROR_STREAM_ID);
    }

    /** These settings with the given ones set over them. */
    TopicConfig with(final SettingValues more)
    {
        return new TopicConfig(values.with(more));
    }

    public int capacity()
    {
        return capacity;
    }

    /** The configured payload limit, or the default for the capacity when none was set. */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /** Archived to segment files when the broker has a data directory. */
    public boolean persistent()
    {
        return persistent;
    }

    /** Bytes of segments kept per topic, 0 for no limit. */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /** Age of segments kept per topic, 0 for no limit. */
    public long retentionAgeNs()
    {
        return retentionAgeNs;
    }

    /** {@link #DURABILITY_NONE}, {@link #DURABILITY_SEGMENT}, or an fsync interval in nanoseconds. */
    public long durability()
    {
        return durability;
    }

    /**
     * Slow-consumer policy "archive": a consumer that falls half a ring behind and whose data is archived is moved
     * to the segment files instead of holding producers back, and rejoins the ring when it catches up. Policy
     * "hold" (the default): producers wait for the slowest consumer.
     */
    public boolean slowConsumerToArchive()
    {
        return slowConsumerToArchive;
    }

    /** How long a slow consumer asked to move to the archive may take to do so at its next poll. */
    public long slowConsumerDetachTimeoutNs()
    {
        return slowConsumerDetachTimeoutNs;
    }

    /** The Aeron UDP channel the topic is mirrored out on, or null when it is not mirrored out. */
    public String mirrorChannel()
    {
        return mirrorChannel;
    }

    /** True when the topic is mirrored to other brokers ({@link #mirrorChannel()} is set). */
    public boolean isMirroredOut()
    {
        return null != mirrorChannel;
    }

    /**
     * The Aeron stream id of the topic's mirror: the configured one, else
     * {@link io.shmbus.broker.mirror.MirrorStreamIds#defaultStreamId(String)} of its name.
     */
    public int mirrorStreamId(final String topic)
    {
        return null != mirrorStreamId ? mirrorStreamId :
            io.shmbus.broker.mirror.MirrorStreamIds.defaultStreamId(topic);
    }

    /**
     * Checks the combination of settings: the message length against the capacity.
     *
     * @throws io.shmbus.client.ConfigurationException saying which limit it passes.
     */
    TopicConfig validate()
    {
        LogDescriptor.checkCapacity(capacity);
        LogDescriptor.checkMaxMessageLength(maxMessageLength, capacity);
        return this;
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Setting<?> setting : TopicSettings.ALL)
        {
            sb.append(sb.length() == 0 ? "" : " ").append(setting.key()).append('=').append(text(setting));
        }
        return sb.toString();
    }

    private <T> String text(final Setting<T> setting)
    {
        if (setting == TopicSettings.MAX_MESSAGE_LENGTH)
        {
            return ValueType.formatSize(maxMessageLength);
        }
        final T value = values.getOrDefault(setting);
        return null == value ? "none" : setting.type().format(value);
    }
}
