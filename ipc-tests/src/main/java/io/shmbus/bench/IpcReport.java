package io.shmbus.bench;

import io.aeron.AeronVersion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Renders one invocation's results as a Markdown report: the machine and settings, the throughput tables with each
 * shmbus producer kind over the Aeron publication of its kind, the latency table with Aeron/shmbus ratios for both
 * kinds, every run, and any failure. One thread.
 */
final class IpcReport extends MarkdownReport
{
    static final String[] PERCENTILES = {"p50Ns", "p90Ns", "p99Ns", "p999Ns", "p9999Ns", "maxNs"};
    static final String[] PERCENTILE_LABELS = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

    private final BenchOptions options;
    private final BenchResults results;
    private final Path baseDir;

    IpcReport(
        final BenchOptions options,
        final BenchResults results,
        final Invocation invocation,
        final Path baseDir)
    {
        super(invocation);
        this.options = options;
        this.results = results;
        this.baseDir = baseDir;
    }

    /**
     * @param figures    the same results as data: goals and plots.
     * @param reportFile where the report goes: the plots are linked by their names beside it.
     */
    String render(final IpcFigures figures, final Path reportFile)
    {
        header();
        goals(figures.resultsFile().goals());
        if (options.tests.contains(BenchOptions.Test.THROUGHPUT))
        {
            if (options.plots)
            {
                image("throughput", reportFile);
                image("shapes", reportFile);
            }
            ratios(figures);
            for (final IpcShape shape : options.shapes)
            {
                throughput(shape);
            }
        }
        if (options.tests.contains(BenchOptions.Test.LATENCY))
        {
            if (options.plots)
            {
                image("latency", reportFile);
            }
            latency();
        }
        failures(results.failures);
        return text();
    }

    /** The goals and where each stands, the distance from the target for those not met. */
    final void goals(final List<ResultsFile.Goal> goals)
    {
        if (goals.isEmpty())
        {
            return;
        }
        line("## Goals");
        line();
        line("| goal | where | measured | verdict |");
        line("|---|---|---:|---|");
        for (final ResultsFile.Goal goal : goals)
        {
            line("| " + goal.goal() + " | " + goal.where() + " | " + (Double.isNaN(goal.measured()) ? "–" :
                String.format(Locale.ROOT, "%.2f", goal.measured())) + " | " + (goal.met() ? "met" :
                "**" + goal.verdict() + "**") + " |");
        }
        line();
    }

    private void image(final String name, final Path reportFile)
    {
        line("![" + name + "](" + BenchConsole.plotFile(reportFile, name).getFileName() + ")");
        line();
    }

