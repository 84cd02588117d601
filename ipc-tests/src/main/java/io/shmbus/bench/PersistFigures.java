package io.shmbus.bench;

import org.jfree.chart.JFreeChart;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one {@code scripts/bench persist} invocation as data: a row per run and the medians (messages and
 * megabytes per second by system and size), the ratios taken within each round, the goals, and the plot of the rates
 * by size. The parent's main thread.
 */
final class PersistFigures
{
    static final String BENCHMARK = "persist";
    /** Persisted ÷ non-persisted, where the archiver has a CPU of its own. */
    static final double PERSISTED_GOAL = 1 - PersistReport.MAX_PERSISTENCE_COST;

    private final PersistOptions options;
    private final PersistResults results;
    private final Invocation invocation;
    private final ResultsFile file = new ResultsFile();

    PersistFigures(final PersistOptions options, final PersistResults results, final Invocation invocation)
    {
        this.options = options;
        this.results = results;
        this.invocation = invocation;
        file.meta("benchmark", BENCHMARK);
        IpcFigures.invocationMeta(file, invocation);
        file.meta("runs", Integer.toString(options.runs));
        file.meta("capacityBytes", Integer.toString(options.capacity));
        results.chronicleSettings.forEach((key, value) -> file.meta("chronicle." + key, value));
        rows();
        goals();
    }

    ResultsFile resultsFile()
    {
        return file;
    }

    /** End-to-end MB/s by message size, a bar per system. */
    JFreeChart plot()
    {
        final Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
        for (final PersistSystem system : options.systems)
        {
            final Map<String, Double> bySize = new LinkedHashMap<>();
            for (final int size : options.sizes)
            {
                bySize.put(MarkdownReport.mib(size), PersistResults.median(results.values(system, size,
                    PersistRun::megabytesPerSecond)));
            }
            bars.put(system.label(), bySize);
        }
        return BenchPlots.bars("Publish to a tailing consumer: non-persistent, persistent, Chronicle Queue",
            IpcFigures.machineText(invocation) + "; 1 producer process → 1 consumer process, median of " +
            options.runs + " round(s)", "message size", "payload MB/s (end to end)", bars, Double.NaN);
    }

    private void rows()
    {
        for (final PersistRun run : results.runs)
        {
            final double rate = run.ok() ? run.messagesPerSecond() : Double.NaN;
            row(run.system().id(), run.size(), "msgs_per_s", "1/s", "run " + run.round(), rate);
            row(run.system().id(), run.size(), "mb_per_s", "MB/s", "run " + run.round(), rate * run.size() / 1e6);
        }
        for (final int size : options.sizes)
        {
            for (final PersistSystem system : options.systems)
            {
                row(system.id(), size, "msgs_per_s", "1/s", "median", PersistResults.median(results.values(system,
                    size, PersistRun::messagesPerSecond)));
                row(system.id(), size, "mb_per_s", "MB/s", "median", PersistResults.median(results.values(system,
                    size, PersistRun::megabytesPerSecond)));
            }
            if (options.systems.contains(PersistSystem.SHMBUS_PERSISTENT))
            {
                for (final PersistSystem other : new PersistSystem[]{PersistSystem.SHMBUS, PersistSystem.CHRONICLE})
                {
                    if (options.systems.contains(other))
                    {
                        row(PersistSystem.SHMBUS_PERSISTENT.id() + "÷" + other.id(), size, "ratio", "x", "median",
                            ratio(other, size));
                    }
                }
            }
        }
    }

    /** shmbus persistent ÷ another system at a size: the median of the ratios taken within each round. */
    double ratio(final PersistSystem denominator, final int size)
    {
        return PersistResults.median(results.roundRatios(PersistSystem.SHMBUS_PERSISTENT, denominator, size));
    }

    private void goals()
    {
        if (!options.systems.contains(PersistSystem.SHMBUS) ||
            !options.systems.contains(PersistSystem.SHMBUS_PERSISTENT))
        {
            return;
        }
        final String where;
        if (!"busy-spin".equals(options.idle))
        {
            where = " (" + options.idle + " loops: the archiver gets a CPU whenever the producer or consumer idles)";
        }
        else
        {
            where = invocation.machine().nproc() <= 2 ? " (busy-spin: here the archiver shares " +
                invocation.machine().nproc() + " CPUs with a spinning producer and consumer)" : " (busy-spin)";
        }
        for (final int size : options.sizes)
        {
            file.goal(new ResultsFile.Goal(BENCHMARK, "persisted ≥ 0.8 × non-persisted where the archiver has a CPU",
                MarkdownReport.mib(size) + where, ratio(PersistSystem.SHMBUS, size), PERSISTED_GOAL, true));
        }
    }

    private void row(final String system, final long size, final String metric, final String unit,
        final String stat, final double value)
    {
        file.add(new ResultsFile.Row(BENCHMARK, "publish", "1x1", system, size, metric, unit, stat, value));
    }
}
