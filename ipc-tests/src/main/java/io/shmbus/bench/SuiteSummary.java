package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The summary of one {@code scripts/bench all} run, in Markdown, from the parts' results files: the invocation, every
 * goal with the ratio measured against it, the headline tables of each part, the plots and the parts' reports.
 * Every figure comes from the same run. One thread.
 */
final class SuiteSummary extends MarkdownReport
{
    private static final List<BenchSystem> SYSTEMS = List.of(BenchSystem.SHMBUS, BenchSystem.SHMBUS_EXCLUSIVE,
        BenchSystem.AERON_EXCLUSIVE, BenchSystem.AERON_CONCURRENT);

    private final SuiteOptions options;
    private final Map<SuiteOptions.Part, ResultsFile> parts;
    private final Map<SuiteOptions.Part, Path> reports;
    private final List<String> failures;

    SuiteSummary(
        final SuiteOptions options,
        final Invocation invocation,
        final Map<SuiteOptions.Part, ResultsFile> parts,
        final Map<SuiteOptions.Part, Path> reports,
        final List<String> failures)
    {
        super(invocation);
        this.options = options;
        this.parts = parts;
        this.reports = reports;
        this.failures = failures;
    }

    String render()
    {
        header();
        goals();
        final ResultsFile ipc = parts.get(SuiteOptions.Part.IPC);
        if (null != ipc)
        {
            ipcThroughput(ipc);
            ipcShapes(ipc);
            latency(ipc);
        }
        final ResultsFile persist = parts.get(SuiteOptions.Part.PERSIST);
        if (null != persist)
        {
            persist(persist, "busy-spinning loops");
        }
        final ResultsFile persistYield = parts.get(SuiteOptions.Part.PERSIST_YIELD);
        if (null != persistYield)
        {
            persist(persistYield, "yielding loops (`--idle yield`), so the archiver gets a CPU");
        }
        final ResultsFile replay = parts.get(SuiteOptions.Part.REPLAY);
        if (null != replay)
        {
            replay(replay);
        }
        plots();
        failures(failures);
        return text();
    }

