package io.shmbus.bench;

import io.shmbus.client.Sizes;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} arguments the parent passes to a benchmark child process.
 */
final class ChildArgs
{
    private final Map<String, String> values = new LinkedHashMap<>();

    ChildArgs(final String[] args, final int from)
    {
        for (int i = from; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("child argument is not key=value: '" + args[i] + "'");
            }
            values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
    }

    String get(final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IllegalArgumentException("missing child argument " + key + "=...");
        }
        return value;
    }

    String get(final String key, final String defaultValue)
    {
        return values.getOrDefault(key, defaultValue);
    }

    long size(final String key)
    {
        return Sizes.parse(key, get(key));
    }

    int intValue(final String key)
    {
        return Integer.parseInt(get(key));
    }

    Path path(final String key)
    {
        return Paths.get(get(key));
    }
}
