package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.Sizes;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a setting's value is: how text becomes a value, which values are allowed (the range, in words the
 * configuration page and the error messages share), and how a value is written back. Immutable and thread-safe.
 * <p>
 * Sizes and durations keep the spellings shmbus has always accepted ({@code 64kb}, {@code 5m}, {@code 7d}, a bare
 * duration in milliseconds), which Agrona's {@code SystemUtil.parseSize}/{@code parseDuration} do not: they take
 * no {@code m}, {@code h} or {@code d} duration and read a bare duration as nanoseconds.
 *
 * @param <T> the type of the parsed value.
 */
public final class ValueType<T>
{
    private final SettingType kind;
    private final String range;
    private final String metavar;
    private final BiFunction<String, String, T> parser;
    private final Predicate<T> inRange;
    private final Function<T, String> formatter;
    private final boolean secret;

    private ValueType(
        final SettingType kind,
        final String range,
        final String metavar,
        final BiFunction<String, String, T> parser,
        final Predicate<T> inRange,
        final Function<T, String> formatter)
    {
        this(kind, range, metavar, parser, inRange, formatter, false);
    }

    private ValueType(
        final SettingType kind,
        final String range,
        final String metavar,
        final BiFunction<String, String, T> parser,
        final Predicate<T> inRange,
        final Function<T, String> formatter,
        final boolean secret)
    {
        this.kind = kind;
        this.range = range;
        this.metavar = metavar;
        this.parser = parser;
        this.inRange = inRange;
        this.formatter = formatter;
        this.secret = secret;
    }

    /**
     * A type of its own.
     *
     * @param parser    text to value, given the setting's name for the message; throws
     *                  {@link ConfigurationException} when the text is not of the type.
     * @param inRange   whether a value is allowed; when not, the message says "must be {@code range}".
     * @param formatter value to text, as a user would write it.
     */
    public static <T> ValueType<T> of(
        final SettingType kind,
        final String range,
        final String metavar,
        final BiFunction<String, String, T> parser,
        final Predicate<T> inRange,
        final Function<T, String> formatter)
    {
        return new ValueType<>(kind, range, metavar, parser, inRange, formatter);
    }

    /** Bytes from {@code min} to {@code max} ({@link Long#MAX_VALUE}: no limit). */
    public static ValueType<Long> size(final long min, final long max)
    {
        return new ValueType<>(SettingType.SIZE, Long.MAX_VALUE == max ? formatSize(min) + " or more" :
            formatSize(min) + " to " + formatSize(max),
            SettingType.SIZE.metavar(), Sizes::parse, v -> v >= min && v <= max, ValueType::formatSize);
    }

    /** Bytes, a multiple of {@code alignment} from {@code min} to {@code max}. */
    public static ValueType<Long> alignedSize(final long min, final long max, final long alignment)
    {
        return new ValueType<>(SettingType.SIZE, "a multiple of " + alignment + " from " + formatSize(min) + " to " +
            formatSize(max), SettingType.SIZE.metavar(), Sizes::parse,
            v -> v >= min && v <= max && 0 == v % alignment, ValueType::formatSize);
    }

    /** Bytes, a power of two from {@code min} to {@code max}. */
    public static ValueType<Long> powerOfTwoSize(final long min, final long max)
    {
        return new ValueType<>(SettingType.SIZE, "a power of two from " + formatSize(min) + " to " + formatSize(max),
            SettingType.SIZE.metavar(), Sizes::parse, v -> v >= min && v <= max && Long.bitCount(v) == 1,
            ValueType::formatSize);
    }

