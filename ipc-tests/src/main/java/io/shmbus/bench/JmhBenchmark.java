package io.shmbus.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code scripts/bench jmh}: runs the JMH benchmarks of {@code io.shmbus.bench.jmh} with the defaults of
 * {@link JmhOptions}, lets JMH write its results file, and writes a Markdown report of them ({@link JmhReport}).
 * Options that only ask JMH for a listing or its help are handed to JMH as they are. The main thread.
 */
public final class JmhBenchmark
{
    /** The report's tables in the order a message meets them; JMH sorts by name. */
    private static final List<String> CLASS_ORDER = List.of("PublishBenchmark", "ClockBenchmark", "PollBenchmark",
        "StoredFrameBenchmark");

    private final JmhOptions options;
    private final String commandLine;

    JmhBenchmark(final JmhOptions options, final String commandLine)
    {
        this.options = options;
        this.commandLine = commandLine;
    }

    public static void main(final String[] args) throws Exception
    {
        final JmhOptions options = BenchMain.options("bench jmh", args, JmhOptions::parse, o -> o.help,
            JmhOptions.USAGE);
        if (null == options)
        {
            return;
        }
        if (options.jmhOnlyLists())
        {
            org.openjdk.jmh.Main.main(options.jmhArgs.toArray(new String[0]));
            return;
        }
        final String command = BenchMain.commandLine(JmhBenchmark.class, args);
        System.exit(new JmhBenchmark(options, command).run());
    }

    /**
     * Runs the benchmarks, prints the report and writes it.
     *
     * @return the exit code: 0 when every selected benchmark produced a result and the report was written.
     */
    int run()
    {
        final LocalDateTime started = LocalDateTime.now();
        final long startNs = System.nanoTime();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        final Path report = BenchMain.reportFile(null, "jmh", started);
        final Options jmh = options.toJmh(report);
        final String settings = settings(jmh);
        BenchConsole.opening("bench jmh", commandLine, machine, loadBefore, settings);

        final Collection<RunResult> results;
        try
        {
            report.toAbsolutePath().getParent().toFile().mkdirs();
            results = new Runner(jmh).run();
        }
        catch (final RunnerException ex)
        {
            System.err.println("bench jmh: " + BenchConsole.firstLine(ex.getMessage()));
            return 1;
        }
        final List<JmhRow> rows = new ArrayList<>();
        results.forEach(r -> rows.add(JmhRow.of(r)));
        rows.sort(Comparator.comparingInt(r -> CLASS_ORDER.contains(r.benchmarkClass()) ?
            CLASS_ORDER.indexOf(r.benchmarkClass()) : CLASS_ORDER.size())); // stable: JMH's order within a class
        final List<String> failures = missing(jmh, results);

        final Invocation invocation = new Invocation(machine, commandLine, forkCommand(jmh), started, loadBefore,
            MachineInfo.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final String text = new JmhReport(invocation, settings, options.resultFile(report), rows, failures).render();
        final boolean written = BenchConsole.writeReport("bench jmh", text, report);
        return failures.isEmpty() && written ? 0 : 1;
    }

    /** Forks, iterations and times, as the report's settings line says them. */
    static String settings(final Options jmh)
    {
        return "forks " + jmh.getForkCount().orElse(-1) + ", warmup " + jmh.getWarmupIterations().orElse(-1) +
            " × " + jmh.getWarmupTime().orElse(null) + ", measured " + jmh.getMeasurementIterations().orElse(-1) +
            " × " + jmh.getMeasurementTime().orElse(null) + ", profilers " + jmh.getProfilers() +
            (jmh.getIncludes().equals(List.of(JmhOptions.BENCHMARKS)) ? "" : ", benchmarks " + jmh.getIncludes());
    }

    /** The benchmark methods the options select that produced no result at all. */
    static List<String> missing(final Options jmh, final Collection<RunResult> results)
    {
        final Set<String> planned = new TreeSet<>();
        final PrintStream silent = new PrintStream(PrintStream.nullOutputStream());
        for (final BenchmarkListEntry entry : BenchmarkList.defaultList().find(
            OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT), jmh.getIncludes(),
            jmh.getExcludes()))
        {
            planned.add(entry.getUsername());
        }
        results.forEach(r -> planned.remove(r.getParams().getBenchmark()));
        final List<String> failures = new ArrayList<>();
        planned.forEach(name -> failures.add(name + " produced no result: see JMH's output above"));
        return failures;
    }

    /** The command line of JMH's forks: this JVM's options and class path, and the options to append. */
    private static List<String> forkCommand(final Options jmh)
    {
        final List<String> command = new ArrayList<>();
        command.add("java");
        command.addAll(jmh.getJvmArgs().orElse(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.addAll(jmh.getJvmArgsAppend().orElse(List.of()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("org.openjdk.jmh.runner.ForkedMain");
        return command;
    }
}
