package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/bench all}: the IPC, persistence and replay benchmarks one after the other in one invocation, into
 * one directory: each part's own report, results file and plots, and a summary of the whole run (the headline
 * figures, every goal with its measured ratio, the plots) as Markdown, JSON and CSV. Each part runs in this JVM as
 * its own entry point would, with its own child processes, cleaned up when it ends. The main thread.
 */
public final class BenchSuite
{
    private final SuiteOptions options;
    private final String commandLine;
    private final long startNs = System.nanoTime();
    private final Map<SuiteOptions.Part, ResultsFile> partResults = new LinkedHashMap<>();
    private final Map<SuiteOptions.Part, Path> partReports = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private Path dir;

    BenchSuite(final SuiteOptions options, final String commandLine)
    {
        this.options = options;
        this.commandLine = commandLine;
    }

    public static void main(final String[] args)
    {
        final SuiteOptions options = BenchMain.options("bench all", args, SuiteOptions::parse, o -> o.help,
            SuiteOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final String command = BenchMain.commandLine(BenchSuite.class, args);
        System.exit(new BenchSuite(options, command).run());
    }

    /** The directory this run wrote into; null before {@link #run()}. */
    Path directory()
    {
        return dir;
    }

    Map<SuiteOptions.Part, ResultsFile> partResults()
    {
        return partResults;
    }

    List<String> failures()
    {
        return failures;
    }

    /**
     * Runs every part, then writes and prints the summary.
     *
     * @return 0 when every part succeeded and every file was written.
     */
    int run()
    {
        final LocalDateTime started = LocalDateTime.now();
        final Path parent = null != options.outDir ? options.outDir : BenchMain.root().resolve("bench-results");
        dir = parent.resolve("all-" + BenchMain.stamp(started));
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        BenchConsole.opening("bench all", commandLine, machine, loadBefore, "parts " + partIds() + (options.quick ?
            ", each --quick" : "") + "; everything into " + dir);
        int n = 0;
        for (final SuiteOptions.Part part : options.parts)
        {
            n++;
            BenchConsole.progress(startNs, "bench all: part " + n + "/" + options.parts.size() + ": " + part.id() +
                " (load average " + MachineInfo.loadAverage() + ")");
            final Path report = dir.resolve(part.id() + ".md");
            partReports.put(part, report);
            final String[] args = options.partArgs(part, report).toArray(new String[0]);
            final String partCommand = commandLine + " [part " + part.id() + ": " + String.join(" ", args) + "]";
            try
            {
                runPart(part, args, partCommand);
            }
            catch (final RuntimeException ex)
            {
                failures.add(part.id() + ": " + ex);
                BenchConsole.progress(startNs, "bench all: part " + part.id() + " FAILED: " + ex);
            }
        }

        final Invocation invocation = new Invocation(machine, commandLine, List.of(), started, loadBefore,
            MachineInfo.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final ResultsFile all = new ResultsFile().meta("benchmark", "all");
        IpcFigures.invocationMeta(all, invocation);
        partResults.forEach((part, results) ->
        {
            all.metaFrom(part.id() + ".", results);
            all.addAll(results);
        });
        final String summary = new SuiteSummary(options, invocation, partResults, partReports, failures).render();
        final Path summaryFile = dir.resolve("summary.md");
        if (!BenchConsole.writeReport("bench all", summary, summaryFile) ||
            !writeResults(all, dir.resolve("results.md")))
        {
            return 1;
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private void runPart(final SuiteOptions.Part part, final String[] args, final String partCommand)
    {
        final int exitCode;
        switch (part)
        {
            case IPC:
            {
                final IpcBenchmark benchmark = new IpcBenchmark(BenchOptions.parse(args), partCommand);
                exitCode = benchmark.run();
                record(part, benchmark.resultsFile());
                break;
            }
            case PERSIST:
            case PERSIST_YIELD:
            {
                final PersistBenchmark benchmark = new PersistBenchmark(PersistOptions.parse(args), partCommand);
                exitCode = benchmark.run();
                record(part, benchmark.resultsFile());
                break;
            }
            case REPLAY:
            {
                final ReplayBenchmark.Outcome outcome = ReplayBenchmark.report(ReplayBenchOptions.parse(args),
                    partCommand, System.out);
                exitCode = outcome.exitCode();
                record(part, outcome.resultsFile());
                break;
            }
            default:
                throw new IllegalStateException("unknown part " + part);
        }
        if (0 != exitCode)
        {
            failures.add(part.id() + ": exit code " + exitCode + ", see " + partReports.get(part).getFileName());
        }
    }

    private void record(final SuiteOptions.Part part, final ResultsFile results)
    {
        if (null != results)
        {
            partResults.put(part, results);
        }
    }

    private static boolean writeResults(final ResultsFile results, final Path besideMarkdown)
    {
        try
        {
            results.writeBeside(besideMarkdown);
            System.out.println("results written to " + ResultsFile.sibling(besideMarkdown, ".json") + " and .csv");
            return true;
        }
        catch (final IOException ex)
        {
            System.err.println("bench all: cannot write " + besideMarkdown + ": " + ex);
            return false;
        }
    }

    private String partIds()
    {
        final List<String> ids = new ArrayList<>();
        options.parts.forEach(part -> ids.add(part.id()));
        return String.join(",", ids);
    }
}
