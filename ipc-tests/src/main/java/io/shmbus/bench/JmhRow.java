package io.shmbus.bench;

import io.shmbus.bench.jmh.ThreadCpuProfiler;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark with one set of parameters as the {@code scripts/bench jmh} report shows it: the score (time per
 * operation) and the worker threads' CPU time per operation ({@link ThreadCpuProfiler}, NaN without it), each with
 * the half-width of its 99.9% confidence interval (NaN with too few iterations), and the bytes allocated per
 * operation ({@code gc.alloc.rate.norm}, NaN without the GC profiler).
 *
 * @param benchmark the class's simple name and the method, as {@code PublishBenchmark.offer}.
 * @param params    the JMH parameters in declaration order.
 */
record JmhRow(String benchmark, Map<String, String> params, double score, double error, String unit,
    double cpuNsPerOp, double cpuError, double allocatedBytesPerOp)
{
    static final String ALLOCATION = "gc.alloc.rate.norm";
    /** Parameters in this order first (JMH sorts them by name), then any other. */
    private static final List<String> PARAM_ORDER = List.of("producer", "size", "checksums");

    static JmhRow of(final RunResult run)
    {
        final BenchmarkParams params = run.getParams();
        final String name = params.getBenchmark();
        final int method = name.lastIndexOf('.');
        final int type = name.lastIndexOf('.', method - 1);
        final List<String> keys = new ArrayList<>();
        for (final Object key : params.getParamsKeys())
        {
            keys.add((String)key);
        }
        keys.sort(Comparator.comparingInt(key -> PARAM_ORDER.contains(key) ? PARAM_ORDER.indexOf(key) :
            PARAM_ORDER.size()));
        final Map<String, String> values = new LinkedHashMap<>();
        keys.forEach(key -> values.put(key, params.getParam(key)));
        final Result<?> primary = run.getPrimaryResult();
        final Result<?> allocation = run.getSecondaryResults().get(ALLOCATION);
        final Result<?> cpu = run.getSecondaryResults().get(ThreadCpuProfiler.RESULT);
        return new JmhRow(name.substring(type + 1), values, primary.getScore(), primary.getScoreError(),
            primary.getScoreUnit(), null == cpu ? Double.NaN : cpu.getScore(),
            null == cpu ? Double.NaN : cpu.getScoreError(), null == allocation ? Double.NaN : allocation.getScore());
    }

    /** The class alone: {@code PublishBenchmark} of {@code PublishBenchmark.offer}. */
    String benchmarkClass()
    {
        return benchmark.substring(0, benchmark.lastIndexOf('.'));
    }

    /** The method alone: {@code offer} of {@code PublishBenchmark.offer}. */
    String method()
    {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** The CPU time per operation where it was measured, else the time: what ratios are taken of. */
    double cost()
    {
        return Double.isNaN(cpuNsPerOp) ? score : cpuNsPerOp;
    }

    /** True when this row is {@code benchmark} with every one of {@code params} (others may differ). */
    boolean matches(final String benchmark, final Map<String, String> params)
    {
        if (!this.benchmark.equals(benchmark))
        {
            return false;
        }
        for (final Map.Entry<String, String> e : params.entrySet())
        {
            if (!e.getValue().equals(this.params.get(e.getKey())))
            {
                return false;
            }
        }
        return true;
    }
}
