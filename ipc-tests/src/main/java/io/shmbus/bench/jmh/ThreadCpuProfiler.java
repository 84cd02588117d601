package io.shmbus.bench.jmh;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JMH profiler that reports the CPU time the benchmark's worker threads spent per operation
 * ({@value #RESULT}), beside JMH's wall-clock time. On a machine shared with other work, a thread that waits for a
 * CPU adds wall-clock time but no CPU time, so this figure moves much less with the load than the score does; it
 * still includes what other processes cost this thread in caches. Like {@code -prof gc} it divides by every
 * operation of the iteration, those run while the threads synchronise included.
 * <p>
 * JMH calls it from its own thread, before and after each iteration.
 */
public final class ThreadCpuProfiler implements InternalProfiler
{
    /** The name of the secondary result. */
    public static final String RESULT = "cpu.time.norm";
    private static final String WORKER = "-jmh-worker-";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> cpuBefore = new HashMap<>();

    public ThreadCpuProfiler()
    {
        if (!threads.isThreadCpuTimeSupported())
        {
            throw new IllegalStateException("this JVM cannot measure the CPU time of a thread");
        }
        threads.setThreadCpuTimeEnabled(true);
    }

    public String getDescription()
    {
        return "CPU time of the benchmark's worker threads per operation";
    }

    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        cpuBefore.clear();
        // The workers of the first iteration start after this call: those are counted from 0.
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (null != info && info.getThreadName().contains(WORKER))
            {
                cpuBefore.put(info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
            }
        }
    }

    @SuppressWarnings("rawtypes") // InternalProfiler declares the raw type
    public Collection<? extends Result> afterIteration(
        final BenchmarkParams benchmarkParams, final IterationParams iterationParams, final IterationResult result)
    {
        long cpuNs = 0;
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (null != info && info.getThreadName().contains(WORKER))
            {
                final long now = threads.getThreadCpuTime(info.getThreadId());
                if (now >= 0)
                {
                    cpuNs += now - cpuBefore.getOrDefault(info.getThreadId(), 0L);
                }
            }
        }
        final long ops = result.getMetadata().getAllOps();
        if (ops <= 0)
        {
            return List.of();
        }
        return List.of(new ScalarResult(RESULT, (double)cpuNs / ops, "ns/op", AggregationPolicy.AVG));
    }
}