    /** Each shmbus producer kind ÷ its Aeron counterpart for every shape and size in one table, and which holds where. */
    private void ratios(final IpcFigures figures)
    {
        if (options.shapes.stream().allMatch(shape -> figures.comparedIn(shape).isEmpty()))
        {
            return;
        }
        final List<Integer> sizes = figures.allSizes();
        line("## shmbus ÷ Aeron throughput by shape and size");
        line();
        line("Median rate of shmbus over the median rate of the Aeron publication of the same kind: the shared " +
            "producer (any number of producers a topic, a CAS on the tail) over the concurrent publication (one per " +
            "producer process, all on the same stream), in every shape; the exclusive producer (a topic's only " +
            "producer, no atomic instruction) over the exclusive publication, in 1-producer shapes. Several " +
            "consumers: the rate of the slowest consumer process (each receives every message). **Above 1.00 " +
            "shmbus is faster.**");
        line();
        final StringBuilder head = new StringBuilder("| shape (producers → consumers) | comparison |");
        final StringBuilder rule = new StringBuilder("|---|---|");
        for (final int size : sizes)
        {
            head.append(' ').append(mib(size)).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (final IpcShape shape : options.shapes)
        {
            for (final BenchSystem shmbus : figures.comparedIn(shape))
            {
                final StringBuilder r = new StringBuilder("| " + shape.label() + " | " + shmbus.ratioLabel() + " |");
                for (final int size : sizes)
                {
                    r.append(' ').append(options.sizesOf(shape).contains(size) ?
                        ratio(figures.throughputRatio(shape, size, shmbus), 1) : "").append(" |");
                }
                line(r.toString());
            }
        }
        line();
        final IpcShape spin = find(1, 1, "busy-spin");
        final IpcShape yield = find(1, 1, "yield");
        if (null != spin && null != yield)
        {
            line("Which ratio holds where: with busy-spinning loops (" + spin.label() + ", " +
                rangeText(figures, spin) + ") the producer and the consumer occupy both CPUs of this " +
                invocation.machine().nproc() + "-CPU machine, and the Aeron media driver, which moves an IPC " +
                "publication's limit forward as its subscriber consumes, runs only when one of them is preempted: " +
                "that row is shmbus against a starved driver, what a user gets who spins on a machine without a " +
                "core to spare. With yielding loops (" + yield.label() + ", " + rangeText(figures, yield) + ") the " +
                "driver gets a CPU whenever a loop yields: that row is the one for a machine where the driver has " +
                "room, and the one to quote against Aeron as it is meant to be deployed.");
            line();
        }
    }

    /**
     * "shmbus ÷ Aeron IPC concurrent 0.64–1.37, ... at 32 B–1 KiB": the smallest and largest ratio of each
     * comparison in a shape over its sizes.
     */
    private String rangeText(final IpcFigures figures, final IpcShape shape)
    {
        final List<String> ranges = new ArrayList<>();
        for (final BenchSystem shmbus : figures.comparedIn(shape))
        {
            double min = Double.NaN;
            double max = Double.NaN;
            for (final int size : options.sizesOf(shape))
            {
                final double ratio = figures.throughputRatio(shape, size, shmbus);
                if (!Double.isNaN(ratio))
                {
                    min = Double.isNaN(min) ? ratio : Math.min(min, ratio);
                    max = Double.isNaN(max) ? ratio : Math.max(max, ratio);
                }
            }
            ranges.add(shmbus.ratioLabel() + " " + (Double.isNaN(min) ? "not measured" :
                String.format(Locale.ROOT, "%.2f–%.2f", min, max)));
        }
        final List<Integer> sizes = options.sizesOf(shape);
        return String.join(", ", ranges) + " at " + mib(sizes.get(0)) + "–" + mib(sizes.get(sizes.size() - 1));
    }

    private IpcShape find(final int producers, final int consumers, final String idle)
    {
        for (final IpcShape shape : options.shapes)
        {
            if (shape.producers() == producers && shape.consumers() == consumers && shape.idle().equals(idle))
            {
                return shape;
            }
        }
        return null;
    }

    private void header()
    {
        final int nproc = invocation.machine().nproc();
        final Map<String, String> driver = results.driverSettings;
        line("# IPC benchmark: shmbus vs Aeron IPC");
        line();
        line("| | |");
        line("|---|---|");
        invocationRows("the same for every child");
        row("processes", "every producer, consumer, ping, pong, the shmbus broker and the Aeron media driver is its " +
            "own JVM process " +
            "(started by this benchmark, none pinned to a core); results come back as `RESULT` lines on stdout");
        row("shmbus", "topic ring " + mib(options.capacity) + " per topic in " + baseDir + " (removed at the " +
            "end); through the broker: a `shmbus broker` process per run (default idle strategy: parks up to " +
            "1 ms, 5 ms after a quiet second), " +
            "producer and consumer processes connect with `ShmBus` and register through it, then exchange " +
            "messages directly in shared memory; frames stamped with the broker's clock (client defaults); " +
            "`offer` (copy) → `Consumer.poll` in place, consumer from EARLIEST, joined before the " +
            "producer starts. *shmbus*: the shared producer (`ShmBus.addProducer`, any number a topic, a CAS on " +
            "the tail), held against Aeron's concurrent publication; *shmbus exclusive producer*: " +
            "`ShmBus.addExclusiveProducer` (a topic's only producer, no atomic instruction; in the ping-pong one " +
            "per direction), held against Aeron's exclusive publication, in 1-producer shapes");
        row("Aeron", "Aeron " + AeronVersion.VERSION + " media driver in its own process, " +
            "ThreadingMode." + driver.getOrDefault("threadingMode", "SHARED") + " with " +
            driver.getOrDefault("idle", "BackoffIdleStrategy") + ": the driver's one thread parks when idle and " +
            "does not hog a core of this " + nproc + "-CPU machine; it runs only while Aeron is " +
            "measured. Channel `" + AeronTransport.CHANNEL + "`, IPC term length " +
            mib(parseInt(driver.get("ipcTermLength"), options.capacity)) + " (log of 3 terms), publication window " +
            mib(parseInt(driver.get("ipcWindow"), options.capacity)) + ", MTU " + driver.getOrDefault("ipcMtu", "?") +
            ", sparse terms " + driver.getOrDefault("sparseTerms", "?") + "; `Publication.offer` (copy) → " +
            "`Subscription.poll` in place");
        if (nproc <= 2)
        {
            row("note", "with " + nproc + " CPUs the spinning producer and consumer occupy them all, so " +
                "the Aeron media driver, which advances an IPC publication's limit as its subscriber consumes, only " +
                "runs when the scheduler preempts one of them; shmbus needs no third party for flow control. " +
                "`--idle yield` shows the machine without that contention");
        }
        row("loops", "the same code for every system: " + idleText(options.idle) + " unless the shape names " +
            "another" +
            " on both sides, including on back pressure; fragment limit " + options.fragmentLimit +
            " per poll; bounds checks " + (!boundsChecksDisabled() ?
            "on (Agrona default)" : "off"));
        line();
    }

    private void throughput(final IpcShape shape)
    {
        final List<BenchSystem> systems = new ArrayList<>();
        for (final BenchSystem system : systemsIn(BenchSystem.SHMBUS, BenchSystem.SHMBUS_EXCLUSIVE,
            BenchSystem.AERON_EXCLUSIVE, BenchSystem.AERON_CONCURRENT))
        {
            if (shape.runs(system))
            {
                systems.add(system);
            }
        }
        if (systems.isEmpty())
        {
            return;
        }
        final List<BenchSystem> compared = new ArrayList<>();
        for (final BenchSystem system : systems)
        {
            if (system.isShmbus() && systems.contains(system.aeronCounterpart()))
            {
                compared.add(system);
            }
        }
        line("## Throughput: " + plural(shape.producers(), "producer process") + " → " +
            plural(shape.consumers(), "consumer process") + ", " + idleText(shape.idle()));
        line();
        line("Measured in the consumer" + (shape.consumers() > 1 ? "s (the slowest of them)" : "") + ", from the " +
            "first to the last message of the batch that follows the warmup" + (shape.producers() > 1 ?
            " (the producers' messages together; each producer sends its share, all start at one signal)" : "") +
            "; median of " + options.runs + " run" + (options.runs > 1 ? "s" : "") + " (each run fresh " +
            "processes). MB/s counts payload bytes, 10^6 a second. **Ratios: each shmbus producer kind ÷ the " +
            "Aeron publication of its kind; above 1.00 means shmbus is faster.**");
        line();
        final StringBuilder head = new StringBuilder("| size | messages (warmup) |");
        final StringBuilder rule = new StringBuilder("|---:|---:|");
        for (final BenchSystem system : systems)
        {
            head.append(' ').append(system.label()).append(" M msg/s |");
            rule.append("---:|");
        }
        for (final BenchSystem system : systems)
        {
            head.append(' ').append(system.label()).append(" MB/s |");
            rule.append("---:|");
        }
        for (final BenchSystem shmbus : compared)
        {
            head.append(' ').append(shmbus.ratioLabel()).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (final int size : options.sizesOf(shape))
        {
            final Map<BenchSystem, List<ThroughputRun>> bySystem = bySystem(shape, size);
            final StringBuilder r = new StringBuilder("| " + size + " B | " +
                count(options.messagesAt(shape, size)) + " (" + count(options.warmupAt(shape, size)) + ") |");
            for (final BenchSystem system : systems)
            {
                final double median = median(bySystem.get(system), ThroughputRun::messagesPerSecond);
                r.append(' ').append(Double.isNaN(median) ? "failed" : fmt(median / 1e6)).append(" |");
            }
            for (final BenchSystem system : systems)
            {
                final double median = median(bySystem.get(system), ThroughputRun::megabytesPerSecond);
                r.append(' ').append(Double.isNaN(median) ? "failed" : String.format(Locale.ROOT, "%.0f", median))
                    .append(" |");
            }
            for (final BenchSystem shmbus : compared)
            {
                r.append(' ').append(ratio(median(bySystem.get(shmbus), ThroughputRun::messagesPerSecond),
                    median(bySystem.get(shmbus.aeronCounterpart()), ThroughputRun::messagesPerSecond))).append(" |");
            }
            line(r.toString());
        }
        line();
        line("Every run, M msg/s in the order run; *other* is the CPU that processes outside the benchmark (and " +
            "the hypervisor) took during each run, in % of the whole machine; *driver* the Aeron media driver's " +
            "(for shmbus: the broker's) use " +
            "of one CPU; *back pressure* the producer's `offer` retries (median):");
        line();
        line("| size | system | median | min – max | runs | other % | driver % | back pressure |");
        line("|---:|---|---:|---:|---|---|---|---:|");
        for (final int size : options.sizesOf(shape))
        {
            for (final BenchSystem system : systems)
            {
                final List<ThroughputRun> runs = bySystem(shape, size).get(system);
                if (null == runs)
                {
                    continue;
                }
                final double[] values = values(runs, ThroughputRun::messagesPerSecond);
                final List<String> each = new ArrayList<>();
                final List<String> other = new ArrayList<>();
                final List<String> driver = new ArrayList<>();
                for (final ThroughputRun run : runs)
                {
                    each.add(run.ok() ? fmt(run.messagesPerSecond() / 1e6) : "failed");
                    other.add(pct(run.usage().otherPctOfMachine()));
                    driver.add(driverPct(run.usage().driverPctOfOneCpu()));
                }
                line("| " + size + " B | " + system.label() + " | " +
                    (values.length == 0 ? "failed" : fmt(median(values) / 1e6)) + " | " +
                    (values.length == 0 ? "" : fmt(min(values) / 1e6) + " – " + fmt(max(values) / 1e6)) + " | " +
                    String.join(", ", each) + " | " + String.join(", ", other) + " | " +
                    String.join(", ", driver) + " | " +
                    String.format(Locale.ROOT, "%,.0f", median(runs, run -> (double)run.backPressured())) + " |");
            }
        }
        line();
    }

    private void latency()
    {
        final List<BenchSystem> systems = systemsIn(BenchSystem.SHMBUS, BenchSystem.SHMBUS_EXCLUSIVE,
            BenchSystem.AERON_EXCLUSIVE, BenchSystem.RAW_SHM);
        line("## Round-trip latency: ping-pong, " + options.latencySize + " B, ping process ⇄ pong process");
        line();
        line("The ping process stamps each message with `System.nanoTime()`, the pong process echoes it on a second " +
            "stream, the ping records the round trip in an HdrHistogram; one message in flight; " +
            count(options.latencySamples) + " round trips recorded after " + count(options.latencyWarmup) +
            " of warmup, per run. Microseconds; each percentile is the median over " + options.runs + " run" +
            (options.runs > 1 ? "s" : "") + ", max the largest. Aeron uses one exclusive publication per direction, " +
            "*shmbus* one shared producer per direction, *shmbus exclusive producer* one exclusive producer per " +
            "direction. " +
            "The floor is the same ping and pong over a bare single-producer single-consumer ring in shared memory " +
            "(one cache line a message: no headers, positions, timestamps or flow-control cleaning): about the " +
            "machine's cross-core round trip; when the host moves the two CPUs, every row of that round moves " +
            "with it. " +
            "**Ratio Aeron ÷ shmbus: above 1.00 means shmbus has the lower (better) latency.**");
        line();
        final StringBuilder head = new StringBuilder("| system |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final String label : PERCENTILE_LABELS)
        {
            head.append(' ').append(label).append(" µs |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (final BenchSystem system : systems)
        {
            final StringBuilder r = new StringBuilder("| " + system.label() + " |");
            for (final String key : PERCENTILES)
            {
                final double value = latencyValue(system, key);
                r.append(' ').append(Double.isNaN(value) ? "failed" : fmtUs(value)).append(" |");
            }
            line(r.toString());
        }
        for (final BenchSystem shmbus : BenchSystem.SHMBUS_PRODUCERS)
        {
            if (systems.contains(shmbus) && systems.contains(BenchSystem.AERON_EXCLUSIVE))
            {
                final StringBuilder r = new StringBuilder("| **Aeron ÷ " + shmbus.label() + "** |");
                for (final String key : PERCENTILES)
                {
                    r.append(' ').append(ratio(latencyValue(BenchSystem.AERON_EXCLUSIVE, key),
                        latencyValue(shmbus, key))).append(" |");
                }
                line(r.toString());
            }
        }
        line();
        final List<String> bimodal = new ArrayList<>();
        for (final BenchSystem system : systems)
        {
            final double[] p50 = null == results.latency.get(system) ? new double[0] :
                results.latency.get(system).stream().filter(LatencyRun::ok).mapToDouble(r -> r.ns("p50Ns")).toArray();
            if (p50.length > 1 && max(p50) > 2 * min(p50))
            {
                bimodal.add(system.label() + String.format(Locale.ROOT, " (%.2f–%.2f µs)", min(p50) / 1e3,
                    max(p50) / 1e3));
            }
        }
        if (!bimodal.isEmpty())
        {
            line("**Caution: p50 varied more than twofold between runs of " + String.join(", ", bimodal) + ". On " +
                "a virtual machine the host may place the two CPUs near or far apart and move them between runs, " +
                "which shifts every percentile of a run; the p50 and p90 ratios above then say more about " +
                "placement than about the systems. Compare rows of the same round, and the floor.**");
            line();
        }
        final boolean anyCapped = results.latency.values().stream().flatMap(List::stream)
            .anyMatch(run -> run.ok() && run.capped());
        if (anyCapped)
        {
            line("**Some runs hit the " + options.latencyMaxSeconds + " s time cap and recorded fewer samples than " +
                "asked: the machine was busy and their round trips slow (see the samples column).**");
            line();
        }
        line("Every run, µs, round by round (each round measures the systems one after the other); *other* and " +
            "*driver* as for throughput:");
        line();
        line("| round | system | p50 | p90 | p99 | p99.9 | p99.99 | max | mean | samples | other % | driver % |");
        line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        final List<BenchSystem> roundOrder = systemsIn(BenchSystem.LATENCY_ORDER.toArray(new BenchSystem[0]));
        for (int n = 1; n <= options.runs; n++)
        {
            for (final BenchSystem system : roundOrder)
            {
                final List<LatencyRun> runs = results.latency.get(system);
                if (null == runs || runs.size() < n)
                {
                    continue;
                }
                final LatencyRun run = runs.get(n - 1);
                if (!run.ok())
                {
                    line("| " + n + " | " + system.label() + " | failed | | | | | | | | | |");
                    continue;
                }
                final StringBuilder r = new StringBuilder("| " + n + " | " + system.label() + " |");
                for (final String key : PERCENTILES)
                {
                    r.append(' ').append(fmtUs(run.ns(key))).append(" |");
                }
                r.append(' ').append(fmtUs(run.ns("meanNs"))).append(" | ").append(run.ns("count"))
                    .append(run.capped() ? " (partial: time cap)" : "").append(" | ")
                    .append(pct(run.usage().otherPctOfMachine())).append(" | ")
                    .append(driverPct(run.usage().driverPctOfOneCpu())).append(" |");
                line(r.toString());
            }
        }
        line();
    }

    private Map<BenchSystem, List<ThroughputRun>> bySystem(final IpcShape shape, final int size)
    {
        final Map<Integer, Map<BenchSystem, List<ThroughputRun>>> bySize = results.throughput.get(shape);
        final Map<BenchSystem, List<ThroughputRun>> bySystem = null == bySize ? null : bySize.get(size);
        return null == bySystem ? Map.of() : bySystem;
    }

    private static String plural(final int n, final String what)
    {
        return n + " " + what + (n == 1 ? "" : what.endsWith("s") ? "es" : "s");
    }

    /** Median over the successful runs of a percentile; for the maximum, the largest of them. */
    private double latencyValue(final BenchSystem system, final String key)
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
        return "maxNs".equals(key) ? max(values) : median(values);
    }

    private static String idleText(final String idle)
    {
        switch (idle)
        {
            case "busy-spin":
                return "busy spin (`BusySpinIdleStrategy`, `Thread.onSpinWait`)";
            case "no-op":
                return "pure spin (`NoOpIdleStrategy`)";
            default:
                return "spin with `Thread.yield` (`YieldingIdleStrategy`)";
        }
    }

    private List<BenchSystem> systemsIn(final BenchSystem... candidates)
    {
        final List<BenchSystem> systems = new ArrayList<>();
        for (final BenchSystem system : candidates)
        {
            if (options.systems.contains(system))
            {
                systems.add(system);
            }
        }
        return systems;
    }

    private boolean boundsChecksDisabled()
    {
        for (final String opt : options.jvmOptions)
        {
            if (opt.startsWith("-Dagrona.disable.bounds.checks=true"))
            {
                return true;
            }
        }
        return false;
    }

    private static double[] values(final List<ThroughputRun> runs, final ToDoubleFunction<ThroughputRun> f)
    {
        return null == runs ? new double[0] : runs.stream().filter(ThroughputRun::ok).mapToDouble(f).toArray();
    }

    private static double median(final List<ThroughputRun> runs, final ToDoubleFunction<ThroughputRun> f)
    {
        final double[] values = values(runs, f);
        return values.length == 0 ? Double.NaN : median(values);
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    static String ratio(final double numerator, final double denominator)
    {
        if (Double.isNaN(numerator) || Double.isNaN(denominator) || denominator == 0)
        {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f", numerator / denominator);
    }

    /** The Aeron driver's or shmbus broker's CPU; blank for a system that has neither (the raw floor). */
    private static String driverPct(final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.0f", value);
    }

    private static String fmtUs(final double ns)
    {
        final double us = ns / 1e3;
        return String.format(Locale.ROOT, us >= 100 ? "%.0f" : us >= 10 ? "%.1f" : "%.2f", us);
    }

    private static int parseInt(final String text, final int fallback)
    {
        try
        {
            return null == text ? fallback : Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            return fallback;
        }
    }

}
