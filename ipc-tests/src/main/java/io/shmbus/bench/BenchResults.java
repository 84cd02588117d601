package io.shmbus.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code scripts/bench ipc} invocation measured, in the order the report shows it. Filled by the
 * parent's main thread.
 */
final class BenchResults
{
    /** Per shape, per message size: the runs of each system. */
    final Map<IpcShape, Map<Integer, Map<BenchSystem, List<ThroughputRun>>>> throughput = new LinkedHashMap<>();
    final Map<BenchSystem, List<LatencyRun>> latency = new EnumMap<>(BenchSystem.class);
    /** The settings the Aeron media driver reported when it started. */
    final Map<String, String> driverSettings = new LinkedHashMap<>();
    final List<String> failures = new ArrayList<>();

    void add(final IpcShape shape, final BenchSystem system, final ThroughputRun run)
    {
        throughput.computeIfAbsent(shape, s -> new LinkedHashMap<>())
            .computeIfAbsent(run.size(), s -> new EnumMap<>(BenchSystem.class))
            .computeIfAbsent(system, s -> new ArrayList<>()).add(run);
        if (!run.ok())
        {
            failures.add("throughput " + shape.id() + " " + run.size() + " B " + system.id() + ": " + run.failure());
        }
    }

    void add(final BenchSystem system, final LatencyRun run)
    {
        latency.computeIfAbsent(system, s -> new ArrayList<>()).add(run);
        if (!run.ok())
        {
            failures.add("latency " + system.id() + ": " + run.failure());
        }
    }

    /** The runs of a system in a shape at a size, in the order run; empty when there are none. */
    List<ThroughputRun> runs(final IpcShape shape, final int size, final BenchSystem system)
    {
        final Map<Integer, Map<BenchSystem, List<ThroughputRun>>> bySize = throughput.get(shape);
        final Map<BenchSystem, List<ThroughputRun>> bySystem = null == bySize ? null : bySize.get(size);
        final List<ThroughputRun> runs = null == bySystem ? null : bySystem.get(system);
        return null == runs ? List.of() : runs;
    }

    /** The median messages per second of the successful runs; NaN without any. */
    double medianRate(final IpcShape shape, final int size, final BenchSystem system)
    {
        final double[] values = runs(shape, size, system).stream().filter(ThroughputRun::ok)
            .mapToDouble(ThroughputRun::messagesPerSecond).toArray();
        return values.length == 0 ? Double.NaN : IpcReport.median(values);
    }
}
