package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/bench ipc} end to end at a tiny size, with real child processes: two producer processes into one
 * topic against one Aeron concurrent publication each, and the ping-pong of shmbus and the floor; the exclusive
 * producer against Aeron's exclusive publication with one producer (and not with two), and its ping-pong. Every run
 * reports a rate or percentiles, and the report, the results file and the plots are written. No timing is asserted.
 */
class IpcBenchmarkSmokeTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // about 10 s on two idle cores
    void twoProducersAndAPingPongWriteEveryFile(@TempDir final Path out) throws Exception
    {
        final Path report = out.resolve("ipc.md");
        final BenchOptions options = BenchOptions.parse(new String[]{"--shapes", "2x1", "--sizes", "64",
            "--messages", "20k", "--runs", "1", "--systems", "shmbus,aeron-concurrent,raw-shm",
            "--latency-samples", "5k", "--latency-warmup", "1k", "--out", report.toString()});
        final IpcBenchmark benchmark = new IpcBenchmark(options, "IpcBenchmarkSmokeTest");

        final int exitCode = benchmark.run();

        assertEquals(0, exitCode, () -> "failures: " + benchmark.results().failures);
        final IpcShape shape = options.shapes.get(0);
        for (final BenchSystem system : new BenchSystem[]{BenchSystem.SHMBUS, BenchSystem.AERON_CONCURRENT})
        {
            final ThroughputRun run = benchmark.results().runs(shape, 64, system).get(0);
            assertTrue(run.ok() && run.messagesPerSecond() > 0, system + ": " + run);
        }
        assertTrue(benchmark.results().runs(shape, 64, BenchSystem.AERON_EXCLUSIVE).isEmpty());
        for (final BenchSystem system : new BenchSystem[]{BenchSystem.SHMBUS, BenchSystem.RAW_SHM})
        {
            final LatencyRun run = benchmark.results().latency.get(system).get(0);
            assertTrue(run.ok(), system + ": " + run.failure());
            assertEquals(5_000, run.histogram().getTotalCount());
        }
        final String json = Files.readString(out.resolve("ipc.json"));
        assertTrue(json.contains("\"shape\": \"2x1\", \"system\": \"shmbus\\u00f7aeron-concurrent\""), json);
        assertTrue(Files.readString(out.resolve("ipc.csv")).startsWith(ResultsFile.CSV_HEADER));
        for (final String plot : new String[]{"latency", "throughput", "shapes"})
        {
            final BufferedImage image = ImageIO.read(out.resolve("ipc-" + plot + ".png").toFile());
            assertEquals(BenchPlots.WIDTH, image.getWidth(), plot);
        }
        assertTrue(Files.readString(report).contains("## Throughput: 2 producer processes → 1 consumer process"));
        assertNothingLeft();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // about 10 s on two idle cores
    void theExclusiveProducerAgainstAeronExclusiveWithOneProducer(@TempDir final Path out) throws Exception
    {
        final Path report = out.resolve("ipc.md");
        final BenchOptions options = BenchOptions.parse(new String[]{"--shapes", "1x1,2x1", "--sizes", "64",
            "--shape-sizes", "64", "--messages", "20k", "--runs", "1", "--systems", "shmbus-exclusive,aeron-exclusive",
            "--latency-samples", "5k", "--latency-warmup", "1k", "--out", report.toString()});
        final IpcBenchmark benchmark = new IpcBenchmark(options, "IpcBenchmarkSmokeTest");

        final int exitCode = benchmark.run();

        assertEquals(0, exitCode, () -> "failures: " + benchmark.results().failures);
        final IpcShape one = options.shapes.get(0);
        for (final BenchSystem system : new BenchSystem[]{BenchSystem.SHMBUS_EXCLUSIVE, BenchSystem.AERON_EXCLUSIVE})
        {
            final ThroughputRun run = benchmark.results().runs(one, 64, system).get(0);
            assertTrue(run.ok() && run.messagesPerSecond() > 0, system + ": " + run);
            final LatencyRun latency = benchmark.results().latency.get(system).get(0);
            assertTrue(latency.ok(), system + ": " + latency.failure());
            assertEquals(5_000, latency.histogram().getTotalCount());
            assertTrue(benchmark.results().runs(options.shapes.get(1), 64, system).isEmpty(),
                system + " takes one producer only");
        }
        final String json = Files.readString(out.resolve("ipc.json"));
        assertTrue(json.contains("\"shape\": \"1x1\", \"system\": \"shmbus-exclusive\\u00f7aeron-exclusive\""), json);
        final String text = Files.readString(report);
        assertTrue(text.contains("| 1 → 1 | shmbus exclusive producer ÷ Aeron IPC exclusive |"), text);
        assertTrue(text.contains("| **Aeron ÷ shmbus exclusive producer** |"), text);
        assertNothingLeft();
    }

    private static void assertNothingLeft() throws IOException
    {
        try (var left = Files.list(BenchDirs.shmParent()))
        {
            final String pid = Long.toString(ProcessHandle.current().pid());
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("shmbus-bench-" + pid + "-")),
                "the benchmark left its directory in " + BenchDirs.shmParent());
        }
    }
}
