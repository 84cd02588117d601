package io.shmbus.broker.cli;

/**
 * The few number and column formats the short commands print, without {@link java.util.Formatter}: its first use
 * in a JVM loads the locale data and costs a command as much CPU as a fifth of its whole start
 * (scripts/bench startup). Locale-independent: grouping is always by commas, the decimal point always a point.
 * Stateless; any thread.
 */
final class PlainFormat
{
    private PlainFormat()
    {
    }

    /** {@code text} right-aligned in {@code width} columns, as {@code %<width>s}. */
    static String right(final Object text, final int width)
    {
        final String s = String.valueOf(text);
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** {@code text} left-aligned in {@code width} columns, as {@code %-<width>s}. */
    static String left(final Object text, final int width)
    {
        final String s = String.valueOf(text);
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** {@code value} with a comma between each group of three digits, as {@code %,d} in English. */
    static String grouped(final long value)
    {
        final String digits = Long.toString(value);
        final int sign = value < 0 ? 1 : 0;
        final StringBuilder sb = new StringBuilder(digits.length() + digits.length() / 3);
        sb.append(digits, 0, sign);
        for (int i = sign; i < digits.length(); i++)
        {
            if (i > sign && (digits.length() - i) % 3 == 0)
            {
                sb.append(',');
            }
            sb.append(digits.charAt(i));
        }
        return sb.toString();
    }

    /** {@code value} rounded half up to one decimal, as {@code %.1f} in English; for finite values. */
    static String oneDecimal(final double value)
    {
        final long tenths = Math.round(Math.abs(value) * 10);
        return (value < 0 && tenths != 0 ? "-" : "") + tenths / 10 + "." + tenths % 10;
    }
}
