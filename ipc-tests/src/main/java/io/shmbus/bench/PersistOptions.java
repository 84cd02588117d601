package io.shmbus.bench;

import io.shmbus.client.Sizes;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Command-line options of {@code scripts/bench persist}, with the defaults of a full run (a few minutes on two
 * cores) and of {@code --quick}.
 */
final class PersistOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench persist [options]",
        "",
        "Publish throughput from one producer process to one tailing consumer process, in the same run, for shmbus",
        "without persistence, shmbus with a persistent topic (a broker process with --data-dir) and Chronicle Queue;",
        "the archive's lag and the archived byte count are checked. Prints a table with ratios and writes it to",
        "bench-results/persist-<timestamp>.md.",
        "",
        "  --quick                  smoke run (fewer messages, 1 run)",
        "  --sizes LIST             message sizes in bytes                     (default 32,256,1024)",
        "  --messages N[,N...]      measured messages per size, one value for all sizes or one per size;",
        "                           k/m suffixes are decimal                   (default 10m,3m,1m; quick 1m,300k,100k)",
        "  --warmup N[,N...]        warmup messages before each measured batch (default: a quarter of --messages)",
        "  --runs N                 rounds; each round runs every system once, the order alternating between",
        "                           rounds; medians are reported                (default 3; quick 1)",
        "  --systems LIST           shmbus,shmbus-persistent,shmbus-segment,chronicle",
        "                           (default shmbus,shmbus-persistent,chronicle; shmbus-segment fsyncs every",
        "                           128 MiB segment and so measures the disk)",
        "  --data-dir DIR           where segment files and Chronicle queues go, on a real file system, not tmpfs",
        "                           (default target/bench-data; a fresh directory inside it, removed at the end)",
        "  --scan-archive           read every archived frame back (its position, length and type) and count the",
        "                           messages; slow, a read per frame (default: only archives up to 64 MiB)",
        "  --capacity SIZE          shmbus ring per topic                       (default 4m)",
        "  --fragment-limit N       messages per poll, every system            (default 256)",
        "  --idle busy-spin|no-op|yield  idle strategy of every producer/consumer loop (default busy-spin)",
        "  --jvm-opt OPT            extra option for every child JVM (repeatable)",
        "  --timeout SEC            deadline for each run's result              (default scales with --messages)",
        "  --out FILE               write the report here (default bench-results/persist-<yyyyMMdd-HHmmss>.md),",
        "                           with .json, .csv and -rates.png beside it",
        "  --no-plots               draw no plot",
        "  --verbose                echo every child's output",
        "  --help                   this text");

    boolean help;
    boolean quick;
    List<Integer> sizes = List.of(32, 256, 1024);
    long[] messages;
    long[] warmup;
    int runs;
    Set<PersistSystem> systems = EnumSet.of(PersistSystem.SHMBUS, PersistSystem.SHMBUS_PERSISTENT,
        PersistSystem.CHRONICLE);
    Path dataDir;
    int capacity = 4 * 1024 * 1024;
    int fragmentLimit = 256;
    String idle = "busy-spin";
    final List<String> jvmOptions = new ArrayList<>();
    long timeoutSec;
    Path out;
    boolean verbose;
    boolean scanArchive;
    boolean plots = true;

    /**
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static PersistOptions parse(final String[] args)
    {
        final PersistOptions o = new PersistOptions();
        String messages = null;
        String warmup = null;
        Integer runs = null;
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
                case "--scan-archive":
                    o.scanArchive = true;
                    break;
                case "--no-plots":
                    o.plots = false;
                    break;
                case "--sizes":
                    o.sizes = BenchOptions.sizes(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--messages":
                    messages = BenchOptions.value(args, ++i, arg);
                    break;
                case "--warmup":
                    warmup = BenchOptions.value(args, ++i, arg);
                    break;
                case "--runs":
                    runs = BenchOptions.positiveInt(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--systems":
                    o.systems = EnumSet.noneOf(PersistSystem.class);
                    for (final String s : BenchOptions.value(args, ++i, arg).split(","))
                    {
                        o.systems.add(PersistSystem.parse(s));
                    }
                    break;
                case "--data-dir":
                    o.dataDir = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                case "--capacity":
                    o.capacity = (int)Sizes.parse(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--fragment-limit":
                    o.fragmentLimit = BenchOptions.positiveInt(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--idle":
                    o.idle = BenchOptions.idle(BenchOptions.value(args, ++i, arg));
                    break;
                case "--jvm-opt":
                    o.jvmOptions.add(BenchOptions.value(args, ++i, arg));
                    break;
                case "--timeout":
                    o.timeoutSec = BenchOptions.positiveInt(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--out":
                    o.out = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }

        final long[] defaultMessages = o.quick ? new long[]{1_000_000, 300_000, 100_000} :
            new long[]{10_000_000, 3_000_000, 1_000_000};
        o.messages = BenchOptions.perSize(o.sizes, messages, defaultMessages, "--messages");
        o.warmup = BenchOptions.warmup(o.sizes, o.messages, warmup, 1_000);
        if (o.systems.isEmpty())
        {
            throw new IllegalArgumentException("--systems names no system");
        }
        o.runs = null != runs ? runs : o.quick ? 1 : 3;
        return o;
    }

    /** Deadline for the result of a run moving this many messages: generous, but finite. */
    long runTimeoutMs(final long messageCount)
    {
        if (timeoutSec > 0)
        {
            return timeoutSec * 1000;
        }
        return 60_000 + messageCount / 100; // 60 s plus 10 us a message: the disk may be slow
    }

    public String toString()
    {
        return "sizes=" + sizes + " messages=" + Arrays.toString(messages) + " warmup=" + Arrays.toString(warmup) +
            " runs=" + runs + " systems=" + systems;
    }
}
