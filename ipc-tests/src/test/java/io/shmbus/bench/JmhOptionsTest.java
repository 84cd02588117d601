package io.shmbus.bench;

import io.shmbus.bench.jmh.ThreadCpuProfiler;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.ProfilerConfig;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/bench jmh} without running a benchmark: the benchmark list JMH's generator wrote, the options of a
 * full and a quick run and the user's JMH options winning over them, a bad option, and the report from known rows.
 */
class JmhOptionsTest
{
    private static final Path REPORT = Path.of("bench-results", "jmh-20261206-120000.md");

    @Test
    void theGeneratedListHoldsEveryBenchmarkWithItsParameters()
    {
        final Map<String, Map<String, List<String>>> found = new TreeMap<>();
        for (final BenchmarkListEntry entry : BenchmarkList.defaultList().find(
            OutputFormatFactory.createFormatInstance(new PrintStream(PrintStream.nullOutputStream()),
                VerboseMode.SILENT), List.of(JmhOptions.BENCHMARKS), List.of()))
        {
            final Map<String, List<String>> params = new TreeMap<>();
            entry.getParams().orElse(Map.of()).forEach((k, v) -> params.put(k, Arrays.asList(v)));
            found.put(entry.getUsername().replace("io.shmbus.bench.jmh.", ""), params);
        }

        final Map<String, List<String>> publish = Map.of("producer", List.of("shared", "exclusive"),
            "size", List.of("32", "1024"), "checksums", List.of("false", "true"));
        final Map<String, List<String>> sized = Map.of("size", List.of("32", "1024"));
        assertEquals(new TreeMap<>(Map.ofEntries(
            Map.entry("PublishBenchmark.offer", new TreeMap<>(publish)),
            Map.entry("PublishBenchmark.claimCommit", new TreeMap<>(publish)),
            Map.entry("PollBenchmark.pollOne", new TreeMap<>(sized)),
            Map.entry("PollBenchmark.pollBatch", new TreeMap<>(sized)),
            Map.entry("StoredFrameBenchmark.walk", new TreeMap<>(sized)),
            Map.entry("StoredFrameBenchmark.check", new TreeMap<>(sized)),
            Map.entry("ClockBenchmark.systemClock", new TreeMap<>()),
            Map.entry("ClockBenchmark.brokerClock", new TreeMap<>()),
            Map.entry("StructuredMessageBenchmark.chronicleBytesInPlace", new TreeMap<>()),
            Map.entry("StructuredMessageBenchmark.agronaByHand", new TreeMap<>()),
            Map.entry("StructuredMessageBenchmark.chronicleQueue", new TreeMap<>()))), found);
    }

    @Test
    void aFullRunHasTwoForksOfTenHalfSecondsAndTheGcProfiler()
    {
        final JmhOptions options = JmhOptions.parse(new String[0]);
        final Options jmh = options.toJmh(REPORT);

        assertFalse(options.quick);
        assertEquals(List.of(JmhOptions.BENCHMARKS), jmh.getIncludes());
        assertEquals(2, jmh.getForkCount().get());
        assertEquals(3, jmh.getWarmupIterations().get());
        assertEquals(TimeValue.seconds(1), jmh.getWarmupTime().get());
        assertEquals(10, jmh.getMeasurementIterations().get());
        assertEquals(TimeValue.milliseconds(500), jmh.getMeasurementTime().get());
        assertEquals(List.of(GCProfiler.class.getName(), ThreadCpuProfiler.class.getName()),
            jmh.getProfilers().stream().map(ProfilerConfig::getKlass).toList());
        assertEquals(ResultFormatType.JSON, jmh.getResultFormat().get());
        assertEquals(Path.of("bench-results", "jmh-20261206-120000.json").toString(), jmh.getResult().get());
    }

    @Test
    void aQuickRunHasOneForkOfShortIterations()
    {
        final Options jmh = JmhOptions.parse(new String[]{"--quick"}).toJmh(REPORT);

        assertEquals(1, jmh.getForkCount().get());
        assertEquals(4, jmh.getWarmupIterations().get());
        assertEquals(TimeValue.milliseconds(400), jmh.getWarmupTime().get());
        assertEquals(8, jmh.getMeasurementIterations().get());
        assertEquals(TimeValue.milliseconds(200), jmh.getMeasurementTime().get());
    }

