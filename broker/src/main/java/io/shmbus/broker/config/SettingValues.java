package io.shmbus.broker.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values of settings from one source: a config file's section or the command line. Keeps the order they were
 * given in. Not thread-safe: filled, then only read.
 */
public final class SettingValues
{
    private final Map<Setting<?>, Object> values = new LinkedHashMap<>();

    public SettingValues()
    {
    }

    /** A copy of these values, with {@code more} set over them. */
    public SettingValues with(final SettingValues more)
    {
        final SettingValues merged = new SettingValues();
        merged.values.putAll(values);
        merged.values.putAll(more.values);
        return merged;
    }

    public <T> SettingValues put(final Setting<T> setting, final T value)
    {
        values.put(setting, value);
        return this;
    }

    /**
     * Parses the text as the setting's value and keeps it.
     *
     * @param what how the user named the setting (the key or the flag), for the message.
     * @throws io.shmbus.client.ConfigurationException when the text is not an allowed value.
     */
    public <T> SettingValues parse(final Setting<T> setting, final String what, final String text)
    {
        return put(setting, setting.parse(what, text));
    }

    /** The value given, or null. */
    @SuppressWarnings("unchecked")
    public <T> T get(final Setting<T> setting)
    {
        return (T)values.get(setting);
    }

    /** The value given, else the setting's default (null when it has none). */
    public <T> T getOrDefault(final Setting<T> setting)
    {
        final T value = get(setting);
        return null != value ? value : setting.defaultValue();
    }
}
