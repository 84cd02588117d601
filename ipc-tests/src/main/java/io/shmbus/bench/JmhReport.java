package io.shmbus.bench;

import io.shmbus.bench.jmh.ThreadCpuProfiler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders one {@code scripts/bench jmh} invocation as a Markdown report: the machine and JMH settings, one table of
 * every benchmark with its time per operation, the 99.9% error and the bytes allocated per operation, the ratios
 * that tell what a feature costs (CRC, a shared producer, a claim, one message per poll) within this run, and any
 * benchmark that produced no result. One thread.
 */
final class JmhReport extends MarkdownReport
{
    private final String settings;
    private final Path resultFile;
    private final List<JmhRow> rows;
    private final List<String> failures;

    /**
     * @param settings   forks, iterations and times of the run, as one line.
     * @param resultFile the JMH results file.
     * @param failures   what went wrong: benchmarks that produced no result.
     */
    JmhReport(final Invocation invocation, final String settings, final Path resultFile, final List<JmhRow> rows,
        final List<String> failures)
    {
        super(invocation);
        this.settings = settings;
        this.resultFile = resultFile;
        this.rows = rows;
        this.failures = failures;
    }

    String render()
    {
        line("# JMH: the in-process hot path");
        line();
        line("| | |");
        line("|---|---|");
        invocationRows("JMH's forks, one JVM per benchmark and parameter set at a time");
        row("JMH", settings + "; results in `" + resultFile.getFileName() + "`");
        row("topics", "real topic logs in /dev/shm opened as the client opens one without a broker " +
            "(`Topic.open`, pre-touched); publish: default 4 MiB ring, a consumer slot kept just behind the " +
            "producer so it never meets back-pressure; poll: 32 MiB of frames in a 64 MiB ring read lap after " +
            "lap; clock: the producer's timestamp source without a broker (the system clock, what the publish figures include) and through one; stored frames: a segment file of 16384 frames in /dev/shm; " +
            "structured messages: a 1 MiB ring and a shared producer, Chronicle Queue in a fresh directory in " +
            "/dev/shm per measured iteration (see each class's javadoc)");
        line();
        table();
        ratios();
        failures(failures);
        return text();
    }

    private void table()
    {
        line("## Time and allocation per operation");
        line();
        line("Per operation (a message; a frame for StoredFrameBenchmark): JMH's score, wall-clock time, and the " +
            "CPU time of the benchmark thread (`" + ThreadCpuProfiler.RESULT + "`), each with the half-width of " +
            "its 99.9% confidence interval over the measured iterations of every fork (? when there are too " +
            "few). On a machine where other processes run, a thread waiting for a CPU adds wall-clock time but " +
            "no CPU time: compare CPU times there. Bytes allocated per operation from `-prof gc` " +
            "(`gc.alloc.rate.norm`): one object per operation would show as 16 B or more; fractions of a byte " +
            "are JMH's own bookkeeping spread over the operations (and, for poll, re-adding the consumer once per " +
            "lap).");
        line();
        final Set<String> classes = new LinkedHashSet<>();
        for (final JmhRow r : rows)
        {
            classes.add(r.benchmarkClass());
        }
        for (final String benchmarkClass : classes)
        {
            final List<JmhRow> ofClass = new ArrayList<>();
            final Set<String> keys = new LinkedHashSet<>();
            for (final JmhRow r : rows)
            {
                if (r.benchmarkClass().equals(benchmarkClass))
                {
                    ofClass.add(r);
                    keys.addAll(r.params().keySet());
                }
            }
            final StringBuilder head = new StringBuilder("| " + benchmarkClass + " |");
            final StringBuilder rule = new StringBuilder("|---|");
            for (final String key : keys)
            {
                head.append(' ').append(key).append(" |");
                rule.append("---:|");
            }
            line(head + " time/op | ± | CPU/op | ± | B/op |");
            line(rule + "---:|---:|---:|---:|---:|");
            for (final JmhRow r : ofClass)
            {
                final StringBuilder text = new StringBuilder("| " + r.method() + " |");
                for (final String key : keys)
                {
                    text.append(' ').append(r.params().getOrDefault(key, "")).append(" |");
                }
                text.append(' ').append(time(r.score(), r.unit())).append(" | ")
                    .append(time(r.error(), r.unit())).append(" | ")
                    .append(time(r.cpuNsPerOp(), "ns/op")).append(" | ")
                    .append(time(r.cpuError(), "ns/op")).append(" | ")
                    .append(bytes(r.allocatedBytesPerOp())).append(" |");
                line(text.toString());
            }
            line();
        }
    }

