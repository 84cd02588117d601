package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.TopicNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * </pre>
 * Errors name the file, the line and the reason. Immutable once parsed.
 */
public final class BrokerConfig
{
    private final Map<String, String> brokerSettings;
    private final TopicConfig topicDefaults;
    private final Map<String, TopicConfig> topics;

    private BrokerConfig(
        final Map<String, String> brokerSettings, final TopicConfig topicDefaults, final Map<String, TopicConfig> topics)
    {
        this.brokerSettings = brokerSettings;
        this.topicDefaults = topicDefaults;
        this.topics = topics;
    }

    public static BrokerConfig empty()
    {
        return new BrokerConfig(Map.of(), TopicConfig.DEFAULTS, Map.of());
    }

    /**
     * @throws ConfigurationException with {@code file:line: reason} for the first error.
     */
    public static BrokerConfig load(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigurationException("config file " + file + " does not exist");
        }
        catch (final IOException ex)
        {
            throw new ConfigurationException("cannot read config file " + file + ": " + ex.getMessage());
        }
        return parse(file.toString(), lines);
    }

    public static BrokerConfig parse(final String source, final List<String> lines)
    {
        final Map<String, String> broker = new LinkedHashMap<>();
        TopicConfig defaults = TopicConfig.DEFAULTS;
        final Map<String, TopicConfig> topicOverrides = new LinkedHashMap<>();
        final Map<String, Map<String, String>> topicSettings = new LinkedHashMap<>();
        final Map<String, Integer> topicLines = new HashMap<>();
        String section = null;

        for (int i = 0; i < lines.size(); i++)
        {
            final int lineNo = i + 1;
            String line = lines.get(i);
            final int hash = line.indexOf('#');
            if (hash >= 0)
            {
                line = line.substring(0, hash);
            }
            line = line.trim();
            if (line.isEmpty())
            {
                continue;
            }
            try
            {
                if (line.startsWith("["))
                {
                    if (!line.endsWith("]"))
                    {
                        throw new ConfigurationException("section header must end with ']'");
                    }
                    final String name = line.substring(1, line.length() - 1).trim();
                    if ("topic.defaults".equals(name))
                    {
                        section = "";
                    }
                    else if (name.startsWith("topic ") || name.startsWith("topic\t"))
                    {
                        section = TopicNames.validate(name.substring(6).trim());
                        if (topicSettings.containsKey(section))
                        {
                            throw new ConfigurationException("topic '" + section + "' is configured twice (first " +
                                "at line " + topicLines.get(section) + ")");
                        }
                        topicSettings.put(section, new LinkedHashMap<>());
                        topicLines.put(section, lineNo);
                    }
                    else
                    {
                        throw new ConfigurationException("unknown section [" + name +
                            "] (expected [topic.defaults] or [topic NAME])");
                    }
                    continue;
                }
                final int eq = line.indexOf('=');
                if (eq <= 0)
                {
                    throw new ConfigurationException("expected 'key = value', got '" + line + "'");
                }
                final String key = line.substring(0, eq).trim();
                final String value = line.substring(eq + 1).trim();
                if (value.isEmpty())
                {
                    throw new ConfigurationException("'" + key + "' has no value");
                }
                if (null == section)
                {
                    checkBrokerSetting(key, value);
                    broker.put(key, value);
                }
                else if (section.isEmpty())
                {
                    defaults = defaults.with(key, value);
                }
                else
                {
                    TopicConfig.DEFAULTS.with(key, value); // validate the value now, for the line number
                    topicSettings.get(section).put(key, value);
                }
            }
            catch (final ConfigurationException ex)
            {
                throw new ConfigurationException(source + ":" + lineNo + ": " + ex.getMessage());
            }
        }

        try
        {
            defaults.validate();
        }
        catch (final ConfigurationException ex)
        {
            throw new ConfigurationException(source + ": [topic.defaults]: " + ex.getMessage());
        }
        for (final Map.Entry<String, Map<String, String>> entry : topicSettings.entrySet())
        {
            TopicConfig config = defaults;
            for (final Map.Entry<String, String> setting : entry.getValue().entrySet())
            {
                config = config.with(setting.getKey(), setting.getValue());
            }
            try
            {
                topicOverrides.put(entry.getKey(), config.validate());
            }
            catch (final ConfigurationException ex)
            {
                throw new ConfigurationException(source + ":" + topicLines.get(entry.getKey()) + ": [topic " +
                    entry.getKey() + "]: " + ex.getMessage());
            }
        }
        return new BrokerConfig(broker, defaults, topicOverrides);
    }

    private static void checkBrokerSetting(final String key, final String value)
    {
        switch (key)
        {
            case "dir":
            case "data.dir":
            case "net.bind":
            case "net.auth.token":
            case "metrics.bind":
                break;
            case "net.port":
            case "metrics.port":
            case "net.max.connections":
                checkNumber(key, value);
                break;
            case "client.liveness.timeout":
            case "unblock.timeout":
            case "net.handshake.timeout":
            case "net.heartbeat.interval":
                Durations.parseNs(key, value);
                break;
            case "segment.length":
                io.shmbus.client.Sizes.parse(key, value);
                break;
            default:
                throw new ConfigurationException("unknown setting '" + key +
                    "' (known: dir, data.dir, segment.length, client.liveness.timeout, unblock.timeout, net.port, " +
                    "net.bind, net.auth.token, net.max.connections, net.handshake.timeout, net.heartbeat.interval, " +
                    "metrics.port, metrics.bind; " +
                    "topic settings go in a [topic NAME] or [topic.defaults] section)");
        }
    }

    private static void checkNumber(final String key, final String value)
    {
        try
        {
            if (Long.parseLong(value) < 0)
            {
                throw new ConfigurationException("'" + key + "' must not be negative: " + value);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException("'" + key + "' must be a number: " + value);
        }
    }

    /** A broker-level setting, or null. */
    public String brokerSetting(final String key)
    {
        return brokerSettings.get(key);
    }

    /** The settings of a topic: its own section, or the defaults. */
    public TopicConfig topic(final String name)
    {
        return topics.getOrDefault(name, topicDefaults);
    }

    public Map<String, TopicConfig> configuredTopics()
    {
        return topics;
    }
}
