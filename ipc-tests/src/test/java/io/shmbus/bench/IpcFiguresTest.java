package io.shmbus.bench;

import org.HdrHistogram.Histogram;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPC figures computed from known runs: medians, each shmbus producer kind's ratio against the Aeron publication
 * of its kind, the goals and their verdicts (the latency ones for the better producer kind, named), the merged
 * latency distributions in order, the plots, and the report and suite summary that show them.
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
        final BenchResults results = knownResults(one, two);

        final IpcFigures figures = new IpcFigures(options, results, invocation());
        final ResultsFile file = figures.resultsFile();

        assertEquals(6e6, file.value("throughput", "1x1", "shmbus", 32, "msgs_per_s", "median"), 1);
        assertEquals(20e6, file.value("throughput", "1x1", "shmbus-exclusive", 32, "msgs_per_s", "median"), 1);
        assertEquals(0.8, figures.throughputRatio(one, 32, BenchSystem.SHMBUS), 1e-6,
            "the shared producer against Aeron concurrent, also with one producer");
        assertEquals(20.0 / 15, figures.throughputRatio(one, 32, BenchSystem.SHMBUS_EXCLUSIVE), 1e-6,
            "the exclusive producer against Aeron exclusive");
        assertEquals(1.5, figures.throughputRatio(two, 32, BenchSystem.SHMBUS), 1e-6);
        assertEquals(0.8, file.value("throughput", "1x1", "shmbus÷aeron-concurrent", 32, "ratio", "median"), 1e-6);
        assertEquals(20.0 / 15, file.value("throughput", "1x1", "shmbus-exclusive÷aeron-exclusive", 32, "ratio",
            "median"), 1e-6);
        assertEquals(1.5, file.value("throughput", "2x1", "shmbus÷aeron-concurrent", 32, "ratio", "median"), 1e-6);
        assertEquals(List.of(BenchSystem.SHMBUS, BenchSystem.SHMBUS_EXCLUSIVE), figures.comparedIn(one));
        assertEquals(List.of(BenchSystem.SHMBUS), figures.comparedIn(two));

        final List<ResultsFile.Goal> goals = file.goals();
        assertEquals(3 + 3 + 1, goals.size(), goals.toString());
        assertEquals("1 → 1, 32 B, shmbus ÷ Aeron IPC concurrent", goals.get(0).where());
        assertFalse(goals.get(0).met(), "0.8 x Aeron concurrent at 1 → 1");
        assertEquals("1 → 1, 32 B, shmbus exclusive producer ÷ Aeron IPC exclusive", goals.get(1).where());
        assertTrue(goals.get(1).met(), "1.33 x Aeron exclusive at 1 → 1");
        assertEquals("2 → 1, 32 B, shmbus ÷ Aeron IPC concurrent", goals.get(2).where());
        assertTrue(goals.get(2).met(), "1.5 x Aeron concurrent at 2 → 1");
        assertEquals("round trip ≤ 1.0 × Aeron, best shmbus producer", goals.get(3).goal());
        assertEquals("p50, shmbus exclusive producer ÷ Aeron IPC exclusive", goals.get(3).where(),
            "the exclusive producer has the lower p50");
        assertEquals(190.0 / 200, goals.get(3).measured(), 0.01);
        assertTrue(goals.get(3).met());
        assertEquals("p99, shmbus ÷ Aeron IPC exclusive", goals.get(4).where(), "the shared producer has the lower p99");
        assertEquals(600.0 / 500, goals.get(4).measured(), 0.01);
        assertFalse(goals.get(4).met());
        assertEquals("p99, shmbus ÷ raw SPSC ring (floor)", goals.get(6).where());
        assertEquals(600.0 / 400, goals.get(6).measured(), 0.01, "p99 against the floor");
        assertFalse(goals.get(6).met());

        assertEquals(List.of(BenchSystem.RAW_SHM.label(), BenchSystem.SHMBUS.label(),
            BenchSystem.SHMBUS_EXCLUSIVE.label(), BenchSystem.AERON_EXCLUSIVE.label()),
            List.copyOf(file.distributions().keySet()), "the floor first, then shmbus, then Aeron");
        final List<ResultsFile.Point> shmbus = file.distributions().get(BenchSystem.SHMBUS.label());
        assertEquals(100.0, shmbus.get(shmbus.size() - 1).percentile(), 1e-9);
        assertEquals(3.0, shmbus.get(shmbus.size() - 1).micros(), 0.01, "the slowest round trip, in µs");
        assertEquals(0.3, shmbus.get(0).micros(), 0.001);

        final Map<String, JFreeChart> plots = figures.plots();
        assertEquals(List.of("latency", "throughput", "shapes"), List.copyOf(plots.keySet()));
        assertEquals(List.of("shmbus", "shmbus exclusive producer", "Aeron IPC exclusive", "Aeron IPC concurrent"),
            seriesKeys(plots.get("throughput")), "each system of the first shape a line");
        assertEquals(List.of("raw SPSC ring (floor)", "shmbus", "shmbus exclusive producer", "Aeron IPC exclusive"),
            seriesKeys(plots.get("latency")));
        assertEquals(plots.get("throughput").getXYPlot().getRenderer().getSeriesPaint(1),
            plots.get("latency").getXYPlot().getRenderer().getSeriesPaint(2),
            "the exclusive producer in the same colour in both plots");
        assertEquals(List.of("1 → 1", "1 → 1 exclusive", "2 → 1"),
            plots.get("shapes").getCategoryPlot().getDataset().getColumnKeys(), "a bar per shape and comparison");

        final String report = new IpcReport(options, results, invocation(), null).render(figures,
            Paths.get("ipc-x.md"));
        assertTrue(report.contains("![shapes](ipc-x-shapes.png)"), report);
        assertTrue(report.contains("| 1 → 1 | shmbus ÷ Aeron IPC concurrent | 0.80 |"), report);
        assertTrue(report.contains("| 1 → 1 | shmbus exclusive producer ÷ Aeron IPC exclusive | 1.33 |"), report);
        assertTrue(report.contains("| 2 → 1 | shmbus ÷ Aeron IPC concurrent | 1.50 |"), report);
        assertFalse(report.contains("| 2 → 1 | shmbus exclusive producer"), report);
        assertTrue(report.contains("| shmbus M msg/s | shmbus exclusive producer M msg/s | Aeron IPC exclusive " +
            "M msg/s | Aeron IPC concurrent M msg/s |"), report);
        assertTrue(report.contains(" | 6.00 | 20.00 | 15.00 | 7.50 |"), report);
        assertTrue(report.contains("| shmbus ÷ Aeron IPC concurrent | shmbus exclusive producer ÷ Aeron IPC " +
            "exclusive |\n"), "a ratio column per comparison, and no other: " + report);
        assertTrue(report.contains("| **Aeron ÷ shmbus** | 0.67 |"), report);
        assertTrue(report.contains("| **Aeron ÷ shmbus exclusive producer** | 1.05 |"), report);
        assertTrue(report.contains("**not met (short by 20%)**"), report);

        final Map<SuiteOptions.Part, ResultsFile> parts = new LinkedHashMap<>();
        parts.put(SuiteOptions.Part.IPC, file);
        final String summary = new SuiteSummary(SuiteOptions.parse(new String[]{"--no-plots"}), invocation(), parts,
            Map.of(SuiteOptions.Part.IPC, Paths.get("ipc.md")), List.of()).render();
        assertTrue(summary.contains("| ipc | throughput ≥ 1.0 × Aeron | 1 → 1, 32 B, shmbus ÷ Aeron IPC concurrent | " +
            "0.80 | **not met (short by 20%)** |"), summary);
        assertTrue(summary.contains("| ipc | round trip ≤ 1.0 × Aeron, best shmbus producer | p50, shmbus exclusive " +
            "producer ÷ Aeron IPC exclusive | 0.95 | met |"), summary);
        assertTrue(summary.contains("| size | shmbus | shmbus exclusive producer | Aeron IPC exclusive | Aeron IPC " +
            "concurrent | shmbus ÷ Aeron IPC concurrent | shmbus exclusive producer ÷ Aeron IPC exclusive |"),
            summary);
        assertTrue(summary.contains("| 32 B | 6.00 | 20.00 | 15.00 | 7.50 | 0.80 | 1.33 |"), summary);
        assertTrue(summary.contains("| 1x1 | shmbus ÷ Aeron IPC concurrent | 0.80 |"), summary);
        assertTrue(summary.contains("| 1x1 | shmbus exclusive producer ÷ Aeron IPC exclusive | 1.33 |"), summary);
        assertTrue(summary.contains("| 2x1 | shmbus ÷ Aeron IPC concurrent | 1.50 |"), summary);
        assertFalse(summary.contains("| 2x1 | shmbus exclusive producer"), summary);
        assertTrue(summary.indexOf("| raw SPSC ring (floor) | 0.18 |") < summary.indexOf("| shmbus | 0.30 |") &&
            summary.indexOf("| shmbus | 0.30 |") < summary.indexOf("| shmbus exclusive producer | 0.19 |") &&
            summary.indexOf("| shmbus exclusive producer | 0.19 |") < summary.indexOf("| Aeron IPC exclusive | 0.20 |"),
            summary);
    }

    @Test
    void withoutTheExclusiveProducerTheLatencyGoalsHoldTheSharedOne()
    {
        final BenchOptions options = BenchOptions.parse(new String[]{"--shapes", "1x1", "--sizes", "32", "--runs",
            "1", "--systems", "shmbus,aeron-exclusive,raw-shm"});
        final BenchResults results = new BenchResults();
        results.add(options.shapes.get(0), BenchSystem.SHMBUS, run(32, 9e6));
        results.add(options.shapes.get(0), BenchSystem.AERON_EXCLUSIVE, run(32, 10e6));
        results.add(BenchSystem.SHMBUS, latency(300, 600, 3000));
        results.add(BenchSystem.AERON_EXCLUSIVE, latency(200, 500, 1000));
        results.add(BenchSystem.RAW_SHM, latency(180, 400, 900));

        final IpcFigures figures = new IpcFigures(options, results, invocation());
        final List<ResultsFile.Goal> goals = figures.resultsFile().goals();

        assertEquals(3 + 1, goals.size(), "Aeron concurrent not measured, so no throughput goal: " + goals);
        assertEquals("p50, shmbus ÷ Aeron IPC exclusive", goals.get(0).where());
        assertEquals(1.5, goals.get(0).measured(), 0.01);
        assertTrue(Double.isNaN(figures.throughputRatio(options.shapes.get(0), 32, BenchSystem.SHMBUS)));
        assertEquals(List.of(), figures.comparedIn(options.shapes.get(0)));
        assertTrue(Double.isNaN(figures.resultsFile().value("throughput", "1x1", "shmbus÷aeron-concurrent", 32,
            "ratio", "median")), "no ratio row without the counterpart");
    }

    @Test
    void whenNoShmbusRoundTripSucceededTheGoalsNameTheFirstProducerKindAndSayNotMeasured()
    {
        final BenchOptions options = BenchOptions.parse(new String[]{"--tests", "latency", "--runs", "1"});
        final BenchResults results = new BenchResults();
        results.add(BenchSystem.SHMBUS, LatencyRun.failed("too busy"));
        results.add(BenchSystem.SHMBUS_EXCLUSIVE, LatencyRun.failed("too busy"));
        results.add(BenchSystem.AERON_EXCLUSIVE, latency(200, 500, 1000));
        results.add(BenchSystem.RAW_SHM, latency(180, 400, 900));

        final List<ResultsFile.Goal> goals = new IpcFigures(options, results, invocation()).resultsFile().goals();

        assertEquals(3 + 1, goals.size(), goals.toString());
        assertEquals("p50, shmbus ÷ Aeron IPC exclusive", goals.get(0).where());
        assertEquals("not measured", goals.get(0).verdict());
        assertEquals("p99, shmbus ÷ raw SPSC ring (floor)", goals.get(3).where());
        assertEquals("not measured", goals.get(3).verdict());
    }

    /**
     * At 32 B: 1 → 1 shmbus 6 M msg/s, exclusive 20, Aeron exclusive 15, concurrent 7.5 (medians of three);
     * 2 → 1 shmbus 9, Aeron concurrent 6. Round trips: the exclusive producer lower at p50, the shared one at p99.
     */
    private static BenchResults knownResults(final IpcShape one, final IpcShape two)
    {
        final BenchResults results = new BenchResults();
        for (final double rate : new double[]{5e6, 7e6, 6e6})
        {
            results.add(one, BenchSystem.SHMBUS, run(32, rate));
        }
        for (final double rate : new double[]{18e6, 22e6, 20e6})
        {
            results.add(one, BenchSystem.SHMBUS_EXCLUSIVE, run(32, rate));
        }
        for (final double rate : new double[]{15e6, 16e6, 14e6})
        {
            results.add(one, BenchSystem.AERON_EXCLUSIVE, run(32, rate));
            results.add(one, BenchSystem.AERON_CONCURRENT, run(32, rate / 2));
        }
        results.add(two, BenchSystem.SHMBUS, run(32, 9e6));
        results.add(two, BenchSystem.AERON_CONCURRENT, run(32, 6e6));
        results.add(BenchSystem.SHMBUS, latency(300, 600, 3000));
        results.add(BenchSystem.SHMBUS_EXCLUSIVE, latency(190, 700, 2000));
        results.add(BenchSystem.AERON_EXCLUSIVE, latency(200, 500, 1000));
        results.add(BenchSystem.RAW_SHM, latency(180, 400, 900));
        return results;
    }

    private static List<Object> seriesKeys(final JFreeChart chart)
    {
        final XYDataset data = chart.getXYPlot().getDataset();
        final List<Object> keys = new ArrayList<>();
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            keys.add(data.getSeriesKey(i));
        }
        return keys;
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
