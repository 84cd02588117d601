package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/bench idle} end to end with short windows: a real broker and a real idle client are measured,
 * each with the time of its own shmbus thread among its threads, then the anchor's pair, and the report and results files are written.
 * The figures themselves are the benchmark's to judge, not this test's.
 */
class IdleBenchmarkSmokeTest
{
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void measuresTheBrokerAndTheClientAndWritesTheReport(@TempDir final Path out) throws Exception
    {
        final Path report = out.resolve("idle.md");
        final IdleBenchmark benchmark = new IdleBenchmark(IdleOptions.parse(new String[]{
            "--seconds", "2", "--warmup", "0", "--topics", "2", "--out", report.toString()}), "IdleBenchmarkSmokeTest");

        assertEquals(0, benchmark.run(), () -> "failures: " + benchmark.failures());

        assertEquals(4, benchmark.measured().size(), "the broker and the client, then the anchor's");
        assertThread(benchmark.measured().get(0), "broker", "shmbus-broker-c");
        assertThread(benchmark.measured().get(1), "client", "shmbus-client-c");
        assertThread(benchmark.measured().get(2), "broker", "shmbus-broker-c");
        assertEquals(IdleBenchmark.ANCHOR, benchmark.measured().get(2).setup());
        final String text = Files.readString(report, StandardCharsets.UTF_8);
        assertTrue(text.contains("## CPU while idle") && text.contains("| default | broker |") &&
            text.contains("| default | client |") && text.contains("| anchor: Agrona backoff, 1 ms | broker |") &&
            text.contains("x the CPU of the anchor"),
            text);
        final String json = Files.readString(ResultsFile.sibling(report, ".json"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"utime+stime\"") && json.contains("idle broker under 2.0% of a core"), json);
    }

    @Test
    void badOptionsAreRefusedWithTheirName()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> IdleOptions.parse(new String[]{"--seconds", "0"}));
        assertEquals("--seconds must be at least 1, not 0", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IdleOptions.parse(new String[]{"--net-port", "70000"}));
        assertThrows(IllegalArgumentException.class, () -> IdleOptions.parse(new String[]{"--topics"}));
    }

    private static void assertThread(final IdleBenchmark.IdleProcess process, final String name, final String thread)
    {
        assertEquals(name, process.name());
        assertTrue(process.wallS() >= 2, () -> name + " window " + process.wallS());
        assertTrue(process.ticksNs() >= 0 && process.schedstatNs() >= 0, () -> name + ": " + process);
        assertTrue(process.threads().stream().map(Map.Entry::getKey).anyMatch(thread::equals),
            () -> name + " threads: " + process.threads());
    }
}