    private void header()
    {
        final MachineInfo machine = invocation.machine();
        line("# Benchmark suite: shmbus against its anchors");
        line();
        line("| | |");
        line("|---|---|");
        row("date", invocation.started().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) +
            String.format(Locale.ROOT, ", took %.0f s", invocation.elapsedS()));
        row("command", "`" + invocation.commandLine() + "`");
        row("code", System.getProperty(IpcBenchmark.CODE_PROP_NAME, "unknown"));
        row("machine", "nproc " + machine.nproc() + ", " + machine.cpuModel() + ", Linux " + machine.kernel() +
            ", RAM " + machine.memTotal() + ", " + machine.java());
        final List<String> loads = new ArrayList<>();
        for (final Map.Entry<SuiteOptions.Part, ResultsFile> e : parts.entrySet())
        {
            loads.add(e.getKey().id() + " " + e.getValue().meta("loadAverageBefore") + " → " +
                e.getValue().meta("loadAverageAfter"));
        }
        row("load average (1/5/15 min)", "before " + invocation.loadBefore() + ", after " + invocation.loadAfter() +
            (loads.isEmpty() ? "" : "; by part: " + String.join("; ", loads)) +
            (MachineInfo.isBusy(invocation.loadBefore(), machine.nproc()) ?
            " — **other processes were running before the start: expect noisy numbers**" : ""));
        final List<String> links = new ArrayList<>();
        for (final Map.Entry<SuiteOptions.Part, Path> e : reports.entrySet())
        {
            final String name = e.getValue().getFileName().toString();
            links.add("[" + name + "](" + name + ")");
        }
        row("reports", String.join(", ", links) + " (every run, settings and notes); results.json and " +
            "results.csv hold every figure of this page and more");
        line();
        line("Compare only ratios within this run: on a shared machine the same code moves between runs.");
        line();
    }

    private void goals()
    {
        final List<ResultsFile.Goal> goals = new ArrayList<>();
        parts.values().forEach(results -> goals.addAll(results.goals()));
        if (goals.isEmpty())
        {
            return;
        }
        line("## Goals");
        line();
        line("| part | goal | where | measured | verdict |");
        line("|---|---|---|---:|---|");
        for (final ResultsFile.Goal goal : goals)
        {
            line("| " + goal.benchmark() + " | " + goal.goal() + " | " + goal.where() + " | " +
                (Double.isNaN(goal.measured()) ? "–" : String.format(Locale.ROOT, "%.2f", goal.measured())) + " | " +
                (goal.met() ? "met" : "**" + goal.verdict() + "**") + " |");
        }
        line();
    }

    /** The first shape's rates of every system measured in it, and each shmbus producer kind ÷ its counterpart. */
    private void ipcThroughput(final ResultsFile ipc)
    {
        final String shape = ipc.meta("shapes").split(",")[0];
        final List<Long> sizes = sizes(ipc, "throughput", shape);
        if (sizes.isEmpty())
        {
            return;
        }
        final List<BenchSystem> systems = new ArrayList<>();
        for (final BenchSystem system : SYSTEMS)
        {
            if (hasRows(ipc, "throughput", shape, system.id()))
            {
                systems.add(system);
            }
        }
        final List<BenchSystem> compared = new ArrayList<>();
        for (final BenchSystem system : BenchSystem.SHMBUS_PRODUCERS)
        {
            if (hasRows(ipc, "throughput", shape, system.ratioId()))
            {
                compared.add(system);
            }
        }
        line("## IPC throughput, " + shape + " (producer processes x consumer processes), M msg/s, median");
        line();
        final StringBuilder head = new StringBuilder("| size |");
        final StringBuilder rule = new StringBuilder("|---:|");
        for (final BenchSystem system : systems)
        {
            head.append(' ').append(system.label()).append(" |");
            rule.append("---:|");
        }
        for (final BenchSystem system : compared)
        {
            head.append(' ').append(system.ratioLabel()).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (final long size : sizes)
        {
            final StringBuilder r = new StringBuilder("| " + mib((int)size) + " |");
            for (final BenchSystem system : systems)
            {
                r.append(' ').append(number(ipc.value("throughput", shape, system.id(), size, "msgs_per_s",
                    "median") / 1e6)).append(" |");
            }
            for (final BenchSystem system : compared)
            {
                r.append(' ').append(number(ipc.value("throughput", shape, system.ratioId(), size, "ratio",
                    "median"))).append(" |");
            }
            line(r.toString());
        }
        line();
    }

    /** Each shmbus producer kind ÷ the Aeron publication of its kind, a row per shape and kind that ran in it. */
    private void ipcShapes(final ResultsFile ipc)
    {
        final String[] shapes = ipc.meta("shapes").split(",");
        final List<Long> sizes = new ArrayList<>();
        for (final ResultsFile.Row row : ipc.rows())
        {
            if ("ratio".equals(row.metric()) && !sizes.contains(row.size()))
            {
                sizes.add(row.size());
            }
        }
        if (sizes.isEmpty())
        {
            return;
        }
        sizes.sort(Long::compare);
        line("## IPC throughput, shmbus ÷ Aeron by shape (shared producer ÷ concurrent publication, exclusive " +
            "producer ÷ exclusive publication)");
        line();
        final StringBuilder head = new StringBuilder("| shape | comparison |");
        final StringBuilder rule = new StringBuilder("|---|---|");
        for (final long size : sizes)
        {
            head.append(' ').append(mib((int)size)).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (final String shape : shapes)
        {
            for (final BenchSystem system : BenchSystem.SHMBUS_PRODUCERS)
            {
                if (!hasRows(ipc, "throughput", shape, system.ratioId()))
                {
                    continue;
                }
                final StringBuilder r = new StringBuilder("| " + shape + " | " + system.ratioLabel() + " |");
                for (final long size : sizes)
                {
                    final double ratio = ipc.value("throughput", shape, system.ratioId(), size, "ratio", "median");
                    r.append(' ').append(Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio))
                        .append(" |");
                }
                line(r.toString());
            }
        }
        line();
    }

    /** The median round trips of every system of the ping-pong that ran, the floor first. */
    private void latency(final ResultsFile ipc)
    {
        final List<BenchSystem> systems = new ArrayList<>();
        for (final BenchSystem system : BenchSystem.LATENCY_ORDER)
        {
            if (hasRows(ipc, "latency", "", system.id()))
            {
                systems.add(system);
            }
        }
        if (systems.isEmpty())
        {
            return;
        }
        line("## Round trip, " + ipc.meta("latencySizeBytes") + " B ping-pong, µs, median of runs (max: largest)");
        line();
        line("| system | p50 | p90 | p99 | p99.9 | p99.99 | max |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        for (final BenchSystem system : systems)
        {
            final StringBuilder r = new StringBuilder("| " + system.label() + " |");
            for (final String label : IpcReport.PERCENTILE_LABELS)
            {
                r.append(' ').append(number(ipc.value("latency", null, system.id(), -1, label + "_us", "median")))
                    .append(" |");
            }
            line(r.toString());
        }
        line();
    }

    /** Whether the results have a median row of the test, in the shape, for the system (or comparison) id. */
    private static boolean hasRows(final ResultsFile results, final String test, final String shape,
        final String system)
    {
        for (final ResultsFile.Row row : results.rows())
        {
            if (test.equals(row.test()) && shape.equals(row.shape()) && system.equals(row.system()) &&
                "median".equals(row.stat()))
            {
                return true;
            }
        }
        return false;
    }

    private void persist(final ResultsFile persist, final String loops)
    {
        final List<Long> sizes = sizes(persist, "publish", null);
        if (sizes.isEmpty())
        {
            return;
        }
        line("## Persistence: 1 producer process → 1 tailing consumer process, " + loops + ", MB/s end to end, " +
            "median");
        line();
        line("| size | shmbus non-persistent | shmbus persistent | Chronicle Queue | persistent ÷ non-persistent | " +
            "persistent ÷ Chronicle |");
        line("|---:|---:|---:|---:|---:|---:|");
        for (final long size : sizes)
        {
            line("| " + mib((int)size) + " | " +
                number(persist.value("publish", null, "shmbus", size, "mb_per_s", "median")) + " | " +
                number(persist.value("publish", null, "shmbus-persistent", size, "mb_per_s", "median")) + " | " +
                number(persist.value("publish", null, "chronicle", size, "mb_per_s", "median")) + " | " +
                number(persist.value("publish", null, "shmbus-persistent÷shmbus", size, "ratio", "median")) +
                " | " +
                number(persist.value("publish", null, "shmbus-persistent÷chronicle", size, "ratio", "median")) +
                " |");
        }
        line();
    }

    private void replay(final ResultsFile replay)
    {
        line("## Replay of " + (Long.parseLong(replay.meta("topicBytes").isEmpty() ? "0" : replay.meta("topicBytes"))
            >> 20) + " MiB to a loopback socket, median");
        line();
        line("| method | GiB/s | sending CPU s per GiB | ÷ raw sendfile | CPU ÷ copy loop |");
        line("|---|---:|---:|---:|---:|");
        for (final ReplayMethod method : ReplayFigures.PLOTTED)
        {
            line("| " + method.id + " | " + number(replay.value("replay", null, method.id, -1, "gib_per_s", "median")) +
                " | " + number(replay.value("replay", null, method.id, -1, "cpu_s_per_gib", "median")) + " | " +
                number(replay.value("replay", null, method.id, -1, "throughput_vs_sendfile", "median")) + " | " +
                number(replay.value("replay", null, method.id, -1, "cpu_vs_copy_loop", "median")) + " |");
        }
        line();
    }

    private void plots()
    {
        if (!options.plots || reports.isEmpty())
        {
            return;
        }
        final Path dir = reports.values().iterator().next().toAbsolutePath().getParent();
        final List<String> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".png")).sorted()
                .forEach(images::add);
        }
        catch (final IOException ex)
        {
            return;
        }
        if (images.isEmpty())
        {
            return;
        }
        line("## Plots");
        line();
        for (final String image : images)
        {
            line("![" + image + "](" + image + ")");
            line();
        }
    }

    /** The message sizes of a test's rows (in a shape, when given), ascending. */
    private static List<Long> sizes(final ResultsFile results, final String test, final String shape)
    {
        final List<Long> sizes = new ArrayList<>();
        for (final ResultsFile.Row row : results.rows())
        {
            if (test.equals(row.test()) && (null == shape || shape.equals(row.shape())) && "median".equals(row.stat())
                && !sizes.contains(row.size()))
            {
                sizes.add(row.size());
            }
        }
        sizes.sort(Long::compare);
        return sizes;
    }

    private static String number(final double value)
    {
        return Double.isNaN(value) ? "–" : fmt(value);
    }
}
