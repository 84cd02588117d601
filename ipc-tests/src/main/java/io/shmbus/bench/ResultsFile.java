package io.shmbus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.shmbus.broker.logging.JsonStrings.quote;

/**
 * The machine-readable results of one benchmark invocation, written beside its Markdown report: a JSON file (the
 * invocation's facts, one row per figure, the latency distributions and the goals) and a CSV file of the rows.
 * <p>
 * A row is one number: which benchmark and test, the shape, the system or method, the message size, the metric and
 * its unit, and whether it is the median over runs or one run ({@code stat} "median" or "run N"). Built and written
 * by the benchmark's main thread.
 */
final class ResultsFile
{
    static final String CSV_HEADER = "benchmark,test,shape,system,size_bytes,metric,unit,stat,value";

    /** One figure. {@code size} is 0 where the figure has no message size. */
    record Row(String benchmark, String test, String shape, String system, long size, String metric, String unit,
        String stat, double value)
    {
    }

    /** One point of a latency distribution: the percentile (e.g. 99.9) and the round trip in microseconds. */
    record Point(double percentile, double micros)
    {
    }

    /** A goal from the issue, what was measured against it and whether it holds. */
    record Goal(String benchmark, String goal, String where, double measured, double target, boolean higherIsBetter)
    {
        boolean met()
        {
            return !Double.isNaN(measured) && (higherIsBetter ? measured >= target : measured <= target);
        }

        /** "met", or "not met by N%" (how far the measured ratio is from the target, relative to it); "?" if NaN. */
        String verdict()
        {
            if (Double.isNaN(measured))
            {
                return "not measured";
            }
            if (met())
            {
                return "met";
            }
            final double shortBy = higherIsBetter ? 1 - measured / target : measured / target - 1;
            return String.format(Locale.ROOT, "not met (%s by %.0f%%)", higherIsBetter ? "short" : "over",
                100 * shortBy);
        }
    }

    private final Map<String, String> meta = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, List<Point>> distributions = new LinkedHashMap<>();
    private final List<Goal> goals = new ArrayList<>();

    ResultsFile meta(final String key, final String value)
    {
        meta.put(key, value);
        return this;
    }

    /** A fact of the invocation; an empty string when it was not recorded. */
    String meta(final String key)
    {
        return meta.getOrDefault(key, "");
    }

    /** Adds every fact of another file's meta under a prefix, e.g. "ipc.". */
    void metaFrom(final String prefix, final ResultsFile other)
    {
        other.meta.forEach((key, value) -> meta.put(prefix + key, value));
    }

    void add(final Row row)
    {
        rows.add(row);
    }

    void addAll(final ResultsFile other)
    {
        rows.addAll(other.rows);
        distributions.putAll(other.distributions);
        goals.addAll(other.goals);
    }

    void distribution(final String system, final List<Point> points)
    {
        distributions.put(system, List.copyOf(points));
    }

    void goal(final Goal goal)
    {
        goals.add(goal);
    }

    List<Row> rows()
    {
        return rows;
    }

    List<Goal> goals()
    {
        return goals;
    }

    Map<String, List<Point>> distributions()
    {
        return distributions;
    }

    /** The value of the first row matching every non-null field given; NaN when there is none. */
    double value(final String test, final String shape, final String system, final long size, final String metric,
        final String stat)
    {
        for (final Row row : rows)
        {
            if ((null == test || test.equals(row.test())) && (null == shape || shape.equals(row.shape())) &&
                (null == system || system.equals(row.system())) && (size < 0 || size == row.size()) &&
                metric.equals(row.metric()) && stat.equals(row.stat()))
            {
                return row.value();
            }
        }
        return Double.NaN;
    }

    String json()
    {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("{\n  \"meta\": {");
        boolean first = true;
        for (final Map.Entry<String, String> e : meta.entrySet())
        {
            sb.append(first ? "\n    " : ",\n    ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            first = false;
        }
        sb.append(first ? "},\n" : "\n  },\n");
        sb.append("  \"rows\": [");
        first = true;
        for (final Row r : rows)
        {
            sb.append(first ? "\n    " : ",\n    ").append("{\"benchmark\": ").append(quote(r.benchmark()))
                .append(", \"test\": ").append(quote(r.test()))
                .append(", \"shape\": ").append(quote(r.shape()))
                .append(", \"system\": ").append(quote(r.system()))
                .append(", \"sizeBytes\": ").append(r.size())
                .append(", \"metric\": ").append(quote(r.metric()))
                .append(", \"unit\": ").append(quote(r.unit()))
                .append(", \"stat\": ").append(quote(r.stat()))
                .append(", \"value\": ").append(number(r.value())).append('}');
            first = false;
        }
        sb.append(first ? "],\n" : "\n  ],\n");
        sb.append("  \"latencyPercentiles\": {");
        first = true;
        for (final Map.Entry<String, List<Point>> e : distributions.entrySet())
        {
            sb.append(first ? "\n    " : ",\n    ").append(quote(e.getKey())).append(": [");
            boolean firstPoint = true;
            for (final Point p : e.getValue())
            {
                sb.append(firstPoint ? "" : ", ").append('[').append(number(p.percentile())).append(", ")
                    .append(number(p.micros())).append(']');
                firstPoint = false;
            }
            sb.append(']');
            first = false;
        }
        sb.append(first ? "},\n" : "\n  },\n");
        sb.append("  \"goals\": [");
        first = true;
        for (final Goal g : goals)
        {
            sb.append(first ? "\n    " : ",\n    ").append("{\"benchmark\": ").append(quote(g.benchmark()))
                .append(", \"goal\": ").append(quote(g.goal()))
                .append(", \"where\": ").append(quote(g.where()))
                .append(", \"measured\": ").append(number(g.measured()))
                .append(", \"target\": ").append(number(g.target()))
                .append(", \"met\": ").append(g.met()).append('}');
            first = false;
        }
        sb.append(first ? "]\n" : "\n  ]\n");
        sb.append("}\n");
        return sb.toString();
    }

    String csv()
    {
        final StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (final Row r : rows)
        {
            sb.append(csvField(r.benchmark())).append(',').append(csvField(r.test())).append(',')
                .append(csvField(r.shape())).append(',').append(csvField(r.system())).append(',').append(r.size())
                .append(',').append(csvField(r.metric())).append(',').append(csvField(r.unit())).append(',')
                .append(csvField(r.stat())).append(',').append(Double.isNaN(r.value()) ? "" : number(r.value()))
                .append('\n');
        }
        return sb.toString();
    }

    /** Writes {@code <base>.json} and {@code <base>.csv} for a report file {@code <base>.md}; returns the JSON path. */
    Path writeBeside(final Path markdownReport) throws IOException
    {
        final Path json = sibling(markdownReport, ".json");
        final Path parent = json.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.write(json, json().getBytes(StandardCharsets.UTF_8));
        Files.write(sibling(markdownReport, ".csv"), csv().getBytes(StandardCharsets.UTF_8));
        return json;
    }

    /** {@code dir/name.md} to {@code dir/name<suffix>}; a name without {@code .md} gets the suffix appended. */
    static Path sibling(final Path report, final String suffix)
    {
        final String name = report.getFileName().toString();
        final String base = name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
        return report.resolveSibling(base + suffix);
    }

    /** A JSON number; NaN and infinities, which JSON has not, become null. */
    static String number(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "null";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        return String.format(Locale.ROOT, "%.6g", value).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
            .replaceFirst("\\.(e|$)", "$1");
    }

    private static String csvField(final String text)
    {
        if (null == text)
        {
            return "";
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0)
        {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
