package io.shmbus.bench;

import io.shmbus.client.Sizes;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Command-line options of {@code scripts/bench ipc}, with the defaults of a full run (about twenty minutes on two
 * cores) and of {@code --quick} (52 runs, two to three minutes: most of a run is starting its JVMs).
 */
final class BenchOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench ipc [options]",
        "",
        "Runs shmbus (shared and exclusive producers) and Aeron IPC (concurrent and exclusive publications) in the",
        "same shapes, each producer, consumer, ping, pong, shmbus broker and Aeron media driver in its own JVM",
        "process, and prints comparison tables: the shared producer against the concurrent publication in every",
        "shape, the exclusive producer against the exclusive publication with one producer.",
        "Writes bench-results/ipc-<timestamp>.md with .json and .csv results and .png plots beside it.",
        "",
        "  --quick                  smoke run of two to three minutes (fewer messages and samples, 1 run)",
        "  --shapes LIST            throughput shapes PRODUCERSxCONSUMERS[/IDLE]: producer processes into one topic,",
        "                           consumer processes each reading all of it; the exclusive systems run only",
        "                           with one producer",
        "                           (default 1x1,2x1,4x1,1x4,1x1/yield)",
        "  --sizes LIST             message sizes in bytes of the first shape (default 32,256,1024,4096,16384,65536)",
        "  --shape-sizes LIST       message sizes of the other shapes         (default 32,1024,16384; quick 32,4096)",
        "  --messages N[,N...]      measured messages per size (all producers together), one value for all sizes",
        "                           or one per --sizes entry; k/m suffixes are decimal",
        "                           (default by size: 32 B 20m, 256 B 8m, 1 KiB 4m, 4 KiB 1m, 16 KiB 300k,",
        "                           64 KiB 80k; quick a tenth)",
        "  --warmup N[,N...]        warmup messages before each measured batch (default: a quarter of --messages)",
        "  --runs N                 repetitions of every measurement; the median is reported (default 3; quick 1)",
        "  --latency-samples N      ping-pong round trips recorded per run      (default 1m; quick 300k)",
        "  --latency-warmup N       round trips before recording               (default 200k; quick 50k)",
        "  --latency-size N         ping-pong message size in bytes            (default 32)",
        "  --latency-max-seconds S  stop a ping-pong run after S seconds and report what it recorded, marked",
        "                           partial (a busy machine makes round trips slow) (default 20; quick 10)",
        "  --capacity SIZE          shmbus ring and Aeron IPC term length       (default 4m)",
        "  --fragment-limit N       messages per poll, both systems            (default 256)",
        "  --idle busy-spin|no-op|yield  idle strategy of every loop whose shape names none, also on back",
        "                           pressure (default busy-spin; yield lets a driver thread run on few cores)",
        "  --systems LIST           shmbus,shmbus-exclusive,aeron-exclusive,aeron-concurrent,raw-shm (default all):",
        "                           shmbus is the shared producer, shmbus-exclusive the exclusive producer; raw-shm",
        "                           is the latency floor, a bare single-producer single-consumer ring in shared memory",
        "  --tests LIST             throughput,latency                         (default both)",
        "  --jvm-opt OPT            extra option for every child JVM (repeatable),",
        "                           e.g. -Dagrona.disable.bounds.checks=true",
        "  --timeout SEC            deadline for each run's result              (default scales with --messages)",
        "  --out FILE               also write the report here    (default bench-results/ipc-<yyyyMMdd-HHmmss>.md)",
        "  --no-plots               write no .png plots",
        "  --verbose                echo every child's output",
        "  --help                   this text");

    enum Test
    {
        THROUGHPUT, LATENCY
    }

    boolean help;
    boolean quick;
    private static final long MIN_WARMUP = 2_000;

    static final List<Integer> DEFAULT_SIZES = List.of(32, 256, 1024, 4096, 16384, 65536);
    static final String DEFAULT_SHAPES = "1x1,2x1,4x1,1x4,1x1/yield";

    List<Integer> sizes = DEFAULT_SIZES;
    List<Integer> shapeSizes;
    List<IpcShape> shapes;
    boolean plots = true;
    long[] messages;
    private String messagesText;
    private String warmupText;
    long[] warmup;
    int runs;
    long latencySamples;
    long latencyWarmup;
    int latencySize = 32;
    int latencyMaxSeconds;
    int capacity = 4 * 1024 * 1024;
    int fragmentLimit = 256;
    String idle = "busy-spin";
    Set<BenchSystem> systems = EnumSet.allOf(BenchSystem.class);
    Set<Test> tests = EnumSet.allOf(Test.class);
    final List<String> jvmOptions = new ArrayList<>();
    long timeoutSec;
    Path out;
    boolean verbose;

    /**
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static BenchOptions parse(final String[] args)
    {
        final BenchOptions o = new BenchOptions();
        String messages = null;
        String warmup = null;
        Integer runs = null;
        Long latencySamples = null;
        Long latencyWarmup = null;
        Integer latencyMaxSeconds = null;
        String shapes = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    o.help = true;
                    break;
                case "--quick":
                    o.quick = true;
                    break;
                case "--verbose":
                    o.verbose = true;
                    break;
                case "--sizes":
                    o.sizes = sizes(arg, value(args, ++i, arg));
                    break;
                case "--shape-sizes":
                    o.shapeSizes = sizes(arg, value(args, ++i, arg));
                    break;
                case "--shapes":
                    shapes = value(args, ++i, arg);
                    break;
                case "--no-plots":
                    o.plots = false;
                    break;
                case "--messages":
                    messages = value(args, ++i, arg);
                    break;
                case "--warmup":
                    warmup = value(args, ++i, arg);
                    break;
                case "--runs":
                    runs = positiveInt(arg, value(args, ++i, arg));
                    break;
                case "--latency-samples":
                    latencySamples = count(arg, value(args, ++i, arg));
                    break;
                case "--latency-warmup":
                    latencyWarmup = count(arg, value(args, ++i, arg));
                    break;
                case "--latency-max-seconds":
                    latencyMaxSeconds = positiveInt(arg, value(args, ++i, arg));
                    break;
                case "--latency-size":
                    o.latencySize = positiveInt(arg, value(args, ++i, arg));
                    break;
                case "--capacity":
                    o.capacity = (int)Sizes.parse(arg, value(args, ++i, arg));
                    break;
                case "--fragment-limit":
                    o.fragmentLimit = positiveInt(arg, value(args, ++i, arg));
                    break;
                case "--idle":
                    o.idle = idle(value(args, ++i, arg));
                    break;
                case "--systems":
                    o.systems = EnumSet.noneOf(BenchSystem.class);
                    for (final String s : value(args, ++i, arg).split(","))
                    {
                        o.systems.add(BenchSystem.parse(s));
                    }
                    break;
                case "--tests":
                    o.tests = EnumSet.noneOf(Test.class);
                    for (final String s : value(args, ++i, arg).split(","))
                    {
                        try
                        {
                            o.tests.add(Test.valueOf(s.trim().toUpperCase(Locale.ROOT)));
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            throw new IllegalArgumentException("--tests takes throughput and/or latency: '" + s + "'");
                        }
                    }
                    break;
                case "--jvm-opt":
                    o.jvmOptions.add(value(args, ++i, arg));
                    break;
                case "--timeout":
                    o.timeoutSec = positiveInt(arg, value(args, ++i, arg));
                    break;
                case "--out":
                    o.out = Paths.get(value(args, ++i, arg));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }

        final long[] defaultMessages = new long[o.sizes.size()];
        for (int i = 0; i < defaultMessages.length; i++)
        {
            defaultMessages[i] = defaultMessages(o.sizes.get(i), o.quick);
        }
        o.messages = perSize(o.sizes, messages, defaultMessages, "--messages");
        o.messagesText = messages;
        o.warmupText = warmup;
        o.warmup = warmup(o.sizes, o.messages, warmup, MIN_WARMUP);
        o.shapes = IpcShape.parseList(null != shapes ? shapes : DEFAULT_SHAPES, o.idle);
        if (null == o.shapeSizes)
        {
            o.shapeSizes = o.quick ? List.of(32, 4096) : List.of(32, 1024, 16384);
        }
        if (o.latencySize < 16)
        {
            throw new IllegalArgumentException("--latency-size must be at least 16 bytes (timestamp, sequence)");
        }
        o.runs = null != runs ? runs : o.quick ? 1 : 3;
        o.latencySamples = null != latencySamples ? latencySamples : o.quick ? 300_000 : 1_000_000;
        o.latencyWarmup = null != latencyWarmup ? latencyWarmup : o.quick ? 50_000 : 200_000;
        o.latencyMaxSeconds = null != latencyMaxSeconds ? latencyMaxSeconds : o.quick ? 10 : 20;
        return o;
    }

    /** The message sizes a shape is measured at: the first shape at {@link #sizes}, the others at shape sizes. */
    List<Integer> sizesOf(final IpcShape shape)
    {
        return shapes.indexOf(shape) == 0 ? sizes : shapeSizes;
    }

    /**
     * Measured messages of a shape at a size, all producers together: from {@code --messages} for a size it lists,
     * else the default for the size; by default a shape of more processes than the first shape's two moves fewer
     * (divided by the processes beyond one), as each process beyond two takes its CPU time from the others.
     */
    long messagesAt(final IpcShape shape, final int size)
    {
        final int i = sizes.indexOf(size);
        if (i >= 0 && null != messagesText)
        {
            return messages[i];
        }
        final long base = i >= 0 ? messages[i] : defaultMessages(size, quick);
        return Math.max(1_000, base / Math.max(1, shape.producers() + shape.consumers() - 1));
    }

    /** Warmup messages of a shape at a size, as {@link #messagesAt}. */
    long warmupAt(final IpcShape shape, final int size)
    {
        final int i = sizes.indexOf(size);
        if (i >= 0 && null != warmupText)
        {
            return warmup[i];
        }
        return Math.max(MIN_WARMUP, messagesAt(shape, size) / 4);
    }

    /**
     * The default measured message count at a size: about a second of shmbus at 1 → 1 on two cores, from 20 M at
     * 32 B down to 80 k at 64 KiB, fewer (by a byte budget) above; a tenth of it with {@code --quick}.
     */
    static long defaultMessages(final int size, final boolean quick)
    {
        final long full;
        if (size <= 32)
        {
            full = 20_000_000;
        }
        else if (size <= 256)
        {
            full = 8_000_000;
        }
        else if (size <= 1024)
        {
            full = 4_000_000;
        }
        else if (size <= 4096)
        {
            full = 1_000_000;
        }
        else if (size <= 16384)
        {
            full = 300_000;
        }
        else
        {
            full = Math.max(1_000, 80_000L * 65536 / size);
        }
        return quick ? Math.max(1_000, full / 10) : full;
    }

    /** Deadline for the result of a run moving this many messages: generous, but finite. */
    long runTimeoutMs(final long messageCount)
    {
        if (timeoutSec > 0)
        {
            return timeoutSec * 1000;
        }
        return 60_000 + messageCount / 200; // 60 s plus 5 us a message
    }

    /** {@code --sizes}: message sizes in bytes, comma-separated, each at least 8 (the sequence number). */
    static List<Integer> sizes(final String option, final String text)
    {
        final List<Integer> sizes = new ArrayList<>();
        for (final String s : text.split(","))
        {
            final int size = positiveInt(option, s);
            if (size < 8)
            {
                throw new IllegalArgumentException("message sizes must be at least 8 bytes (sequence number)");
            }
            sizes.add(size);
        }
        return sizes;
    }

    /** {@code --idle}: the loops' idle strategy. */
    static String idle(final String text)
    {
        if (!text.equals("busy-spin") && !text.equals("no-op") && !text.equals("yield"))
        {
            throw new IllegalArgumentException("--idle must be busy-spin, no-op or yield: '" + text + "'");
        }
        return text;
    }

    /**
     * The warmup per size: {@code --warmup} when given ({@code text}, else null), by default a quarter of the
     * messages but at least {@code minWarmup}. Checks the message counts too: a rate needs at least 2 messages.
     */
    static long[] warmup(
        final List<Integer> sizes, final long[] messages, final String text, final long minWarmup)
    {
        long[] warmup = new long[sizes.size()];
        for (int i = 0; i < warmup.length; i++)
        {
            warmup[i] = Math.max(minWarmup, messages[i] / 4);
        }
        if (null != text)
        {
            warmup = perSize(sizes, text, warmup, "--warmup");
        }
        for (final long count : messages)
        {
            if (count < 2)
            {
                throw new IllegalArgumentException("--messages must be at least 2 (first to last message)");
            }
        }
        return warmup;
    }

    static long[] perSize(
        final List<Integer> sizes, final String text, final long[] defaults, final String what)
    {
        final long[] values = new long[sizes.size()];
        if (null == text)
        {
            for (int i = 0; i < values.length; i++)
            {
                values[i] = defaults[Math.min(i, defaults.length - 1)];
            }
            return values;
        }
        final String[] parts = text.split(",");
        if (parts.length != 1 && parts.length != sizes.size())
        {
            throw new IllegalArgumentException(what + " takes one value or one per size (" + sizes.size() +
                "): '" + text + "'");
        }
        for (int i = 0; i < values.length; i++)
        {
            values[i] = count(what, parts[parts.length == 1 ? 0 : i]);
        }
        return values;
    }

    /** A count with an optional decimal suffix: 500, 200k, 1.5m, 2g. */
    static long count(final String what, final String text)
    {
        final String s = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
        double multiplier = 1;
        String digits = s;
        if (s.endsWith("k") || s.endsWith("m") || s.endsWith("g"))
        {
            multiplier = s.endsWith("k") ? 1e3 : s.endsWith("m") ? 1e6 : 1e9;
            digits = s.substring(0, s.length() - 1);
        }
        try
        {
            final double value = Double.parseDouble(digits) * multiplier;
            if (value < 0 || value > 1e15 || value != Math.rint(value))
            {
                throw new NumberFormatException();
            }
            return (long)value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(what + " must be a count such as 500, 200k or 1.5m: '" + text + "'");
        }
    }

    static int positiveInt(final String what, final String text)
    {
        try
        {
            final int value = Integer.parseInt(text.trim());
            if (value > 0)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException(what + " must be a positive integer: '" + text + "'");
    }

    /**
     * A whole number from 1 to {@code max}.
     *
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static long wholeNumber(final String option, final String value, final long max)
    {
        try
        {
            final long n = Long.parseLong(value.trim());
            if (n >= 1 && n <= max)
            {
                return n;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number from 1 to " + max + ": '" + value + "'");
    }

    static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    public String toString()
    {
        return "sizes=" + sizes + " messages=" + Arrays.toString(messages) + " warmup=" + Arrays.toString(warmup) +
            " runs=" + runs;
    }
}
