package io.shmbus.broker.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command-line options of one command: {@code --name value} pairs and boolean {@code --flag}s, checked
 * against the options the command accepts. Not thread-safe.
 */
final class Args
{
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    /** Every value of each option, in the order given, for the options that may repeat. */
    private final Map<String, List<String>> allValues = new HashMap<>();

    private Args(final String command)
    {
        this.command = command;
    }

    /**
     * @throws UsageException for an unknown option or a missing value.
     */
    static Args parse(
        final String command, final List<String> args, final Set<String> withValue, final Set<String> flags)
    {
        final Args parsed = new Args(command);
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            String name = arg;
            String value = null;
            final int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0)
            {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (flags.contains(name) && null == value)
            {
                parsed.values.put(name, "true");
            }
            else if (withValue.contains(name))
            {
                if (null == value)
                {
                    if (i + 1 >= args.size())
                    {
                        throw new UsageException(command, "option " + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                parsed.values.put(name, value);
                parsed.allValues.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
            }
            else
            {
                throw new UsageException(command, "unknown option '" + arg + "'");
            }
        }
        return parsed;
    }

    boolean has(final String name)
    {
        return values.containsKey(name);
    }

    /** Every value given to an option that may repeat, in order; empty when it was not given. */
    List<String> all(final String name)
    {
        return allValues.getOrDefault(name, List.of());
    }

    String get(final String name, final String defaultValue)
    {
        return values.getOrDefault(name, defaultValue);
    }

    String require(final String name)
    {
        final String value = values.get(name);
        if (null == value || value.isEmpty())
        {
            throw new UsageException(command, "option " + name + " is required");
        }
        return value;
    }

    long getLong(final String name, final long defaultValue)
    {
        final String value = values.get(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(command, "option " + name + " needs a whole number: '" + value + "'");
        }
    }
}