    /** What a feature costs: one row over another measured in the same run, where both ran. */
    private void ratios()
    {
        final List<String> lines = new ArrayList<>();
        for (final String method : List.of("offer", "claimCommit"))
        {
            for (final String producer : List.of("exclusive", "shared"))
            {
                for (final String size : List.of("32", "1024"))
                {
                    ratio(lines, "CRC32C on ÷ off, " + producer + " " + method + ", " + size + " B",
                        "PublishBenchmark." + method, Map.of("producer", producer, "size", size, "checksums", "true"),
                        Map.of("producer", producer, "size", size, "checksums", "false"));
                }
            }
        }
        for (final String method : List.of("offer", "claimCommit"))
        {
            for (final String size : List.of("32", "1024"))
            {
                ratio(lines, "shared ÷ exclusive producer, " + method + ", " + size + " B, no CRC",
                    "PublishBenchmark." + method, Map.of("producer", "shared", "size", size, "checksums", "false"),
                    Map.of("producer", "exclusive", "size", size, "checksums", "false"));
            }
        }
        for (final String producer : List.of("exclusive", "shared"))
        {
            for (final String size : List.of("32", "1024"))
            {
                ratio(lines, "tryClaim+commit ÷ offer, " + producer + ", " + size + " B, no CRC",
                    "PublishBenchmark.claimCommit", "PublishBenchmark.offer",
                    Map.of("producer", producer, "size", size, "checksums", "false"));
            }
        }
        ratio(lines, "system clock ÷ broker clock, per frame timestamp", "ClockBenchmark.systemClock",
            "ClockBenchmark.brokerClock", Map.of());
        for (final String size : List.of("32", "1024"))
        {
            ratio(lines, "poll of one ÷ poll of a batch, per message, " + size + " B", "PollBenchmark.pollOne",
                "PollBenchmark.pollBatch", Map.of("size", size));
            ratio(lines, "frame walk (reads + checks) ÷ header check alone, per frame, " + size + " B",
                "StoredFrameBenchmark.walk", "StoredFrameBenchmark.check", Map.of("size", size));
        }
        if (!lines.isEmpty())
        {
            line("## Ratios within this run");
            line();
            line("Of the CPU times per operation where they were measured, else of the times.");
            line();
            line("| ratio | value |");
            line("|---|---:|");
            lines.forEach(this::line);
            line();
        }
    }

    private void ratio(final List<String> lines, final String label, final String benchmark,
        final Map<String, String> numerator, final Map<String, String> denominator)
    {
        final JmhRow a = find(benchmark, numerator);
        final JmhRow b = find(benchmark, denominator);
        if (null != a && null != b)
        {
            lines.add("| " + label + " | " + String.format(Locale.ROOT, "%.2f", a.cost() / b.cost()) + " |");
        }
    }

    private void ratio(final List<String> lines, final String label, final String numerator,
        final String denominator, final Map<String, String> params)
    {
        final JmhRow a = find(numerator, params);
        final JmhRow b = find(denominator, params);
        if (null != a && null != b)
        {
            lines.add("| " + label + " | " + String.format(Locale.ROOT, "%.2f", a.cost() / b.cost()) + " |");
        }
    }

    private JmhRow find(final String benchmark, final Map<String, String> params)
    {
        for (final JmhRow r : rows)
        {
            if (r.matches(benchmark, params))
            {
                return r;
            }
        }
        return null;
    }

    static String time(final double value, final String unit)
    {
        if (Double.isNaN(value))
        {
            return "?";
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s", value,
            unit);
    }

    static String bytes(final double value)
    {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%.3f", value);
    }
}
