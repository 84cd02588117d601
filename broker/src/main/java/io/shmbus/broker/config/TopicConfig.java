package io.shmbus.broker.config;

import io.shmbus.client.Topic;
import io.shmbus.client.log.LogDescriptor;

/**
 * Per-topic settings of the broker: ring size and message size for the shared-memory log, and the storage
 * settings (persistence, retention) that the archiver applies. Immutable.
 */
public final class TopicConfig
{
    public static final TopicConfig DEFAULTS = new TopicConfig(Topic.Context.CAPACITY_DEFAULT, 0, true, 0, 0);

    private final int capacity;
    private final int maxMessageLength;
    private final boolean persistent;
    private final long retentionBytes;
    private final long retentionAgeNs;

    public TopicConfig(
        final int capacity,
        final int maxMessageLength,
        final boolean persistent,
        final long retentionBytes,
        final long retentionAgeNs)
    {
        this.capacity = capacity;
        this.maxMessageLength = maxMessageLength;
        this.persistent = persistent;
        this.retentionBytes = retentionBytes;
        this.retentionAgeNs = retentionAgeNs;
    }

    public int capacity()
    {
        return capacity;
    }

    /** The configured payload limit, or the default for the capacity when none was set. */
    public int maxMessageLength()
    {
        return 0 == maxMessageLength ? LogDescriptor.defaultMaxMessageLength(capacity) : maxMessageLength;
    }

    public int configuredMaxMessageLength()
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

    TopicConfig with(final String key, final String value)
    {
        switch (key)
        {
            case "capacity":
                return new TopicConfig(checkedCapacity(value), maxMessageLength, persistent, retentionBytes,
                    retentionAgeNs);
            case "max.message.length":
                return new TopicConfig(capacity, (int)Math.min(Integer.MAX_VALUE,
                    io.shmbus.client.Sizes.parse(key, value)), persistent, retentionBytes, retentionAgeNs);
            case "persistent":
                return new TopicConfig(capacity, maxMessageLength, parseBoolean(key, value), retentionBytes,
                    retentionAgeNs);
            case "retention.bytes":
                return new TopicConfig(capacity, maxMessageLength, persistent,
                    io.shmbus.client.Sizes.parse(key, value), retentionAgeNs);
            case "retention.age":
                return new TopicConfig(capacity, maxMessageLength, persistent, retentionBytes,
                    Durations.parseNs(key, value));
            default:
                throw new io.shmbus.client.ConfigurationException("unknown topic setting '" + key +
                    "' (known: capacity, max.message.length, persistent, retention.bytes, retention.age)");
        }
    }

    /** Checks the combination of settings. */
    TopicConfig validate()
    {
        LogDescriptor.checkCapacity(capacity);
        LogDescriptor.checkMaxMessageLength(maxMessageLength(), capacity);
        return this;
    }

    private static int checkedCapacity(final String value)
    {
        final long capacity = io.shmbus.client.Sizes.parse("capacity", value);
        LogDescriptor.checkCapacity(capacity);
        return (int)capacity;
    }

    static boolean parseBoolean(final String key, final String value)
    {
        if ("true".equalsIgnoreCase(value) || "yes".equalsIgnoreCase(value))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(value) || "no".equalsIgnoreCase(value))
        {
            return false;
        }
        throw new io.shmbus.client.ConfigurationException(key + " must be true or false: '" + value + "'");
    }

    public String toString()
    {
        return "capacity=" + capacity + " max.message.length=" + maxMessageLength() + " persistent=" + persistent +
            " retention.bytes=" + retentionBytes + " retention.age.ns=" + retentionAgeNs;
    }
}
