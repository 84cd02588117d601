package io.shmbus.broker.config;

import java.util.function.Supplier;

/**
 * One setting of the broker or of a topic: its config-file key, command-line flag and system property (each
 * optional), its {@link ValueType} (parsing and range), its default, the unit of a bare number, and a one-line
 * description. {@link BrokerSettings} and {@link TopicSettings} hold the table of them that the broker, the config
 * file, {@code shmbus broker --check-config}, {@code --help} and docs/configuration.md all read. Immutable.
 *
 * @param <T> the type of the value.
 */
public final class Setting<T>
{
    private final String key;
    private final String flag;
    private final String property;
    private final ValueType<T> type;
    private final Supplier<T> defaultValue;
    private final String defaultText;
    private final String unit;
    private final String description;

    private Setting(
        final String key,
        final String flag,
        final String property,
        final ValueType<T> type,
        final Supplier<T> defaultValue,
        final String defaultText,
        final String unit,
        final String description)
    {
        this.key = key;
        this.flag = flag;
        this.property = property;
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.unit = unit;
        this.description = description;
    }

    /**
     * A setting with a config key (null for one set only by a system property), no default, no flag, no property.
     */
    static <T> Setting<T> of(final String key, final ValueType<T> type, final String description)
    {
        final String unit = type.kind() == SettingType.SIZE ? "bytes" :
            type.kind() == SettingType.DURATION ? "ms" : "";
        return new Setting<>(key, null, null, type, () -> null, null, unit, description);
    }

    Setting<T> flag(final String flag)
    {
        return new Setting<>(key, flag, property, type, defaultValue, defaultText, unit, description);
    }

    Setting<T> property(final String property)
    {
        return new Setting<>(key, flag, property, type, defaultValue, defaultText, unit, description);
    }

    /** A fixed default, written in the docs as the type writes it. */
    Setting<T> defaultValue(final T value)
    {
        return new Setting<>(key, flag, property, type, () -> value, defaultText, unit, description);
    }

    /** A default found when it is needed (e.g. from the environment), described in words. */
    Setting<T> defaultValue(final Supplier<T> value, final String text)
    {
        return new Setting<>(key, flag, property, type, value, text, unit, description);
    }

    /** What having no value means, in words, e.g. "none: no network server". */
    Setting<T> noDefault(final String text)
    {
        return new Setting<>(key, flag, property, type, () -> null, text, unit, description);
    }

    Setting<T> unit(final String unit)
    {
        return new Setting<>(key, flag, property, type, defaultValue, defaultText, unit, description);
    }

    /** The config-file key, or null when only a system property sets it. */
    public String key()
    {
        return key;
    }

    /** The command-line flag of {@code shmbus broker}, or null. */
    public String flag()
    {
        return flag;
    }

    /** The system property, or null. */
    public String property()
    {
        return property;
    }

    public ValueType<T> type()
    {
        return type;
    }

    /** The name used in messages: the config key, else the system property. */
    public String name()
    {
        return null != key ? key : property;
    }

    /** The default value, or null when there is none. */
    public T defaultValue()
    {
        return defaultValue.get();
    }

    /** The default as the configuration page gives it (Markdown): in words, or the value as code. */
    public String defaultText()
    {
        if (null != defaultText)
        {
            return defaultText;
        }
        final T value = defaultValue.get();
        return null == value ? "none" : "`" + type.format(value) + "`";
    }

    /** What a bare number means (e.g. {@code bytes}, {@code ms}), or empty. */
    public String unit()
    {
        return unit;
    }

    public String description()
    {
        return description;
    }

    /**
     * @param what how the user named it: the key, the flag or the property.
     * @throws io.shmbus.client.ConfigurationException naming it when the text is not an allowed value.
     */
    public T parse(final String what, final String text)
    {
        return type.parse(what, text);
    }

    /**
     * Checks a value given in code.
     *
     * @throws io.shmbus.client.ConfigurationException naming the setting when the value is not allowed.
     */
    public T check(final T value)
    {
        return type.check(name(), value);
    }

    /** The value of its system property, or null when the property is not set (or empty). */
    public T fromSystemProperty()
    {
        final String text = null == property ? null : System.getProperty(property);
        return null == text || text.trim().isEmpty() ? null : type.parse(property, text);
    }

    public String toString()
    {
        return name();
    }
}
