package io.shmbus.broker.logging;

/**
 * JSON string literals (RFC 8259) in plain ASCII: quotes, backslashes and control characters escaped, and every
 * non-ASCII character as a backslash-u escape of four hex digits (a surrogate pair as two), so a line survives
 * any stream encoding (the broker's stderr may be ASCII under a POSIX locale) and a lone surrogate cannot make it
 * invalid UTF-8. The one rule for every JSON the project writes: broker log lines, benchmark results, soak
 * reports. Thread-safe.
 */
public final class JsonStrings
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonStrings()
    {
    }

    /** {@code text} as a JSON string literal, or {@code null} (the JSON literal) when it is null. */
    public static String quote(final String text)
    {
        if (null == text)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(text.length() + 2);
        appendQuoted(sb, text);
        return sb.toString();
    }

    /** Appends {@code text}, not null, as a JSON string literal. */
    public static void appendQuoted(final StringBuilder sb, final String text)
    {
        sb.append('"');
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c >= 0x7f)
                    {
                        sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                            .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    }
                    else
                    {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
