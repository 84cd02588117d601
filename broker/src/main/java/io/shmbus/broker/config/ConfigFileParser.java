package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.TopicNames;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the lines of a config file against {@link BrokerSettings}, {@link TopicSettings} and {@link MirrorSettings},
 * and goes on after a mistake so that every one is reported, each as {@code file:line: reason}. Not thread-safe: one
 * parse each.
 */
final class ConfigFileParser
{
    private static final String DEFAULTS_SECTION = "topic.defaults";

    private final String source;
    private final List<Error> errors = new ArrayList<>();
    private final Section broker = new Section(null, 0);
    private final Map<String, Section> topics = new LinkedHashMap<>();
    private final Map<String, Section> mirrors = new LinkedHashMap<>();
    private Section defaults;
    private Section section = broker;
    private int settingCount;

    /** A mistake and the line it is on. */
    private static final class Error
    {
        final int line;
        final String reason;

        Error(final int line, final String reason)
        {
            this.line = line;
            this.reason = reason;
        }
    }

    /** One section of the file: its header's line, its values, the line of each key. */
    private static final class Section
    {
        final String header;
        final int line;
        final SettingValues values = new SettingValues();
        /** A {@code [mirror NAME]} section's own settings ({@link MirrorSettings}); null in other sections. */
        SettingValues mirrorValues;
        final Map<String, String> texts = new LinkedHashMap<>();
        final Map<String, Integer> keyLines = new HashMap<>();

        Section(final String header, final int line)
        {
            this.header = header;
            this.line = line;
        }
    }

    private ConfigFileParser(final String source)
    {
        this.source = source;
    }

    static ConfigCheck parse(final String source, final List<String> lines)
    {
        final ConfigFileParser parser = new ConfigFileParser(source);
        for (int i = 0; i < lines.size(); i++)
        {
            parser.line(i + 1, lines.get(i));
        }
        return parser.finish();
    }

    private void line(final int lineNo, final String text)
    {
        final int hash = text.indexOf('#');
        final String line = (hash >= 0 ? text.substring(0, hash) : text).trim();
        if (line.isEmpty())
        {
            return;
        }
        try
        {
            if (line.startsWith("["))
            {
                section = header(lineNo, line);
            }
            else
            {
                setting(lineNo, line);
            }
        }
        catch (final ConfigurationException ex)
        {
            error(lineNo, ex.getMessage());
        }
    }

    private Section header(final int lineNo, final String line)
    {
        if (!line.endsWith("]"))
        {
            section = null; // its settings cannot be checked against a section that is not known
            throw new ConfigurationException("section header must end with ']': '" + line + "'");
        }
        final String name = line.substring(1, line.length() - 1).trim();
        if (DEFAULTS_SECTION.equals(name))
        {
            if (null != defaults)
            {
                section = null;
                throw new ConfigurationException("[topic.defaults] appears twice (first at line " + defaults.line +
                    ")");
            }
            defaults = new Section("[topic.defaults]", lineNo);
            return defaults;
        }
        if (name.startsWith("topic ") || name.startsWith("topic\t"))
        {
            final String topic = name.substring(6).trim();
            final Section topicSection = new Section("[topic " + topic + "]", lineNo);
            try
            {
                TopicNames.validate(topic);
            }
            catch (final ConfigurationException ex)
            {
                section = topicSection; // its settings are still checked, for the other mistakes
                throw new ConfigurationException("bad section header [" + name + "]: " + ex.getMessage());
            }
            final Section first = topics.get(topic);
            if (null != first)
            {
                section = topicSection;
                throw new ConfigurationException("topic '" + topic + "' is configured twice (first at line " +
                    first.line + ")");
            }
            topics.put(topic, topicSection);
            return topicSection;
        }
        if (name.startsWith("mirror ") || name.startsWith("mirror\t"))
        {
            return mirrorHeader(lineNo, name, name.substring(7).trim());
        }
        section = null;
        if ("mirror".equals(name))
        {
            throw new ConfigurationException("section [mirror] needs a topic name: [mirror NAME]");
        }
        if ("topic".equals(name))
        {
            throw new ConfigurationException("section [topic] needs a topic name: [topic NAME]");
        }
        throw new ConfigurationException("unknown section [" + name +
            "] (expected [topic.defaults], [topic NAME] or [mirror NAME])");
    }

    private Section mirrorHeader(final int lineNo, final String name, final String topic)
    {
        final Section mirrorSection = new Section("[mirror " + topic + "]", lineNo);
        mirrorSection.mirrorValues = new SettingValues();
        try
        {
            TopicNames.validate(topic);
        }
        catch (final ConfigurationException ex)
        {
            section = mirrorSection;
            throw new ConfigurationException("bad section header [" + name + "]: " + ex.getMessage());
        }
        final Section first = mirrors.get(topic);
        if (null != first)
        {
            section = mirrorSection;
            throw new ConfigurationException("mirror '" + topic + "' is configured twice (first at line " +
                first.line + ")");
        }
        mirrors.put(topic, mirrorSection);
        return mirrorSection;
    }