    @Test
    void theUsersJmhOptionsWinOverTheDefaults()
    {
        final JmhOptions options = JmhOptions.parse(new String[]{"--quick", "-f", "3", "-i", "20", "-prof", "gc",
            "-rf", "csv", "-p", "size=32", "PublishBenchmark.offer"});
        final Options jmh = options.toJmh(REPORT);

        assertTrue(options.quick);
        assertEquals(List.of("PublishBenchmark.offer"), jmh.getIncludes());
        assertEquals(3, jmh.getForkCount().get());
        assertEquals(20, jmh.getMeasurementIterations().get());
        assertEquals(TimeValue.milliseconds(200), jmh.getMeasurementTime().get());
        assertEquals(List.of("gc", ThreadCpuProfiler.class.getName()),
            jmh.getProfilers().stream().map(ProfilerConfig::getKlass).sorted().toList(), "gc given once");
        assertEquals(ResultFormatType.CSV, jmh.getResultFormat().get());
        assertEquals(Path.of("bench-results", "jmh-20261206-120000.csv").toString(), jmh.getResult().get());
        assertEquals(List.of("32"), List.copyOf(jmh.getParameter("size").get()));
        assertFalse(options.jmhOnlyLists());
        assertTrue(JmhOptions.parse(new String[]{"-lp"}).jmhOnlyLists());
        assertTrue(JmhOptions.parse(new String[]{"--help"}).help);
    }

    @Test
    void aBadJmhOptionIsAClearError()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> JmhOptions.parse(new String[]{"--quick", "-f", "many"}));
        assertTrue(ex.getMessage().startsWith("bad JMH option in [-f, many]: "), ex.getMessage());
    }

    @Test
    void theReportShowsEveryRowAndTheRatiosOfOneRun()
    {
        final List<JmhRow> rows = List.of(
            publish("offer", "exclusive", "false", 20.0, 0.000_1),
            publish("offer", "exclusive", "true", 30.0, 0.000_2),
            publish("offer", "shared", "false", 25.0, 0.0),
            new JmhRow("PollBenchmark.pollOne", Map.of("size", "32"), 8.0, Double.NaN, "ns/op", 6.0, Double.NaN,
                0.004),
            new JmhRow("PollBenchmark.pollBatch", Map.of("size", "32"), 2.0, 0.25, "ns/op", Double.NaN, Double.NaN,
                0.001));
        final Invocation invocation = new Invocation(new MachineInfo(2, "cpu", "6.1", "tsc", "1 kB", "java 17"),
            "scripts/bench jmh --quick", List.of("java", "-cp", "x", "org.openjdk.jmh.runner.ForkedMain"),
            LocalDateTime.of(2026, 12, 6, 12, 0), "0.1 0.1 0.1", "0.2 0.2 0.2", 90);

        final String text = new JmhReport(invocation, "forks 1", Path.of("jmh.json"), rows,
            List.of("PollBenchmark.other produced no result")).render();

        assertTrue(text.contains("| PublishBenchmark | producer | size | checksums | time/op | ± | CPU/op | ± | " +
            "B/op |"), text);
        assertTrue(text.contains("| offer | exclusive | 32 | true | 30.0 ns/op | 1.50 ns/op | 15.0 ns/op | " +
            "0.30 ns/op | 0.000 |"), text);
        assertTrue(text.contains("| PollBenchmark | size | time/op | ± | CPU/op | ± | B/op |"), text);
        assertTrue(text.contains("| pollOne | 32 | 8.00 ns/op | ? | 6.00 ns/op | ? | 0.004 |"), text);
        assertTrue(text.contains("| CRC32C on ÷ off, exclusive offer, 32 B | 1.50 |"), text);
        assertTrue(text.contains("| shared ÷ exclusive producer, offer, 32 B, no CRC | 1.25 |"), text);
        assertTrue(text.contains("| poll of one ÷ poll of a batch, per message, 32 B | 3.00 |"),
            "CPU time where measured, else the time: " + text);
        assertFalse(text.contains("CRC32C on ÷ off, shared"), "no ratio without both rows: " + text);
        assertTrue(text.contains("- PollBenchmark.other produced no result"), text);
    }

    private static JmhRow publish(
        final String method, final String producer, final String checksums, final double ns, final double bytes)
    {
        final Map<String, String> params = new LinkedHashMap<>();
        params.put("producer", producer);
        params.put("size", "32");
        params.put("checksums", checksums);
        return new JmhRow("PublishBenchmark." + method, params, ns, ns * 0.05, "ns/op", ns / 2, ns / 100, bytes);
    }
}
