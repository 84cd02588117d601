package io.shmbus.bench;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The options of {@code scripts/bench idle}, parsed from its command line. Immutable once parsed.
 */
final class IdleOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench idle [--seconds N] [--warmup N] [--topics N] [--net-port N] [--no-anchor] [--out FILE]",
        "",
        "What an idle broker and an idle connected client cost: a broker process (persistent data directory, the",
        "network server on) and a client process with a producer and a consumer open on each topic, nothing sent;",
        "after the warm-up, each process's CPU time over the window, from utime+stime of /proc/PID/stat and from",
        "the scheduler's schedstat, as a share of one core, with the busiest threads. Goal: under 2% each.",
        "Then the anchor, in the same run: the same pair with the broker's conductor on Agrona's",
        "BackoffIdleStrategy parking up to 1 ms (the broker's default before it parked longer when quiet).",
        "",
        "  --seconds N     the measured window (default 20)",
        "  --warmup N      seconds between the client being ready and the window (default 5)",
        "  --topics N      topics, each with one producer and one consumer (default 4)",
        "  --net-port N    the broker's network port (default 0: any free port)",
        "  --no-anchor     skip the anchor (half the time)",
        "  --out FILE      the report (default bench-results/idle-<timestamp>.md; .json and .csv beside it)",
        "  --no-build      run what was built last");

    int seconds = 20;
    int warmupSeconds = 5;
    int topics = 4;
    int netPort;
    boolean anchor = true;
    Path out;
    boolean help;

    static IdleOptions parse(final String[] args)
    {
        final IdleOptions options = new IdleOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "-h":
                case "--help":
                    options.help = true;
                    break;
                case "--seconds":
                    options.seconds = positive(arg, BenchOptions.value(args, ++i, arg), 1);
                    break;
                case "--warmup":
                    options.warmupSeconds = positive(arg, BenchOptions.value(args, ++i, arg), 0);
                    break;
                case "--topics":
                    options.topics = positive(arg, BenchOptions.value(args, ++i, arg), 1);
                    break;
                case "--net-port":
                    options.netPort = positive(arg, BenchOptions.value(args, ++i, arg), 0);
                    if (options.netPort > 65535)
                    {
                        throw new IllegalArgumentException("--net-port must be a port number, not " + options.netPort);
                    }
                    break;
                case "--no-anchor":
                    options.anchor = false;
                    break;
                case "--out":
                    options.out = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return options;
    }


    private static int positive(final String option, final String text, final int min)
    {
        final int value;
        try
        {
            value = Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " needs a whole number, not '" + text + "'");
        }
        if (value < min)
        {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + value);
        }
        return value;
    }
}