    private void setting(final int lineNo, final String line)
    {
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
        settingCount++;
        if (null == section)
        {
            return; // the section header's error covers it
        }
        final boolean brokerSection = section == broker;
        final Setting<?> mirrorSetting = null != section.mirrorValues ? MirrorSettings.byKey(key) : null;
        final Setting<?> setting = brokerSection ? BrokerSettings.byKey(key) :
            null != mirrorSetting ? mirrorSetting : TopicSettings.byKey(key);
        if (null == setting)
        {
            throw new ConfigurationException(null != section.mirrorValues ? unknownMirrorKey(key) :
                unknownKey(key, brokerSection));
        }
        if (null != section.mirrorValues && key.startsWith("mirror."))
        {
            throw new ConfigurationException("'" + key + "' in " + section.header + ": a mirror is written by this " +
                "broker from its source and cannot be mirrored out again");
        }
        if (section == defaults &&
            (setting == TopicSettings.MIRROR_CHANNEL || setting == TopicSettings.MIRROR_STREAM_ID))
        {
            throw new ConfigurationException("'" + key + "' goes in a [topic NAME] section: each mirrored topic is " +
                "named, not every topic created on first use");
        }
        final Integer first = section.keyLines.putIfAbsent(key, lineNo);
        if (null != first)
        {
            throw new ConfigurationException("'" + key + "' is set twice" +
                (brokerSection ? "" : " in " + section.header) + " (first at line " + first + ")");
        }
        (null != mirrorSetting ? section.mirrorValues : section.values).parse(setting, key, value);
        section.texts.put(key, value);
        if (null != section.mirrorValues && setting == TopicSettings.PERSISTENT &&
            !section.values.get(TopicSettings.PERSISTENT))
        {
            throw new ConfigurationException("'persistent = false' in " + section.header + ": a mirror is always " +
                "persistent (its archive is a copy of the source's)");
        }
    }

    private static String unknownKey(final String key, final boolean brokerSection)
    {
        final List<Setting<?>> table = brokerSection ? BrokerSettings.ALL : TopicSettings.ALL;
        if (brokerSection && null != TopicSettings.byKey(key))
        {
            return "'" + key + "' is a topic setting: it goes in a [topic.defaults] or [topic NAME] section";
        }
        if (!brokerSection && null != BrokerSettings.byKey(key))
        {
            return "'" + key + "' is a broker setting: it goes before the first section";
        }
        final String kind = brokerSection ? "unknown setting '" : "unknown topic setting '";
        final String closest = DidYouMean.closestKey(table, key);
        if (null != closest)
        {
            return kind + key + "' (did you mean '" + closest + "'?)";
        }
        final StringBuilder known = new StringBuilder();
        for (final Setting<?> setting : table)
        {
            if (null != setting.key())
            {
                known.append(known.length() == 0 ? "" : ", ").append(setting.key());
            }
        }
        return kind + key + "' (known: " + known + (brokerSection ?
            "; topic settings go in a [topic NAME] or [topic.defaults] section)" : ")");
    }

    private static String unknownMirrorKey(final String key)
    {
        final List<Setting<?>> table = new ArrayList<>(MirrorSettings.ALL);
        table.addAll(TopicSettings.ALL);
        final String closest = DidYouMean.closestKey(table, key);
        final StringBuilder known = new StringBuilder();
        for (final Setting<?> setting : table)
        {
            known.append(known.length() == 0 ? "" : ", ").append(setting.key());
        }
        return "unknown mirror setting '" + key + "'" + (null != closest ? " (did you mean '" + closest + "'?)" :
            " (known: " + known + ")");
    }

    /** The mirrors of the file, each checked for its required keys and against the topic sections. */
    private Map<String, MirrorConfig> mirrorConfigs(final TopicConfig topicDefaults)
    {
        final Map<String, MirrorConfig> configs = new LinkedHashMap<>();
        for (final Map.Entry<String, Section> entry : mirrors.entrySet())
        {
            final Section mirror = entry.getValue();
            final Section topic = topics.get(entry.getKey());
            if (null != topic)
            {
                error(mirror.line, mirror.header + ": topic '" + entry.getKey() + "' is also configured as " +
                    topic.header + " at line " + topic.line + ": a topic is either produced here (and may be " +
                    "mirrored out) or a mirror of another broker's, not both");
            }
            for (final Setting<?> required : List.of(MirrorSettings.CHANNEL, MirrorSettings.SOURCE))
            {
                if (!mirror.keyLines.containsKey(required.key()))
                {
                    error(mirror.line, mirror.header + " needs '" + required.key() + " = " +
                        required.type().metavar() + "' (" + required.description() + ")");
                }
            }
            final TopicConfig topicConfig = checked(topicDefaults.with(mirror.values)
                .with(new SettingValues().put(TopicSettings.PERSISTENT, true)), mirror);
            configs.put(entry.getKey(), new MirrorConfig(entry.getKey(), mirror.mirrorValues, topicConfig,
                source + ":" + mirror.line));
        }
        return configs;
    }

