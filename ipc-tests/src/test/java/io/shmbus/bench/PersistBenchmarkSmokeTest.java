package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/bench persist} end to end at a tiny size: every system (shmbus non-persistent, persistent, and
 * Chronicle Queue with its JVM flags) runs once with real child processes, reports rates above zero, the archive
 * check passes, the report is written, and nothing is left in the data directory.
 */
class PersistBenchmarkSmokeTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // about 10 s on two idle cores; generous for a busy machine
    void runsEverySystemOnceAndReportsNumbers(@TempDir final Path out) throws Exception
    {
        final Path dataDir = Paths.get("target", "bench-smoke-data"); // a real file system, like the benchmark's
        final Path report = out.resolve("persist.md");
        final PersistOptions options = PersistOptions.parse(new String[]{
            "--sizes", "256", "--messages", "20k", "--runs", "1", "--data-dir", dataDir.toString(),
            "--out", report.toString()});
        final PersistBenchmark benchmark = new PersistBenchmark(options, "PersistBenchmarkSmokeTest");

        final int exitCode = benchmark.run();

        assertEquals(0, exitCode, () -> "failures: " + benchmark.results().failures);
        assertEquals(3, benchmark.results().runs.size());
        for (final PersistRun run : benchmark.results().runs)
        {
            assertTrue(run.ok(), () -> run.system() + ": " + run.failure());
            assertTrue(run.messagesPerSecond() > 0, () -> run.system() + " reported " + run.messagesPerSecond());
            assertTrue(run.megabytesPerSecond() > 0, () -> run.system() + " reported " + run.megabytesPerSecond());
            assertTrue(run.sendMessagesPerSecond() > 0, () -> run.system() + " producer reported nothing");
            if (run.system().isArchived())
            {
                assertNotNull(run.archive());
                assertTrue(run.archive().ok(), run.archive().problem());
                assertTrue(run.archive().archivedBytes() > 0);
                assertEquals(25_000, run.archive().scannedMessages(), "warmup and measured messages, frame by frame");
            }
        }
        final String text = Files.readString(report, StandardCharsets.UTF_8);
        assertTrue(text.contains("shmbus-persistent ÷ chronicle"), text);
        try (var left = Files.list(dataDir))
        {
            assertFalse(left.findAny().isPresent(), "the benchmark left files in " + dataDir);
        }
    }
}
