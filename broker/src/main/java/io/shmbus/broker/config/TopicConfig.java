package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.Sizes;
import io.shmbus.client.Topic;
import io.shmbus.client.log.LogDescriptor;

/**
 * Per-topic settings of the broker: ring size and message size for the shared-memory log, and the storage
 * settings (persistence, durability, retention) that the archiver applies. Immutable.
 */
public final class TopicConfig
{
    /** Durability: never fsync; what the OS has is lost on power loss (a process crash loses nothing). */
    public static final long DURABILITY_NONE = -1;
    /** Durability: fsync each segment when it is complete. */
    public static final long DURABILITY_SEGMENT = 0;

    public static final TopicConfig DEFAULTS =
        new TopicConfig(Topic.Context.CAPACITY_DEFAULT, 0, true, 0, 0, DURABILITY_SEGMENT);

    private final int capacity;
    private final int maxMessageLength;
    private final boolean persistent;
    private final long retentionBytes;
    private final long retentionAgeNs;
    private final long durability;

    private TopicConfig(
        final int capacity,
        final int maxMessageLength,
        final boolean persistent,
        final long retentionBytes,
        final long retentionAgeNs,
        final long durability)
    {
        this.capacity = capacity;
        this.maxMessageLength = maxMessageLength;
        this.persistent = persistent;
        this.retentionBytes = retentionBytes;
        this.retentionAgeNs = retentionAgeNs;
        this.durability = durability;
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

    TopicConfig with(final String key, final String value)
    {
        switch (key)
        {
            case "capacity":
                return new TopicConfig(checkedCapacity(value), maxMessageLength, persistent, retentionBytes,
                    retentionAgeNs, durability);
            case "max.message.length":
                return new TopicConfig(capacity, (int)Math.min(Integer.MAX_VALUE, Sizes.parse(key, value)),
                    persistent, retentionBytes, retentionAgeNs, durability);
            case "persistent":
                return new TopicConfig(capacity, maxMessageLength, parseBoolean(key, value), retentionBytes,
                    retentionAgeNs, durability);
            case "retention.bytes":
                return new TopicConfig(capacity, maxMessageLength, persistent, Sizes.parse(key, value),
                    retentionAgeNs, durability);
            case "retention.age":
                return new TopicConfig(capacity, maxMessageLength, persistent, retentionBytes,
                    Durations.parseNs(key, value), durability);
            case "durability":
                return new TopicConfig(capacity, maxMessageLength, persistent, retentionBytes, retentionAgeNs,
                    parseDurability(value));
            default:
                throw new ConfigurationException("unknown topic setting '" + key + "' (known: capacity, " +
                    "max.message.length, persistent, durability, retention.bytes, retention.age)");
        }
    }

    /** Checks the combination of settings. */
    TopicConfig validate()
    {
        LogDescriptor.checkCapacity(capacity);
        LogDescriptor.checkMaxMessageLength(maxMessageLength(), capacity);
        return this;
    }

    private static long parseDurability(final String value)
    {
        if ("none".equalsIgnoreCase(value))
        {
            return DURABILITY_NONE;
        }
        if ("segment".equalsIgnoreCase(value))
        {
            return DURABILITY_SEGMENT;
        }
        try
        {
            final long intervalNs = Durations.parseNs("durability", value);
            if (intervalNs <= 0)
            {
                throw new ConfigurationException("");
            }
            return intervalNs;
        }
        catch (final ConfigurationException ex)
        {
            throw new ConfigurationException(
                "durability must be none, segment, or an fsync interval such as 100ms: '" + value + "'");
        }
    }

    private static int checkedCapacity(final String value)
    {
        final long capacity = Sizes.parse("capacity", value);
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
        throw new ConfigurationException(key + " must be true or false: '" + value + "'");
    }

    public String toString()
    {
        return "capacity=" + capacity + " max.message.length=" + maxMessageLength() + " persistent=" + persistent +
            " durability=" + (durability == DURABILITY_NONE ? "none" : durability == DURABILITY_SEGMENT ?
            "segment" : durability + "ns") + " retention.bytes=" + retentionBytes + " retention.age.ns=" +
            retentionAgeNs;
    }
}