    private ConfigCheck finish()
    {
        TopicConfig topicDefaults = TopicConfig.DEFAULTS;
        if (null != defaults)
        {
            topicDefaults = checked(TopicConfig.DEFAULTS.with(defaults.values), defaults);
        }
        final Map<String, TopicConfig> topicConfigs = new LinkedHashMap<>();
        final Map<String, String> mirrorStreams = new HashMap<>();
        for (final Map.Entry<String, Section> entry : topics.entrySet())
        {
            final TopicConfig config = checked(topicDefaults.with(entry.getValue().values), entry.getValue());
            topicConfigs.put(entry.getKey(), config);
            checkMirrorOut(entry.getKey(), config, entry.getValue(), mirrorStreams);
        }
        final Map<String, MirrorConfig> mirrorConfigs = mirrorConfigs(topicDefaults);
        final BrokerConfig config = errors.isEmpty() ?
            new BrokerConfig(broker.values, broker.texts, topicDefaults, topicConfigs, mirrorConfigs) : null;
        errors.sort(Comparator.comparingInt(e -> e.line)); // stable: a line's own mistakes stay in order
        final List<String> messages = new ArrayList<>();
        for (final Error e : errors)
        {
            messages.add(source + ":" + e.line + ": " + e.reason);
        }
        return new ConfigCheck(source, messages, settingCount, topics.size() + mirrors.size(), config);
    }

    /**
     * A mirrored-out topic must be persistent (its mirror is sent from its segment files), and no two topics may
     * share a mirror's channel and stream id (their frames would mix).
     *
     * A channel that is not sound was reported at its line already.
     *
     * @param streams the stream of each mirrored topic so far: its channel's addresses and stream id, to the topic.
     */
    private void checkMirrorOut(
        final String topic, final TopicConfig config, final Section section, final Map<String, String> streams)
    {
        final Integer channelLine = section.keyLines.get(TopicSettings.MIRROR_CHANNEL.key());
        final Integer streamIdLine = section.keyLines.get(TopicSettings.MIRROR_STREAM_ID.key());
        if (null == channelLine || !config.isMirroredOut())
        {
            if (null == channelLine && null != streamIdLine)
            {
                error(streamIdLine, section.header + ": mirror.stream.id without mirror.channel: the topic is not " +
                    "mirrored");
            }
            return;
        }
        if (!config.persistent())
        {
            final Integer persistentLine = lineOf(section, TopicSettings.PERSISTENT);
            error(channelLine, section.header + ": a mirrored topic must be persistent (its mirror is sent from " +
                "its segment files), but 'persistent = false'" +
                (null != persistentLine ? " at line " + persistentLine : ""));
        }
        final String stream = AeronChannels.streamKey(config.mirrorChannel(), config.mirrorStreamId(topic));
        final String other = streams.putIfAbsent(stream, topic);
        if (null != other)
        {
            error(channelLine, section.header + ": mirror.channel and mirror.stream.id " +
                config.mirrorStreamId(topic) + " are those of topic '" + other + "' (line " +
                topics.get(other).keyLines.get(TopicSettings.MIRROR_CHANNEL.key()) +
                "): two topics on one stream would mix their frames; give one another mirror.stream.id");
        }
    }

    /** The line that sets the setting for the section's topic: its own, else [topic.defaults]'s, else null. */
    private Integer lineOf(final Section section, final Setting<?> setting)
    {
        final Integer own = section.keyLines.get(setting.key());
        return null != own || null == defaults ? own : defaults.keyLines.get(setting.key());
    }

    /** Checks a topic's combination of settings, reported at the line of the message length or the header. */
    private TopicConfig checked(final TopicConfig config, final Section section)
    {
        try
        {
            return config.validate();
        }
        catch (final ConfigurationException ex)
        {
            final Integer line = section.keyLines.get(TopicSettings.MAX_MESSAGE_LENGTH.key());
            error(null != line ? line : section.line, section.header + ": " + ex.getMessage());
            return TopicConfig.DEFAULTS;
        }
    }

    private void error(final int lineNo, final String reason)
    {
        errors.add(new Error(lineNo, reason));
    }
}
