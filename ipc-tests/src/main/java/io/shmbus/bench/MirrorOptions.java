package io.shmbus.bench;

import io.shmbus.client.Sizes;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of {@code scripts/bench mirror}. Parsed on the main thread; a user mistake is an
 * {@link IllegalArgumentException} with the message to print.
 */
final class MirrorOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench mirror [options]",
        "",
        "A topic mirrored over loopback UDP, against plain Aeron UDP and raw sendfile in the same run:",
        "  throughput   a producer process on the source broker (a persistent topic with mirror.channel) at full",
        "               speed, a consumer process on the mirror broker; vs an Aeron UDP publication and",
        "               subscription (two processes, a standalone media driver per side, as each broker embeds one)",
        "  latency      the same at --rate messages/s: source commit (frame timestamp) to the mirror consumer's",
        "               handler, p50/p90/p99/p99.9/max; vs Aeron (offer time in the message, same clock)",
        "  catch-up     a new mirror catching up --catch-up-mib archived at the source, vs raw sendfile of the",
        "               same segment files to a loopback socket",
        "Writes bench-results/mirror-<timestamp>.md with .json and .csv beside it.",
        "",
        "  --quick              a smoke run: fewer messages, catch-up of 256 MiB (about 1 minute)",
        "  --sizes LIST         message sizes in bytes                          (default 64,1024)",
        "  --messages N         measured messages per throughput run   (default 2m, 1 KiB: 1m; --quick 300k)",
        "  --rate N             messages/s of the latency runs                  (default 10000)",
        "  --latency-samples N  measured messages per latency run         (default 100k; --quick 20k)",
        "  --catch-up-mib N     archived bytes a new mirror catches up          (default 1024; --quick 256)",
        "  --capacity SIZE      ring capacity of both brokers' topic            (default 8m)",
        "  --segment-length SIZE segment length of both brokers                 (default 64m)",
        "  --idle S             the producer's and consumer's idle strategy: busy-spin|yield (default yield)",
        "  --parts LIST         throughput,latency,catch-up                     (default all three)",
        "  --data-dir DIR       parent of the brokers' directories              (default /dev/shm, or",
        "                       target/bench-data when /dev/shm has too little room)",
        "  --jvm-opt OPT        extra option for every child JVM (repeatable)",
        "  --out FILE           the report (default bench-results/mirror-<yyyyMMdd-HHmmss>.md)",
        "  --verbose            echo every child's output",
        "  --help               this text");

    static final List<String> ALL_PARTS = List.of("throughput", "latency", "catch-up");

    boolean help;
    boolean quick;
    boolean verbose;
    List<Integer> sizes = List.of(64, 1024);
    Long messages;
    long rate = 10_000;
    long latencySamples;
    long catchUpMiB;
    long capacity = 8L << 20;
    long segmentLength = 64L << 20;
    String idle = "yield";
    List<String> parts = ALL_PARTS;
    Path dataDir;
    Path out;
    final List<String> jvmOptions = new ArrayList<>();

    static MirrorOptions parse(final String[] args)
    {
        final MirrorOptions options = new MirrorOptions();
        Long samples = null;
        Long catchUp = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    options.help = true;
                    break;
                case "--quick":
                    options.quick = true;
                    break;
                case "--verbose":
                    options.verbose = true;
                    break;
                case "--sizes":
                    options.sizes = BenchOptions.sizes(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--messages":
                    options.messages = BenchOptions.count(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--rate":
                    options.rate = BenchOptions.count(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--latency-samples":
                    samples = BenchOptions.count(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--catch-up-mib":
                    catchUp = BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 64 * 1024);
                    break;
                case "--capacity":
                    options.capacity = size(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--segment-length":
                    options.segmentLength = size(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--idle":
                    options.idle = BenchOptions.idle(BenchOptions.value(args, ++i, arg));
                    break;
                case "--parts":
                    options.parts = parts(BenchOptions.value(args, ++i, arg));
                    break;
                case "--data-dir":
                    options.dataDir = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                case "--jvm-opt":
                    options.jvmOptions.add(BenchOptions.value(args, ++i, arg));
                    break;
                case "--out":
                    options.out = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        for (final int size : options.sizes)
        {
            if (size < 16)
            {
                throw new IllegalArgumentException("--sizes: a message carries a sequence and a time stamp: at " +
                    "least 16 bytes, not " + size);
            }
        }
        options.latencySamples = null != samples ? samples : options.quick ? 20_000 : 100_000;
        options.catchUpMiB = null != catchUp ? catchUp : options.quick ? 256 : 1024;
        return options;
    }

    /** Measured messages of a throughput run at this size. */
    long messages(final int size)
    {
        if (null != messages)
        {
            return messages;
        }
        return quick ? 300_000 : size >= 1024 ? 1_000_000 : 2_000_000;
    }

    /** Unmeasured messages before each run's measured ones: a tenth, at least 10,000. */
    static long warmup(final long measured)
    {
        return Math.max(10_000, measured / 10);
    }

    /** Unmeasured messages before a latency run's measured ones: a tenth, at least 1,000. */
    static long latencyWarmup(final long measured)
    {
        return Math.max(1_000, measured / 10);
    }

    boolean runs(final String part)
    {
        return parts.contains(part);
    }

    private static long size(final String option, final String text)
    {
        try
        {
            return Sizes.parse(option, text);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(option + ": not a size (e.g. 8m, 65536): '" + text + "'");
        }
    }

    private static List<String> parts(final String text)
    {
        final List<String> parts = new ArrayList<>();
        for (final String part : text.split(","))
        {
            if (!ALL_PARTS.contains(part.trim()))
            {
                throw new IllegalArgumentException("--parts: unknown part '" + part + "' (one of " + ALL_PARTS + ")");
            }
            parts.add(part.trim());
        }
        return parts;
    }
}
