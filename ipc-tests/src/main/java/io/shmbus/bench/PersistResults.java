package io.shmbus.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Everything one {@code scripts/bench persist} invocation measured, with the statistics the report shows: medians
 * over rounds, and ratios taken within a round (both systems measured minutes apart at most) before the median.
 * Filled by the parent's main thread.
 */
final class PersistResults
{
    final List<PersistRun> runs = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    /** What the Chronicle consumer reported of its queue's settings. */
    final Map<String, String> chronicleSettings = new LinkedHashMap<>();

    void add(final PersistRun run)
    {
        runs.add(run);
        final String what = run.size() + " B " + run.system().id() + " round " + run.round();
        if (!run.ok())
        {
            failures.add(what + ": " + run.failure());
        }
        else if (null != run.archive() && !run.archive().ok())
        {
            failures.add(what + ": archive check failed: " + run.archive().problem());
        }
    }

    /** The successful runs of a system at a size, in round order. */
    List<PersistRun> runs(final PersistSystem system, final int size)
    {
        final List<PersistRun> selected = new ArrayList<>();
        for (final PersistRun run : runs)
        {
            if (run.system() == system && run.size() == size && run.ok())
            {
                selected.add(run);
            }
        }
        return selected;
    }

    double[] values(final PersistSystem system, final int size, final ToDoubleFunction<PersistRun> f)
    {
        return runs(system, size).stream().mapToDouble(f).toArray();
    }

    /** The end-to-end rate of {@code numerator} over {@code denominator}, per round where both succeeded. */
    double[] roundRatios(final PersistSystem numerator, final PersistSystem denominator, final int size)
    {
        final List<Double> ratios = new ArrayList<>();
        for (final PersistRun top : runs(numerator, size))
        {
            for (final PersistRun bottom : runs(denominator, size))
            {
                if (top.round() == bottom.round())
                {
                    ratios.add(top.messagesPerSecond() / bottom.messagesPerSecond());
                }
            }
        }
        return ratios.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(final double[] values)
    {
        if (values.length == 0)
        {
            return Double.NaN;
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
