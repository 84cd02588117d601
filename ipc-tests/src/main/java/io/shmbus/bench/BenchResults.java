package io.shmbus.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one invocation measured, in the order the report shows it. Filled by the parent's main thread.
 */
final class BenchResults
{
    /** Per index of {@link BenchOptions#sizes}: the runs of each system. */
    final List<Map<BenchSystem, List<ThroughputRun>>> throughput = new ArrayList<>();
    final Map<BenchSystem, List<LatencyRun>> latency = new EnumMap<>(BenchSystem.class);
    /** The settings the Aeron media driver reported when it started. */
    final Map<String, String> driverSettings = new LinkedHashMap<>();
    final List<String> failures = new ArrayList<>();

    BenchResults(final int sizeCount)
    {
        for (int i = 0; i < sizeCount; i++)
        {
            throughput.add(new EnumMap<>(BenchSystem.class));
        }
    }

    void add(final int sizeIndex, final BenchSystem system, final ThroughputRun run)
    {
        throughput.get(sizeIndex).computeIfAbsent(system, s -> new ArrayList<>()).add(run);
        if (!run.ok())
        {
            failures.add("throughput " + run.size() + " B " + system.id() + ": " + run.failure());
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
}
