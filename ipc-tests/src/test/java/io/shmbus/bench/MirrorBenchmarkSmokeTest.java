package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/bench mirror} end to end at a tiny size, its latency and catch-up parts (the throughput part is the
 * latency part's run without a rate; leaving it out keeps the test near 20 s): a mirrored topic and plain Aeron UDP
 * both deliver every message in order with latency percentiles, a new mirror catches up the source's archive beside
 * raw sendfile, the report and results files are written, and no broker directory is left behind. No timing is
 * asserted.
 */
@Timeout(120)
class MirrorBenchmarkSmokeTest
{
    @TempDir
    Path out;

    @Test
    void everyPartProducesNumbers() throws Exception
    {
        final MirrorOptions options = MirrorOptions.parse(new String[]{"--sizes", "64", "--messages", "20000",
            "--latency-samples", "500", "--rate", "5000", "--catch-up-mib", "8", "--capacity", "1m",
            "--segment-length", "4m", "--parts", "latency,catch-up", "--out", out.resolve("mirror.md").toString()});
        final MirrorBenchmark benchmark = new MirrorBenchmark(options, "smoke");
        final int exitCode = benchmark.run();
        final MirrorResults results = benchmark.results();

        assertTrue(results.failures.isEmpty(), results.failures.toString());
        assertEquals(0, exitCode);
        for (final String system : new String[]{MirrorResults.MIRROR, MirrorResults.AERON})
        {
            final MirrorResults.Latency latency = results.latency(system, 64);
            assertNotNull(latency, system);
            assertEquals("500", latency.fields().get("latencyCount"), system + ": " + latency.fields());
            assertTrue(latency.micros("p50Ns") <= latency.micros("maxNs"), system + ": " + latency.fields());
        }
        assertTrue(results.latency(MirrorResults.MIRROR, 64).fields().containsKey("frameP99Ns"));
        final MirrorResults.CatchUp catchUp = results.catchUp;
        assertNull(catchUp.failure());
        assertTrue(catchUp.bytes() >= (7L << 20), "archived " + catchUp.bytes());
        // a tiny archive may be caught up before the parent first looks: then nothing is timed
        assertTrue(catchUp.mirrorBytes() == 0 || catchUp.mirrorGibPerSecond() > 0, catchUp.toString());
        assertTrue(catchUp.sendfileGibPerSecond() > 0, catchUp.toString());
        assertEquals(2, catchUp.sendfileNs().size());

        final String report = Files.readString(out.resolve("mirror.md"));
        assertTrue(report.contains("| 64 B | shmbus-mirror |"), report);
        assertTrue(report.contains("| 64 B | aeron-udp |"), report);
        assertTrue(report.contains("catch-up >= 0.9x raw sendfile"), report);
        final String json = Files.readString(out.resolve("mirror.json"));
        assertTrue(json.contains("\"test\": \"catch-up\""), json);
        assertTrue(Files.readString(out.resolve("mirror.csv")).startsWith(ResultsFile.CSV_HEADER));
        assertFalse(Files.exists(Path.of(results.dataDir)), results.dataDir + " left behind");
    }
}
