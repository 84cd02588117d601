package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code scripts/bench replay} end to end at a tiny size: every method produces a positive throughput and CPU
 * figure, the report renders, and nothing is left behind. No timing is asserted.
 */
@Timeout(90)
class ReplayBenchmarkSmokeTest
{
    @Test
    void everyMethodProducesNumbers() throws Exception
    {
        final ReplayBenchOptions options = ReplayBenchOptions.parse(new String[]{"--runs", "1", "--size-mib", "8"});
        final Path dataDir = Files.createTempDirectory(Paths.get("target"), "replay-smoke-");
        options.dataDir = dataDir;
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final ReplayBenchmark.Results results;
        try
        {
            results = ReplayBenchmark.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(dataDir);
        }
        final String output = log.toString(StandardCharsets.UTF_8);
        assertTrue(results.failures.isEmpty(), results.failures + "\n" + output);
        assertEquals(8L << 20, results.topicBytes, output);
        for (final ReplayMethod method : ReplayMethod.values())
        {
            final ReplayRun run = results.runs.stream().filter(r -> r.method() == method).findFirst()
                .orElseThrow(() -> new AssertionError("no run of " + method.id + "\n" + output));
            assertTrue(run.bytes() > 0 && run.gibPerSecond() > 0, method.id + ": " + run);
            assertTrue(run.cpuSecondsPerGib() > 0, method.id + ": " + run); // for shmbus-net the broker's CPU
        }
        final String report = new ReplayReport(options, results, MachineInfo.collect(), "smoke", LocalDateTime.now(),
            "0 0 0", "0 0 0", 1).render();
        assertTrue(report.contains("| shmbus-cli |"), report);
        assertTrue(report.contains("| shmbus-net |"), report);
        assertTrue(report.contains("Goals for shmbus-cli"), report);
    }
}
