package io.shmbus.client;

/**
 * Parses sizes written as a number with an optional binary suffix: {@code 65536}, {@code 64k}, {@code 4m},
 * {@code 1g}.
 */
public final class Sizes
{
    private Sizes()
    {
    }

    /**
     * @param what names the setting in the error message.
     * @throws ConfigurationException when the text is not a size.
     */
    public static long parse(final String what, final String text)
    {
        final String s = text.trim().toLowerCase();
        long multiplier = 1;
        String digits = s;
        if (s.endsWith("k") || s.endsWith("kb") || s.endsWith("kib"))
        {
            multiplier = 1024;
        }
        else if (s.endsWith("m") || s.endsWith("mb") || s.endsWith("mib"))
        {
            multiplier = 1024 * 1024;
        }
        else if (s.endsWith("g") || s.endsWith("gb") || s.endsWith("gib"))
        {
            multiplier = 1024L * 1024 * 1024;
        }
        if (multiplier != 1)
        {
            digits = s.replaceAll("[kmg]i?b?$", "");
        }
        try
        {
            final long value = Long.parseLong(digits);
            if (value < 0 || value > Long.MAX_VALUE / multiplier)
            {
                throw new NumberFormatException();
            }
            return value * multiplier;
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(
                what + " must be a size such as 65536, 64k, 4m or 1g: '" + text + "'");
        }
    }
}
