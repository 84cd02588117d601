package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.Sizes;
import io.shmbus.client.Topic;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.LogDescriptor;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The table of per-topic settings, set in a config file's {@code [topic.defaults]} and {@code [topic NAME]}
 * sections (they have no flags or system properties). {@link TopicConfig} is built from it. Immutable.
 */
public final class TopicSettings
{
    /** Durability: never fsync; what the OS has is lost on power loss (a process crash loses nothing). */
    public static final long DURABILITY_NONE = -1;
    /** Durability: fsync each segment when it is complete. */
    public static final long DURABILITY_SEGMENT = 0;

    public static final Setting<Long> CAPACITY = Setting.of("capacity",
        ValueType.powerOfTwoSize(LogDescriptor.MIN_CAPACITY, LogDescriptor.MAX_CAPACITY),
        "bytes of the topic's ring in shared memory (an existing topic log keeps its own)")
        .defaultValue((long)Topic.Context.CAPACITY_DEFAULT);

    public static final Setting<Long> MAX_MESSAGE_LENGTH = Setting.of("max.message.length", ValueType.of(
        SettingType.SIZE, "1 to capacity/4 - " + FrameDescriptor.HEADER_LENGTH, SettingType.SIZE.metavar(),
        Sizes::parse, v -> v >= 1 && v <= LogDescriptor.MAX_CAPACITY / 4, ValueType::formatSize),
        "longest payload a producer may send")
        .noDefault("min(capacity/8, 16m) - " + FrameDescriptor.HEADER_LENGTH);

    public static final Setting<Boolean> PERSISTENT = Setting.of("persistent", ValueType.bool(),
        "archived to segment files, when the broker has a data directory")
        .defaultValue(true);

    public static final Setting<Long> DURABILITY = Setting.of("durability", ValueType.of(SettingType.ENUM,
        "none, segment, or an fsync interval (a duration above 0)", "none|segment|DURATION",
        TopicSettings::parseDurability, v -> true, TopicSettings::formatDurability),
        "when archived data is forced to the disk")
        .defaultValue(DURABILITY_SEGMENT);

    public static final Setting<Long> RETENTION_BYTES = Setting.of("retention.bytes",
        ValueType.size(0, Long.MAX_VALUE), "bytes of segments kept; the oldest are deleted beyond (0: no limit)")
        .defaultValue(0L);

    public static final Setting<Long> RETENTION_AGE = Setting.of("retention.age", ValueType.duration(0),
        "segments older than this are deleted (0: no limit)")
        .defaultValue(0L);

    public static final Setting<SlowConsumerPolicy> SLOW_CONSUMER = Setting.of("slow.consumer",
        ValueType.choice(SlowConsumerPolicy.class),
        "hold: producers wait for the slowest consumer; archive: it reads the segment files instead")
        .defaultValue(SlowConsumerPolicy.HOLD);

    public static final Setting<Long> SLOW_CONSUMER_DETACH_TIMEOUT = Setting.of("slow.consumer.detach.timeout",
        ValueType.duration(0), "a slow consumer not moving to the archive by itself within this is moved")
        .defaultValue(TimeUnit.SECONDS.toNanos(1));

    public static final Setting<String> MIRROR_CHANNEL = Setting.of("mirror.channel", AeronChannels.UDP_CHANNEL,
        "mirror the topic to other hosts' brokers: its frames go out on this Aeron UDP channel (a [topic NAME] " +
        "setting; the topic must be persistent)")
        .noDefault("none: not mirrored");

    public static final Setting<Integer> MIRROR_STREAM_ID = Setting.of("mirror.stream.id", ValueType.of(
        SettingType.INTEGER, "1 to 2147483647", SettingType.INTEGER.metavar(), TopicSettings::parseStreamId,
        v -> v >= 1, String::valueOf),
        "the Aeron stream id of the topic's mirror")
        .noDefault("CRC-32C of the topic name's ASCII bytes & 0x7fffffff (1 if that is 0)");

    /** Every topic setting, in the order of the docs. */
    public static final List<Setting<?>> ALL = List.of(CAPACITY, MAX_MESSAGE_LENGTH, PERSISTENT, DURABILITY,
        RETENTION_BYTES, RETENTION_AGE, SLOW_CONSUMER, SLOW_CONSUMER_DETACH_TIMEOUT, MIRROR_CHANNEL, MIRROR_STREAM_ID);

    private TopicSettings()
    {
    }

    /** The topic setting with this config key, or null. */
    public static Setting<?> byKey(final String key)
    {
        return DidYouMean.byKey(ALL, key);
    }

    private static long parseDurability(final String what, final String text)
    {
        final String word = text.trim();
        if ("none".equalsIgnoreCase(word))
        {
            return DURABILITY_NONE;
        }
        if ("segment".equalsIgnoreCase(word))
        {
            return DURABILITY_SEGMENT;
        }
        try
        {
            final long intervalNs = Durations.parseNs(what, word);
            if (intervalNs > 0)
            {
                return intervalNs;
            }
        }
        catch (final ConfigurationException ignore)
        {
            // reported below, with every form it may take
        }
        throw new ConfigurationException(
            what + " must be none, segment, or an fsync interval such as 100ms: '" + text + "'");
    }

    private static int parseStreamId(final String what, final String text)
    {
        try
        {
            return Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(what + " needs a whole number, 1 to 2147483647: '" + text + "'");
        }
    }

    private static String formatDurability(final long durability)
    {
        return DURABILITY_NONE == durability ? "none" :
            DURABILITY_SEGMENT == durability ? "segment" : Durations.format(durability);
    }
}