    /** A duration, in nanoseconds, of at least {@code minNs}. */
    public static ValueType<Long> duration(final long minNs)
    {
        return new ValueType<>(SettingType.DURATION, 0 == minNs ? "0 or more" : "at least " + Durations.format(minNs),
            SettingType.DURATION.metavar(), Durations::parseNs, v -> v >= minNs, Durations::format);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static ValueType<Integer> integer(final int min, final int max)
    {
        return new ValueType<>(SettingType.INTEGER, min + " to " + max, SettingType.INTEGER.metavar(),
            (what, text) -> wholeNumber(what, text, min + " to " + max), v -> v >= min && v <= max,
            String::valueOf);
    }

    /** A TCP port, 0 (any free port) to 65535. */
    public static ValueType<Integer> port()
    {
        return new ValueType<>(SettingType.PORT, "0 to 65535", SettingType.PORT.metavar(),
            (what, text) -> wholeNumber(what, text, "0 to 65535"), v -> v >= 0 && v <= 65535, String::valueOf);
    }

    /** {@code true} or {@code false}; {@code yes} and {@code no} too. */
    public static ValueType<Boolean> bool()
    {
        return new ValueType<>(SettingType.BOOLEAN, "true or false", SettingType.BOOLEAN.metavar(),
            ValueType::parseBoolean, v -> true, String::valueOf);
    }

    /** An IP address or a host name, checked by its form only (no name is looked up). */
    public static ValueType<String> address()
    {
        return new ValueType<>(SettingType.ADDRESS, "an IP address or a host name", SettingType.ADDRESS.metavar(),
            (what, text) -> text.trim(), Addresses::isAddress, v -> v);
    }

    /** A secret of at most {@code maxBytes} bytes in UTF-8, which no message or listing shows. */
    public static ValueType<String> secret(final int maxBytes)
    {
        return new ValueType<>(SettingType.STRING, "at most " + maxBytes + " bytes", SettingType.STRING.metavar(),
            (what, text) -> text, v -> v.getBytes(StandardCharsets.UTF_8).length <= maxBytes,
            v -> "(" + v.getBytes(StandardCharsets.UTF_8).length + " bytes, not shown)", true);
    }

    /** A file system path. */
    public static ValueType<Path> path()
    {
        return new ValueType<>(SettingType.PATH, "a path", SettingType.PATH.metavar(), ValueType::parsePath,
            v -> true, Path::toString);
    }

    /** One of an enum's constants, written in lower case (read in any case). */
    public static <E extends Enum<E>> ValueType<E> choice(final Class<E> type)
    {
        final E[] constants = type.getEnumConstants();
        final StringBuilder range = new StringBuilder();
        final StringBuilder metavar = new StringBuilder();
        for (int i = 0; i < constants.length; i++)
        {
            final String name = lowerCase(constants[i]);
            range.append(i == 0 ? "" : i == constants.length - 1 ? " or " : ", ").append(name);
            metavar.append(i == 0 ? "" : "|").append(name);
        }
        final String words = range.toString();
        return new ValueType<>(SettingType.ENUM, words, metavar.toString(), (what, text) ->
        {
            for (final E constant : constants)
            {
                if (constant.name().equalsIgnoreCase(text.trim()))
                {
                    return constant;
                }
            }
            throw new ConfigurationException(what + " must be " + words + ": '" + text + "'");
        }, v -> true, ValueType::lowerCase);
    }

    public SettingType kind()
    {
        return kind;
    }

    /** The allowed values in words, e.g. {@code 0 to 65535}. */
    public String range()
    {
        return range;
    }

    /** The placeholder of a flag's value in {@code --help}. */
    public String metavar()
    {
        return metavar;
    }

    /**
     * @param what names the setting in the message (its config key, flag or system property).
     * @throws ConfigurationException saying what is wrong when the text is not an allowed value.
     */
    public T parse(final String what, final String text)
    {
        final T value = parser.apply(what, text);
        if (!inRange.test(value))
        {
            throw new ConfigurationException(what + " must be " + range + ": " +
                (secret ? format(value) : "'" + text + "'"));
        }
        return value;
    }

    /**
     * Checks a value given in code.
     *
     * @throws ConfigurationException naming the setting when the value is not allowed.
     */
    public T check(final String what, final T value)
    {
        if (!inRange.test(value))
        {
            throw new ConfigurationException(what + " must be " + range + ": " + format(value));
        }
        return value;
    }

    /** The value as a user would write it, e.g. {@code 64k} or {@code 5s}. */
    public String format(final T value)
    {
        return formatter.apply(value);
    }

    /** A size as written in a config file: the largest binary suffix that divides it exactly. */
    public static String formatSize(final long bytes)
    {
        if (0 != bytes && 0 == bytes % (1L << 30))
        {
            return (bytes >> 30) + "g";
        }
        if (0 != bytes && 0 == bytes % (1L << 20))
        {
            return (bytes >> 20) + "m";
        }
        if (0 != bytes && 0 == bytes % (1L << 10))
        {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }

    private static int wholeNumber(final String what, final String text, final String range)
    {
        try
        {
            final long value = Long.parseLong(text.trim());
            return (int)Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(what + " needs a whole number, " + range + ": '" + text + "'");
        }
    }

    private static boolean parseBoolean(final String what, final String text)
    {
        final String word = text.trim();
        if ("true".equalsIgnoreCase(word) || "yes".equalsIgnoreCase(word))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(word) || "no".equalsIgnoreCase(word))
        {
            return false;
        }
        throw new ConfigurationException(what + " must be true or false: '" + text + "'");
    }

    private static Path parsePath(final String what, final String text)
    {
        try
        {
            return Paths.get(text.trim());
        }
        catch (final InvalidPathException ex)
        {
            throw new ConfigurationException(what + " is not a usable path: '" + text + "' (" + ex.getReason() + ")");
        }
    }

    private static String lowerCase(final Enum<?> constant)
    {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
