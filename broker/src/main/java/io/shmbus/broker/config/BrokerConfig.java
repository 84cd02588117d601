package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The broker's configuration file: broker settings at the top, then a section per topic.
 * <pre>
 * # comments start with #
 * dir = /dev/shm/shmbus-trading
 * client.liveness.timeout = 10s
 * unblock.timeout = 15s
 *
 * [topic.defaults]          # settings of topics created on first use
 * capacity = 4m
 *
 * [topic orders]            # one topic
 * capacity = 16m
 * max.message.length = 64k
 * persistent = false
 * retention.bytes = 10g
 * retention.age = 7d
 *
 * [mirror prices]           # a topic received from another broker
 * channel = aeron:udp?endpoint=10.0.0.2:40456
 * source = hostA:7070
 * capacity = 16m            # the source's
 * </pre>
 * The keys and their values are those of {@link BrokerSettings}, {@link TopicSettings} and {@link MirrorSettings}
 * (with the topic settings in a mirror's section); {@link ConfigCheck}
 * reads the file. Immutable once parsed.
 */
public final class BrokerConfig
{
    private static final BrokerConfig EMPTY = new BrokerConfig(new SettingValues(), Map.of(), TopicConfig.DEFAULTS,
        Map.of(), Map.of());

    private final SettingValues brokerValues;
    private final Map<String, String> brokerTexts;
    private final TopicConfig topicDefaults;
    private final Map<String, TopicConfig> topics;
    private final Map<String, MirrorConfig> mirrors;

    BrokerConfig(
        final SettingValues brokerValues,
        final Map<String, String> brokerTexts,
        final TopicConfig topicDefaults,
        final Map<String, TopicConfig> topics,
        final Map<String, MirrorConfig> mirrors)
    {
        this.mirrors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mirrors));
        this.brokerValues = brokerValues;
        this.brokerTexts = Map.copyOf(brokerTexts);
        this.topicDefaults = topicDefaults;
        this.topics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(topics));
    }

    public static BrokerConfig empty()
    {
        return EMPTY;
    }

    /**
     * @throws ConfigurationException with a {@code file:line: reason} line for each mistake.
     */
    public static BrokerConfig load(final Path file)
    {
        return ConfigCheck.of(file).config();
    }

    /**
     * @throws ConfigurationException with a {@code source:line: reason} line for each mistake.
     */
    public static BrokerConfig parse(final String source, final List<String> lines)
    {
        return ConfigCheck.of(source, lines).config();
    }

    /** A broker-level setting as written in the file, or null. */
    public String brokerSetting(final String key)
    {
        return brokerTexts.get(key);
    }

    /**
     * A broker setting's value: from this file, else from its system property, else its default (null for none).
     *
     * @throws ConfigurationException naming the property when its value is not allowed.
     */
    public <T> T value(final Setting<T> setting)
    {
        final T fromFile = brokerValues.get(setting);
        if (null != fromFile)
        {
            return fromFile;
        }
        final T fromProperty = setting.fromSystemProperty();
        return null != fromProperty ? fromProperty : setting.defaultValue();
    }

    /** The settings of a topic: its own section (a mirror's included), or the defaults. */
    public TopicConfig topic(final String name)
    {
        final MirrorConfig mirror = mirrors.get(name);
        return null != mirror ? mirror.topicConfig() : topics.getOrDefault(name, topicDefaults);
    }

    /** The mirrors ({@code [mirror NAME]} sections), in the file's order. */
    public Map<String, MirrorConfig> mirrors()
    {
        return mirrors;
    }

    /** The mirror of that topic name, or null when the topic is not a mirror. */
    public MirrorConfig mirror(final String name)
    {
        return mirrors.get(name);
    }

    /**
     * This configuration with each given topic mirrored out on its channel ({@code --mirror-out TOPIC=CHANNEL}):
     * the topic gets a section of its own if it had none, and the channel wins over its {@code mirror.channel}.
     *
     * @param channels checked channels by topic name (checked names).
     */
    public BrokerConfig withMirrorOut(final Map<String, String> channels)
    {
        if (channels.isEmpty())
        {
            return this;
        }
        final Map<String, TopicConfig> merged = new java.util.LinkedHashMap<>(topics);
        for (final Map.Entry<String, String> entry : channels.entrySet())
        {
            final MirrorConfig mirror = mirrors.get(entry.getKey());
            if (null != mirror)
            {
                throw new io.shmbus.client.ConfigurationException("--mirror-out " + entry.getKey() + ": topic '" +
                    entry.getKey() + "' is a mirror of " + mirror.source() + " (" + mirror.configLine() +
                    "): a mirror's only writer is its receiver, so it cannot be a source too");
            }
            merged.put(entry.getKey(), topic(entry.getKey()).with(
                new SettingValues().put(TopicSettings.MIRROR_CHANNEL, entry.getValue())));
        }
        return new BrokerConfig(brokerValues, brokerTexts, topicDefaults, merged, mirrors);
    }

    /** The topics mirrored out to other brokers ({@code mirror.channel} set), in the file's order. */
    public Map<String, TopicConfig> mirroredOutTopics()
    {
        final Map<String, TopicConfig> mirrored = new java.util.LinkedHashMap<>();
        topics.forEach((name, config) ->
        {
            if (config.isMirroredOut())
            {
                mirrored.put(name, config);
            }
        });
        return mirrored;
    }

    /** The topics with a section of their own, in the file's order. */
    public Map<String, TopicConfig> configuredTopics()
    {
        return topics;
    }
}
