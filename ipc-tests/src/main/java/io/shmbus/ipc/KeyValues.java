package io.shmbus.ipc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} tokens that child processes take as arguments and print in their report lines, e.g.
 * {@code SUMMARY name=c0 received=1020000 errors=0}. Tokens without {@code =} (the line's tag) are skipped.
 */
public final class KeyValues
{
    private final Map<String, String> values;

    private KeyValues(final Map<String, String> values)
    {
        this.values = values;
    }

    public static KeyValues parse(final String... tokens)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String token : tokens)
        {
            final int eq = token.indexOf('=');
            if (eq > 0)
            {
                values.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return new KeyValues(values);
    }

    public static KeyValues parseLine(final String line)
    {
        return parse(line.trim().split("\\s+"));
    }

    public String get(final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IllegalArgumentException("missing " + key + "=... in " + values);
        }
        return value;
    }

    public String get(final String key, final String defaultValue)
    {
        return values.getOrDefault(key, defaultValue);
    }

    public int getInt(final String key)
    {
        return Integer.parseInt(get(key));
    }

    public int getInt(final String key, final int defaultValue)
    {
        return values.containsKey(key) ? getInt(key) : defaultValue;
    }

    public long getLong(final String key)
    {
        return Long.parseLong(get(key));
    }

    public long getLong(final String key, final long defaultValue)
    {
        return values.containsKey(key) ? getLong(key) : defaultValue;
    }

    public boolean getBoolean(final String key, final boolean defaultValue)
    {
        return values.containsKey(key) ? Boolean.parseBoolean(get(key)) : defaultValue;
    }

    /** A comma-separated list of longs, e.g. {@code counts=170000,170000}. */
    public long[] getLongs(final String key)
    {
        final String[] parts = get(key).split(",");
        final long[] result = new long[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            result[i] = Long.parseLong(parts[i].trim());
        }
        return result;
    }

    public String toString()
    {
        return values.toString();
    }
}
