package io.shmbus.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.JFreeChart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@code scripts/bench ipc} invocation as data: the rows of its results file (every run and the
 * medians), the latency distributions (each system's runs merged into one histogram), the goals with the ratios
 * measured against them, and the plots drawn from the same numbers. Each shmbus producer kind is compared with the
 * Aeron publication of its kind ({@link BenchSystem#aeronCounterpart()}); the latency goals hold the better of the
 * two kinds at each percentile, and say which it was. The parent's main thread.
 */
final class IpcFigures
{
    static final String BENCHMARK = "ipc";
    /** Each shmbus producer kind's throughput ÷ its Aeron counterpart's, at every size and producer count. */
    static final double THROUGHPUT_GOAL = 1.0;
    /** The best shmbus producer kind's round trip ÷ Aeron exclusive's, at p50, p99 and p99.9. */
    static final double LATENCY_GOAL = 1.0;
    /** The best shmbus producer kind's p99 round trip ÷ the raw floor's. */
    static final double FLOOR_GOAL = 1.2;
    static final String[] GOAL_PERCENTILES = {"p50Ns", "p99Ns", "p999Ns"};
    static final String[] GOAL_PERCENTILE_LABELS = {"p50", "p99", "p99.9"};
    private static final int TICKS_PER_HALF_DISTANCE = 5;
    /** Every system's label, in the order that gives each its colour in every plot. */
    private static final List<String> SYSTEM_LABELS = Arrays.stream(BenchSystem.values()).map(BenchSystem::label)
        .toList();

    private final BenchOptions options;
    private final BenchResults results;
    private final Invocation invocation;
    private final ResultsFile file = new ResultsFile();
    private final Map<BenchSystem, Histogram> merged = new LinkedHashMap<>();

    IpcFigures(final BenchOptions options, final BenchResults results, final Invocation invocation)
    {
        this.options = options;
        this.results = results;
        this.invocation = invocation;
        meta();
        throughputRows();
        latencyRows();
        goals();
    }

    ResultsFile resultsFile()
    {
        return file;
    }

    /** Each system's round trips over all its runs, merged; absent for a system without a successful run. */
    Map<BenchSystem, Histogram> mergedLatency()
    {
        return merged;
    }

    /** The plots by file-name suffix: {@code latency}, {@code throughput}, {@code shapes}; those with data. */
    Map<String, JFreeChart> plots()
    {
        final Map<String, JFreeChart> plots = new LinkedHashMap<>();
        final String machine = machineText(invocation);
        if (!file.distributions().isEmpty())
        {
            plots.put("latency", BenchPlots.colourByKey(BenchPlots.latencyByPercentile("Round trip by percentile, " +
                options.latencySize + " B ping-pong between two processes", machine + "; every run of a system merged",
                file.distributions()), SYSTEM_LABELS));
        }
        if (!options.shapes.isEmpty() && !results.throughput.isEmpty())
        {
            final IpcShape first = options.shapes.get(0);
            final Map<String, Map<Long, Double>> bySize = new LinkedHashMap<>();
            for (final BenchSystem system : BenchSystem.values())
            {
                if (!first.runs(system) || !options.systems.contains(system))
                {
                    continue;
                }
                final Map<Long, Double> points = new LinkedHashMap<>();
                for (final int size : options.sizesOf(first))
                {
                    points.put((long)size, results.medianRate(first, size, system) / 1e6);
                }
                bySize.put(system.label(), points);
            }
            plots.put("throughput", BenchPlots.colourByKey(BenchPlots.bySize("Throughput by message size, " +
                first.label() + " processes", machine + "; median of " + options.runs + " run(s)", "M messages/s",
                bySize), SYSTEM_LABELS));
            final Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
            for (final int size : allSizes())
            {
                final Map<String, Double> byComparison = new LinkedHashMap<>();
                for (final IpcShape shape : options.shapes)
                {
                    for (final BenchSystem shmbus : comparedIn(shape))
                    {
                        if (options.sizesOf(shape).contains(size))
                        {
                            byComparison.put(shape.label() + (BenchSystem.SHMBUS == shmbus ? "" : " exclusive"),
                                throughputRatio(shape, size, shmbus));
                        }
                    }
                }
                bars.put(MarkdownReport.mib(size), byComparison);
            }
            if (bars.values().stream().anyMatch(byComparison -> !byComparison.isEmpty()))
            {
                plots.put("shapes", BenchPlots.bars("shmbus ÷ Aeron throughput by shape (producers → consumers)",
                    machine + "; shared producer ÷ concurrent publication, \"exclusive\": exclusive producer ÷ " +
                    "exclusive publication; above 1 shmbus is faster", "shape", "shmbus ÷ Aeron", bars,
                    THROUGHPUT_GOAL));
            }
        }
        return plots;
    }

    /**
     * A shmbus producer kind's median rate over that of its Aeron counterpart in the shape at the size; NaN when
     * either has no successful run.
     */
    double throughputRatio(final IpcShape shape, final int size, final BenchSystem shmbus)
    {
        return results.medianRate(shape, size, shmbus) / results.medianRate(shape, size, shmbus.aeronCounterpart());
    }

    /**
     * The shmbus producer kinds this invocation measures in the shape together with their Aeron counterparts: the
     * comparisons of the shape.
     */
    List<BenchSystem> comparedIn(final IpcShape shape)
    {
        final List<BenchSystem> systems = new ArrayList<>();
        for (final BenchSystem system : BenchSystem.SHMBUS_PRODUCERS)
        {
            if (options.systems.contains(system) && options.systems.contains(system.aeronCounterpart()) &&
                shape.runs(system))
            {
                systems.add(system);
            }
        }
        return systems;
    }

    /**
     * The shmbus producer kind with the lower median round trip at a percentile, of those with a successful run;
     * when none succeeded the first that ran (its goal then shows the failure); null when none ran.
     */
    BenchSystem bestShmbusLatency(final String key)
    {
        BenchSystem best = null;
        for (final BenchSystem system : BenchSystem.SHMBUS_PRODUCERS)
        {
            final double ns = latencyNs(system, key);
            if (results.latency.containsKey(system) && (null == best ||
                (!Double.isNaN(ns) && (Double.isNaN(latencyNs(best, key)) || ns < latencyNs(best, key)))))
            {
                best = system;
            }
        }
        return best;
    }

    /** The median over successful runs of a latency percentile in ns; for the maximum, the largest. */
    double latencyNs(final BenchSystem system, final String key)
    {
        final List<LatencyRun> runs = results.latency.get(system);
        if (null == runs)
        {
            return Double.NaN;
        }
        final double[] values = runs.stream().filter(LatencyRun::ok).mapToDouble(run -> run.ns(key)).toArray();
        if (values.length == 0)
        {
            return Double.NaN;
        }
        return "maxNs".equals(key) ? Arrays.stream(values).max().getAsDouble() : IpcReport.median(values);
    }

    /** Every message size any shape is measured at, ascending. */
    List<Integer> allSizes()
    {
        final List<Integer> sizes = new ArrayList<>();
        for (final IpcShape shape : options.shapes)
        {
            for (final int size : options.sizesOf(shape))
            {
                if (!sizes.contains(size))
                {
                    sizes.add(size);
                }
            }
        }
        sizes.sort(Integer::compare);
        return sizes;
    }

    /** "2 vCPUs, AMD EPYC..., load 0.5 -> 1.2", for plot subtitles. */
    static String machineText(final Invocation invocation)
    {
        return invocation.machine().nproc() + " CPUs, " + invocation.machine().cpuModel() + ", load average " +
            invocation.loadBefore().split("\\s+")[0] + " before, " + invocation.loadAfter().split("\\s+")[0] +
            " after";
    }

    private void meta()
    {
        file.meta("benchmark", BENCHMARK);
        invocationMeta(file, invocation);
        file.meta("shapes", String.join(",", options.shapes.stream().map(IpcShape::id).toList()));
        file.meta("runs", Integer.toString(options.runs));
        file.meta("capacityBytes", Integer.toString(options.capacity));
        file.meta("latencySizeBytes", Integer.toString(options.latencySize));
        file.meta("latencySamplesPerRun", Long.toString(options.latencySamples));
        results.driverSettings.forEach((key, value) -> file.meta("aeronDriver." + key, value));
    }

    /** The facts every results file starts with: when, the command, the code, the machine and its load. */
    static void invocationMeta(final ResultsFile file, final Invocation invocation)
    {
        file.meta("started", invocation.started().toString());
        file.meta("elapsedSeconds", String.format(Locale.ROOT, "%.1f", invocation.elapsedS()));
        file.meta("command", invocation.commandLine());
        file.meta("code", System.getProperty(IpcBenchmark.CODE_PROP_NAME, "unknown"));
        file.meta("nproc", Integer.toString(invocation.machine().nproc()));
        file.meta("cpu", invocation.machine().cpuModel());
        file.meta("kernel", invocation.machine().kernel());
        file.meta("memTotal", invocation.machine().memTotal());
        file.meta("java", invocation.machine().java());
        file.meta("loadAverageBefore", invocation.loadBefore());
        file.meta("loadAverageAfter", invocation.loadAfter());
    }

    private void throughputRows()
    {
        for (final Map.Entry<IpcShape, Map<Integer, Map<BenchSystem, List<ThroughputRun>>>> byShape :
            results.throughput.entrySet())
        {
            final IpcShape shape = byShape.getKey();
            for (final Map.Entry<Integer, Map<BenchSystem, List<ThroughputRun>>> bySize : byShape.getValue().entrySet())
            {
                final int size = bySize.getKey();
                for (final Map.Entry<BenchSystem, List<ThroughputRun>> bySystem : bySize.getValue().entrySet())
                {
                    final String system = bySystem.getKey().id();
                    int n = 0;
                    for (final ThroughputRun run : bySystem.getValue())
                    {
                        n++;
                        final double rate = run.ok() ? run.messagesPerSecond() : Double.NaN;
                        row("throughput", shape.id(), system, size, "msgs_per_s", "1/s", "run " + n, rate);
                        row("throughput", shape.id(), system, size, "mb_per_s", "MB/s", "run " + n,
                            rate * size / 1e6);
                    }
                    final double median = results.medianRate(shape, size, bySystem.getKey());
                    row("throughput", shape.id(), system, size, "msgs_per_s", "1/s", "median", median);
                    row("throughput", shape.id(), system, size, "mb_per_s", "MB/s", "median", median * size / 1e6);
                }
                for (final BenchSystem shmbus : comparedIn(shape))
                {
                    if (bySize.getValue().containsKey(shmbus))
                    {
                        row("throughput", shape.id(), shmbus.ratioId(), size, "ratio", "x", "median",
                            throughputRatio(shape, size, shmbus));
                    }
                }
            }
        }
    }

    /** Per system in {@link BenchSystem#LATENCY_ORDER}, so the distributions and their plot lines follow it. */
    private void latencyRows()
    {
        for (final BenchSystem latencySystem : BenchSystem.LATENCY_ORDER)
        {
            final List<LatencyRun> runs = results.latency.get(latencySystem);
            if (null == runs)
            {
                continue;
            }
            final String system = latencySystem.id();
            Histogram all = null;
            int n = 0;
            for (final LatencyRun run : runs)
            {
                n++;
                if (!run.ok())
                {
                    continue;
                }
                for (int i = 0; i < IpcReport.PERCENTILES.length; i++)
                {
                    row("latency", "", system, options.latencySize, IpcReport.PERCENTILE_LABELS[i] + "_us", "µs",
                        "run " + n, run.ns(IpcReport.PERCENTILES[i]) / 1e3);
                }
                final Histogram histogram = run.histogram();
                if (null != histogram)
                {
                    if (null == all)
                    {
                        all = histogram.copy();
                    }
                    else
                    {
                        all.add(histogram);
                    }
                }
            }
            for (int i = 0; i < IpcReport.PERCENTILES.length; i++)
            {
                row("latency", "", system, options.latencySize, IpcReport.PERCENTILE_LABELS[i] + "_us", "µs",
                    "median", latencyNs(latencySystem, IpcReport.PERCENTILES[i]) / 1e3);
            }
            if (null != all)
            {
                merged.put(latencySystem, all);
                file.distribution(latencySystem.label(), percentiles(all));
            }
        }
    }

    /** HdrHistogram's percentile iteration of a histogram in nanoseconds, as points in microseconds. */
    static List<ResultsFile.Point> percentiles(final Histogram histogram)
    {
        final List<ResultsFile.Point> points = new ArrayList<>();
        for (final HistogramIterationValue v : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            points.add(new ResultsFile.Point(v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1e3));
        }
        return points;
    }

    /**
     * Throughput: each shmbus producer kind against its Aeron counterpart in every shape and size it ran in, when
     * the counterpart is one of the systems measured.
     * Latency: per percentile the better shmbus producer kind, named in the goal, against Aeron exclusive and at
     * p99 against the floor.
     */
    private void goals()
    {
        for (final IpcShape shape : options.shapes)
        {
            for (final int size : options.sizesOf(shape))
            {
                for (final BenchSystem shmbus : comparedIn(shape))
                {
                    if (!results.runs(shape, size, shmbus).isEmpty())
                    {
                        file.goal(new ResultsFile.Goal(BENCHMARK, "throughput ≥ 1.0 × Aeron",
                            shape.label() + ", " + MarkdownReport.mib(size) + ", " + shmbus.ratioLabel(),
                            throughputRatio(shape, size, shmbus), THROUGHPUT_GOAL, true));
                    }
                }
            }
        }
        if (results.latency.containsKey(BenchSystem.AERON_EXCLUSIVE))
        {
            for (int i = 0; i < GOAL_PERCENTILES.length; i++)
            {
                final BenchSystem best = bestShmbusLatency(GOAL_PERCENTILES[i]);
                if (null != best)
                {
                    file.goal(new ResultsFile.Goal(BENCHMARK, "round trip ≤ 1.0 × Aeron, best shmbus producer",
                        GOAL_PERCENTILE_LABELS[i] + ", " + best.label() + " ÷ " + BenchSystem.AERON_EXCLUSIVE.label(),
                        latencyNs(best, GOAL_PERCENTILES[i]) /
                        latencyNs(BenchSystem.AERON_EXCLUSIVE, GOAL_PERCENTILES[i]), LATENCY_GOAL, false));
                }
            }
        }
        final BenchSystem best = bestShmbusLatency("p99Ns");
        if (null != best && results.latency.containsKey(BenchSystem.RAW_SHM))
        {
            file.goal(new ResultsFile.Goal(BENCHMARK, "round trip p99 ≤ 1.2 × the raw floor, best shmbus producer",
                "p99, " + best.label() + " ÷ " + BenchSystem.RAW_SHM.label(), latencyNs(best, "p99Ns") /
                latencyNs(BenchSystem.RAW_SHM, "p99Ns"), FLOOR_GOAL, false));
        }
    }

    private void row(final String test, final String shape, final String system, final long size, final String metric,
        final String unit, final String stat, final double value)
    {
        file.add(new ResultsFile.Row(BENCHMARK, test, shape, system, size, metric, unit, stat, value));
    }
}
