package io.shmbus.bench;

import io.shmbus.bench.jmh.ThreadCpuProfiler;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Command-line options of {@code scripts/bench jmh}: {@code --quick}, {@code --help}, and any JMH options, which
 * JMH parses itself and which win over the defaults of a full run (about 10 minutes) or of {@code --quick} (about
 * 2 minutes). Two profilers always run: JMH's GC profiler, whose {@code gc.alloc.rate.norm} is the report's bytes
 * per operation, and {@link ThreadCpuProfiler}, the CPU time per operation, which a shared machine disturbs less
 * than the wall-clock score.
 */
final class JmhOptions
{
    /** The benchmarks run when no JMH include pattern is given. */
    static final String BENCHMARKS = "io\\.shmbus\\.bench\\.jmh\\.";

    static final String USAGE = String.join("\n",
        "usage: scripts/bench jmh [--quick] [JMH options] [benchmark regexp ...]",
        "",
        "JMH benchmarks of the in-process hot path, each on a real topic log in /dev/shm: shared and exclusive",
        "producer offer and tryClaim+commit at 32 B and 1 KiB with and without CRC32C (PublishBenchmark), a",
        "consumer's poll of one message and of a batch (PollBenchmark), the stored frame walk and header check over",
        "a segment in memory (StoredFrameBenchmark), a frame timestamp from the system and the broker's clock",
        "(ClockBenchmark). Writes the JMH results as JSON and a report with ns/op and",
        "CPU ns/op (the worker threads' CPU time), each with its 99.9% error, and the bytes allocated per op",
        "(-prof gc) to bench-results/jmh-<timestamp>.md and .json.",
        "About 10 minutes; --quick for about 2.",
        "",
        "  --quick          1 fork, 4 warmup iterations of 400 ms and 8 measured of 200 ms",
        "                   (default: 2 forks, 3 warmup iterations of 1 s and 10 measured of 500 ms)",
        "  --help           this text",
        "",
        "Any other argument goes to JMH and wins over the defaults above, e.g.",
        "  scripts/bench jmh --quick PublishBenchmark.offer -p size=32   one benchmark, one size",
        "  scripts/bench jmh -f 3 -i 20                                  more forks and iterations",
        "  scripts/bench jmh -lp                                         list the benchmarks and parameters",
        "  scripts/bench jmh -h                                          JMH's own options",
        "-rf/-rff choose another results format or file; the report is written either way.",
        "Scratch files go to /dev/shm; -jvmArgsAppend -Dshmbus.bench.jmh.dir=DIR puts them elsewhere.");

    final boolean help;
    final boolean quick;
    final CommandLineOptions jmh;
    final List<String> jmhArgs;

    private JmhOptions(final boolean help, final boolean quick, final List<String> jmhArgs,
        final CommandLineOptions jmh)
    {
        this.help = help;
        this.quick = quick;
        this.jmhArgs = jmhArgs;
        this.jmh = jmh;
    }

    /**
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static JmhOptions parse(final String[] args)
    {
        boolean help = false;
        boolean quick = false;
        final List<String> rest = new ArrayList<>();
        for (final String arg : args)
        {
            switch (arg)
            {
                case "--help" -> help = true;
                case "--quick" -> quick = true;
                default -> rest.add(arg);
            }
        }
        try
        {
            return new JmhOptions(help, quick, List.copyOf(rest), new CommandLineOptions(rest.toArray(new String[0])));
        }
        catch (final CommandLineOptionException ex)
        {
            throw new IllegalArgumentException("bad JMH option in " + rest + ": " + ex.getMessage());
        }
    }

    /** True when the JMH options ask for something other than a run: its help, or a listing. */
    boolean jmhOnlyLists()
    {
        return jmh.shouldHelp() || jmh.shouldList() || jmh.shouldListWithParams() || jmh.shouldListProfilers() ||
            jmh.shouldListResultFormats();
    }

    /**
     * The options of the run: the user's JMH options, then this run's defaults where they said nothing.
     *
     * @param report the Markdown report; the results file is written beside it unless the user named one.
     */
    Options toJmh(final Path report)
    {
        final OptionsBuilder b = new OptionsBuilder();
        b.parent(jmh);
        if (jmh.getIncludes().isEmpty())
        {
            b.include(BENCHMARKS);
        }
        if (!jmh.getForkCount().hasValue())
        {
            b.forks(quick ? 1 : 2);
        }
        // Many short measured iterations rather than a few long ones: the 99.9% interval of n samples is
        // Student's t(n-1) standard errors wide, 31.6 of them for 3 samples and under 5 from 10.
        if (!jmh.getWarmupIterations().hasValue())
        {
            b.warmupIterations(quick ? 4 : 3);
        }
        if (!jmh.getWarmupTime().hasValue())
        {
            b.warmupTime(quick ? TimeValue.milliseconds(400) : TimeValue.seconds(1));
        }
        if (!jmh.getMeasurementIterations().hasValue())
        {
            b.measurementIterations(quick ? 8 : 10);
        }
        if (!jmh.getMeasurementTime().hasValue())
        {
            b.measurementTime(quick ? TimeValue.milliseconds(200) : TimeValue.milliseconds(500));
        }
        if (jmh.getProfilers().stream().noneMatch(p -> Arrays.asList("gc", GCProfiler.class.getName())
            .contains(p.getKlass())))
        {
            b.addProfiler(GCProfiler.class);
        }
        if (jmh.getProfilers().stream().noneMatch(p -> ThreadCpuProfiler.class.getName().equals(p.getKlass())))
        {
            b.addProfiler(ThreadCpuProfiler.class);
        }
        final ResultFormatType format = jmh.getResultFormat().orElse(ResultFormatType.JSON);
        b.resultFormat(format);
        b.result(resultFile(report).toString());
        return b.build();
    }

    /** Where the JMH results go: the user's {@code -rff}, else beside the report with the format's extension. */
    Path resultFile(final Path report)
    {
        if (jmh.getResult().hasValue())
        {
            return Path.of(jmh.getResult().get());
        }
        final ResultFormatType format = jmh.getResultFormat().orElse(ResultFormatType.JSON);
        return ResultsFile.sibling(report, "." + format.name().toLowerCase(Locale.ROOT));
    }
}
