package io.shmbus.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPC figures computed from known runs: medians, the shmbus ÷ Aeron ratio against the right publication per
 * shape, the goals and their verdicts, the merged latency distribution, the plots, and the report and suite summary
 * that show them.
 */
class IpcFiguresTest
{
    private static final CpuMeter.Usage NO_USAGE = new CpuMeter.Usage(Double.NaN, Double.NaN);

    @Test
    void ratiosGoalsAndDistributionsFromKnownRuns()
    {
        final BenchOptions options = BenchOptions.parse(new String[]{"--shapes", "1x1,2x1", "--sizes", "32",
            "--shape-sizes", "32", "--runs", "3"});
        final IpcShape one = options.shapes.get(0);
        final IpcShape two = options.shapes.get(1);
        final BenchResults results = new BenchResults();
        for (final double rate : new double[]{10e6, 14e6, 12e6})
        {
            results.add(one, BenchSystem.SHMBUS, run(32, rate));
        }
        for (final double rate : new double[]{15e6, 16e6, 14e6})
        {
            results.add(one, BenchSystem.AERON_EXCLUSIVE, run(32, rate));
            results.add(one, BenchSystem.AERON_CONCURRENT, run(32, rate / 2));
        }
        results.add(two, BenchSystem.SHMBUS, run(32, 9e6));
        results.add(two, BenchSystem.AERON_CONCURRENT, run(32, 6e6));
        results.add(BenchSystem.SHMBUS, latency(300, 600, 3000));
        results.add(BenchSystem.AERON_EXCLUSIVE, latency(200, 500, 1000));
        results.add(BenchSystem.RAW_SHM, latency(180, 400, 900));

        final IpcFigures figures = new IpcFigures(options, results, invocation());
        final ResultsFile file = figures.resultsFile();

        assertEquals(12e6, file.value("throughput", "1x1", "shmbus", 32, "msgs_per_s", "median"), 1);
        assertEquals(12e6 / 15e6, figures.throughputRatio(one, 32), 1e-6, "1 producer: against Aeron exclusive");
        assertEquals(1.5, figures.throughputRatio(two, 32), 1e-6, "2 producers: against Aeron concurrent");
        assertEquals(1.5, file.value("throughput", "2x1", "shmbus÷aeron-concurrent", 32, "ratio", "median"), 1e-6);

        final List<ResultsFile.Goal> goals = file.goals();
        assertEquals(2 + 3 + 1, goals.size(), goals.toString());
        assertFalse(goals.get(0).met(), "0.8 x Aeron at 1 → 1");
        assertTrue(goals.get(1).met(), "1.5 x Aeron at 2 → 1");
        assertEquals("p50, shmbus ÷ Aeron IPC exclusive", goals.get(2).where());
        assertEquals(1.5, goals.get(2).measured(), 0.01);
        assertEquals(600.0 / 400, goals.get(5).measured(), 0.01, "p99 against the floor");
        assertFalse(goals.get(5).met());

        final List<ResultsFile.Point> shmbus = file.distributions().get(BenchSystem.SHMBUS.label());
        assertEquals(100.0, shmbus.get(shmbus.size() - 1).percentile(), 1e-9);
        assertEquals(3.0, shmbus.get(shmbus.size() - 1).micros(), 0.01, "the slowest round trip, in µs");
        assertEquals(0.3, shmbus.get(0).micros(), 0.001);
        assertEquals(Map.of("latency", 0, "throughput", 0, "shapes", 0).keySet(), figures.plots().keySet());

        final String report = new IpcReport(options, results, invocation(), null).render(figures,
            Paths.get("ipc-x.md"));
        assertTrue(report.contains("![shapes](ipc-x-shapes.png)"), report);
        assertTrue(report.contains("| 2 → 1 | Aeron IPC concurrent | 1.50 |"), report);
        assertTrue(report.contains("**not met (short by 20%)**"), report);

        final Map<SuiteOptions.Part, ResultsFile> parts = new LinkedHashMap<>();
        parts.put(SuiteOptions.Part.IPC, file);
        final String summary = new SuiteSummary(SuiteOptions.parse(new String[]{"--no-plots"}), invocation(), parts,
            Map.of(SuiteOptions.Part.IPC, Paths.get("ipc.md")), List.of()).render();
        assertTrue(summary.contains("| ipc | throughput ≥ 1.0 × Aeron | 1 → 1, 32 B, ÷ Aeron IPC exclusive | 0.80 | " +
            "**not met (short by 20%)** |"), summary);
        assertTrue(summary.contains("| 32 B | 12.00 | 15.00 | 7.50 | 0.80 | 1.60 |"), summary);
        assertTrue(summary.contains("| 2x1 | 1.50 |"), summary);
        assertTrue(summary.contains("| shmbus | 0.30 |"), summary);
    }

    private static ThroughputRun run(final int size, final double messagesPerSecond)
    {
        final long measured = 1_000_000;
        return new ThroughputRun(size, measured, Math.round(measured * 1e9 / messagesPerSecond), 0, NO_USAGE, null);
    }

    /** A run whose round trips are 98% {@code p50Ns}, 1.9% {@code p99Ns} and 0.1% {@code maxNs}. */
    private static LatencyRun latency(final long p50Ns, final long p99Ns, final long maxNs)
    {
        final Histogram histogram = new Histogram(10_000_000_000L, 3);
        histogram.recordValueWithCount(p50Ns, 9800);
        histogram.recordValueWithCount(p99Ns, 190);
        histogram.recordValueWithCount(maxNs, 10);
        final Map<String, String> fields = new HashMap<>();
        for (final String key : IpcReport.PERCENTILES)
        {
            fields.put(key, Long.toString(histogram.highestEquivalentValue(histogram.getValueAtPercentile(
                "p50Ns".equals(key) ? 50 : "p90Ns".equals(key) ? 90 : "p99Ns".equals(key) ? 99 :
                "p999Ns".equals(key) ? 99.9 : "p9999Ns".equals(key) ? 99.99 : 100))));
        }
        fields.put("meanNs", Long.toString(Math.round(histogram.getMean())));
        fields.put("count", Long.toString(histogram.getTotalCount()));
        fields.put("histogram", PingRole.encode(histogram));
        return new LatencyRun(fields, NO_USAGE, null);
    }

    private static Invocation invocation()
    {
        return new Invocation(new MachineInfo(2, "test CPU", "6.0", "tsc", "1 GiB", "java 17"), "test", List.of(),
            LocalDateTime.of(2026, 1, 1, 0, 0), "0.10 0.20 0.30", "0.40 0.50 0.60", 12);
    }
}
