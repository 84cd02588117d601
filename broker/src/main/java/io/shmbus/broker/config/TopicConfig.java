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

    /** Default time a slow consumer asked to move to the archive may take before the broker moves it. */
    public static final long SLOW_CONSUMER_DETACH_TIMEOUT_DEFAULT_NS = 1_000_000_000L;

    public static final TopicConfig DEFAULTS = new TopicConfig();

    private int capacity = Topic.Context.CAPACITY_DEFAULT;
    private int maxMessageLength;
    private boolean persistent = true;
    private long retentionBytes;
    private long retentionAgeNs;
    private long durability = DURABILITY_SEGMENT;
    private boolean slowConsumerToArchive;
    private long slowConsumerDetachTimeoutNs = SLOW_CONSUMER_DETACH_TIMEOUT_DEFAULT_NS;

    private TopicConfig()
    {
    }

    private TopicConfig copy()
    {
        final TopicConfig copy = new TopicConfig();
        copy.capacity = capacity;
        copy.maxMessageLength = maxMessageLength;
        copy.persistent = persistent;
        copy.retentionBytes = retentionBytes;
        copy.retentionAgeNs = retentionAgeNs;
        copy.durability = durability;
        copy.slowConsumerToArchive = slowConsumerToArchive;
        copy.slowConsumerDetachTimeoutNs = slowConsumerDetachTimeoutNs;
        return copy;
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

    TopicConfig with(final String key, final String value)
    {
        final TopicConfig copy = copy();
        switch (key)
        {
            case "capacity":
                copy.capacity = checkedCapacity(value);
                break;
            case "max.message.length":
                copy.maxMessageLength = (int)Math.min(Integer.MAX_VALUE, Sizes.parse(key, value));
                break;
            case "persistent":
                copy.persistent = parseBoolean(key, value);
                break;
            case "retention.bytes":
                copy.retentionBytes = Sizes.parse(key, value);
                break;
            case "retention.age":
                copy.retentionAgeNs = Durations.parseNs(key, value);
                break;
            case "durability":
                copy.durability = parseDurability(value);
                break;
            case "slow.consumer":
                copy.slowConsumerToArchive = parseSlowConsumer(value);
                break;
            case "slow.consumer.detach.timeout":
                copy.slowConsumerDetachTimeoutNs = Durations.parseNs(key, value);
                break;
            default:
                throw new ConfigurationException("unknown topic setting '" + key + "' (known: capacity, " +
                    "max.message.length, persistent, durability, retention.bytes, retention.age, slow.consumer, " +
                    "slow.consumer.detach.timeout)");
        }
        return copy;
    }

    private static boolean parseSlowConsumer(final String value)
    {
        if ("archive".equalsIgnoreCase(value))
        {
            return true;
        }
        if ("hold".equalsIgnoreCase(value))
        {
            return false;
        }
        throw new ConfigurationException("slow.consumer must be hold (producers wait for the slowest consumer) or " +
            "archive (a slow consumer continues from the segment files): '" + value + "'");
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
            retentionAgeNs + " slow.consumer=" + (slowConsumerToArchive ? "archive" : "hold");
    }
}
