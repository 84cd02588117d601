package io.shmbus.examples;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ConsumerNames;
import io.shmbus.client.TopicNames;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The command-line arguments of an example, checked against its usage line. A user mistake (an argument missing or
 * extra, not a number, out of range, a bad name or address) prints the usage line and a one-line reason on stderr
 * and exits with status 2: no stack trace. Only the main thread uses it.
 * <pre>
 * final ExampleArgs arguments = ExampleArgs.of("ProducerExample TOPIC COUNT [FIRST]", args);
 * final long count = arguments.number(1, 1, Long.MAX_VALUE);
 * </pre>
 */
public final class ExampleArgs
{
    /** Exit status for a user mistake on the command line. */
    public static final int USAGE_EXIT_STATUS = 2;

    private final String usage;
    private final String[] names;
    private final String[] args;

    private ExampleArgs(final String usage, final String[] names, final String[] args)
    {
        this.usage = usage;
        this.names = names;
        this.args = args;
    }

    /**
     * Checks the number of arguments against {@code usage}: the program's name, then one word an argument, the
     * optional ones last and in brackets ({@code [FIRST]}).
     */
    public static ExampleArgs of(final String usage, final String[] args)
    {
        final String[] words = usage.trim().split("\\s+");
        final String[] names = Arrays.copyOfRange(words, 1, words.length);
        final int required = (int)Arrays.stream(names).filter(name -> !name.startsWith("[")).count();
        final ExampleArgs arguments = new ExampleArgs(usage, names, args);
        if (args.length < required)
        {
            throw arguments.fail("missing " + names[args.length]);
        }
        if (args.length > names.length)
        {
            throw arguments.fail("unexpected argument '" + args[names.length] + "'");
        }
        return arguments;
    }

    /** Whether the optional argument at {@code index} was given. */
    public boolean has(final int index)
    {
        return index < args.length;
    }

    /** The argument at {@code index} as it is. */
    public String text(final int index)
    {
        return args[index];
    }

    /** The argument at {@code index}, one of {@code allowed}. */
    public String choice(final int index, final String... allowed)
    {
        if (!Arrays.asList(allowed).contains(args[index]))
        {
            throw fail(name(index) + " must be " + String.join(" or ", allowed) + ", not '" + args[index] + "'");
        }
        return args[index];
    }

    /** The argument at {@code index} as a topic name ({@link TopicNames}). */
    public String topic(final int index)
    {
        return valid(index, () -> TopicNames.validate(args[index]));
    }

    /** The argument at {@code index} as a consumer name ({@link ConsumerNames}). */
    public String consumerName(final int index)
    {
        return valid(index, () -> ConsumerNames.validate(args[index]));
    }

    /** The argument at {@code index} as a whole number in {@code [min, max]}. */
    public long number(final int index, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(args[index]);
        }
        catch (final NumberFormatException ex)
        {
            throw fail(name(index) + " must be a whole number, not '" + args[index] + "'");
        }
        if (value < min || value > max)
        {
            throw fail(name(index) + " must be from " + min + " to " + max + ", not " + value);
        }
        return value;
    }

    /** The optional argument at {@code index} as a whole number in {@code [min, max]}, {@code absent} if not given. */
    public long number(final int index, final long min, final long max, final long absent)
    {
        return has(index) ? number(index, min, max) : absent;
    }

    /** The argument at {@code index} as {@code HOST:PORT} or {@code [IPv6]:PORT}, its host resolved. */
    public InetSocketAddress address(final int index)
    {
        final String text = args[index];
        final int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.contains("[") || host.contains("]"))
        {
            throw fail(name(index) + " must be HOST:PORT, not '" + text + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw fail(name(index) + " must end in a port number, not '" + text + "'");
        }
        if (port < 1 || port > 65535)
        {
            throw fail(name(index) + " must have a port from 1 to 65535, not " + port);
        }
        final InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved())
        {
            throw fail(name(index) + ": unknown host '" + host + "'");
        }
        return address;
    }

    /**
     * Prints the usage line and {@code reason} on stderr and exits with {@link #USAGE_EXIT_STATUS}. Declared to
     * return an exception, so that a caller can write {@code throw arguments.fail(..)}; it never returns.
     */
    public RuntimeException fail(final String reason)
    {
        System.err.println("usage: " + usage);
        System.err.println(reason);
        System.exit(USAGE_EXIT_STATUS);
        return new IllegalStateException(reason); // not reached
    }

    private String name(final int index)
    {
        return names[index].replace("[", "").replace("]", "");
    }

    private String valid(final int index, final Supplier<String> validation)
    {
        try
        {
            return validation.get();
        }
        catch (final ConfigurationException ex)
        {
            throw fail(name(index) + ": " + ex.getMessage());
        }
    }
}
