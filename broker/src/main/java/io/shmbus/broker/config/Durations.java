package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;

import java.util.concurrent.TimeUnit;

/**
 * Parses durations written as a number and a unit: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h},
 * {@code 7d} (also {@code us} and {@code ns}); a bare number is milliseconds. Thread-safe (stateless).
 */
public final class Durations
{
    private static final TimeUnit[] LARGEST_FIRST = { TimeUnit.DAYS, TimeUnit.HOURS, TimeUnit.MINUTES,
        TimeUnit.SECONDS, TimeUnit.MILLISECONDS, TimeUnit.MICROSECONDS };

    private Durations()
    {
    }

    /**
     * @return the duration in nanoseconds.
     * @throws ConfigurationException naming the setting when the text is not a duration.
     */
    public static long parseNs(final String what, final String text)
    {
        final String s = text.trim().toLowerCase();
        final int split = firstNonDigit(s);
        final String digits = s.substring(0, split);
        final String unit = s.substring(split).trim();
        final long value;
        try
        {
            value = Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(what, text);
        }
        final TimeUnit timeUnit;
        switch (unit)
        {
            case "":
            case "ms": timeUnit = TimeUnit.MILLISECONDS; break;
            case "us": timeUnit = TimeUnit.MICROSECONDS; break;
            case "ns": timeUnit = TimeUnit.NANOSECONDS; break;
            case "s": timeUnit = TimeUnit.SECONDS; break;
            case "m": timeUnit = TimeUnit.MINUTES; break;
            case "h": timeUnit = TimeUnit.HOURS; break;
            case "d": timeUnit = TimeUnit.DAYS; break;
            default: throw invalid(what, text);
        }
        return timeUnit.toNanos(value);
    }

    /** A duration as written in a config file, in the largest unit that divides it exactly: {@code 5s}. */
    public static String format(final long ns)
    {
        if (0 == ns)
        {
            return "0";
        }
        for (final TimeUnit unit : LARGEST_FIRST)
        {
            if (0 == ns % unit.toNanos(1))
            {
                return unit.convert(ns, TimeUnit.NANOSECONDS) + suffix(unit);
            }
        }
        return ns + "ns";
    }

    private static String suffix(final TimeUnit unit)
    {
        switch (unit)
        {
            case DAYS: return "d";
            case HOURS: return "h";
            case MINUTES: return "m";
            case SECONDS: return "s";
            case MILLISECONDS: return "ms";
            default: return "us";
        }
    }

    private static int firstNonDigit(final String s)
    {
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)))
        {
            i++;
        }
        return i;
    }

    private static ConfigurationException invalid(final String what, final String text)
    {
        return new ConfigurationException(
            what + " must be a duration such as 500ms, 10s, 5m, 2h or 7d: '" + text + "'");
    }
}
