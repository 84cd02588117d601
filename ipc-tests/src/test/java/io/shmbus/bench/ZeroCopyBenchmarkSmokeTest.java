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
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code scripts/bench zero-copy} end to end at a tiny size, without strace (it may be missing): every path
 * produces counts, the copy-heavy paths make the calls their code path says, the report renders, and nothing is
 * left behind. No timing is asserted. Also the option parser.
 */
@Timeout(120)
class ZeroCopyBenchmarkSmokeTest
{
    @Test
    void everyPathProducesCounts() throws Exception
    {
        final ZeroCopyOptions options = ZeroCopyOptions.parse(new String[]{"--size-mib", "8", "--capacity-mib", "8",
            "--no-strace"});
        final Path scratch = Files.createTempDirectory(Paths.get("target"), "zero-copy-smoke-");
        options.dataDir = scratch;
        options.shmParent = scratch; // the ring files on disk: a smoke test needs no tmpfs
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final ZeroCopyBenchmark.Results results;
        try
        {
            results = ZeroCopyBenchmark.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));
            try (Stream<Path> left = Files.list(scratch))
            {
                assertEquals(List.of(), left.toList(), "left behind");
            }
        }
        finally
        {
            BenchDirs.deleteRecursively(scratch);
        }
        final String output = log.toString(StandardCharsets.UTF_8);
        assertTrue(results.failures.isEmpty(), results.failures + "\n" + output);
        for (final ZeroCopyPath path : ZeroCopyPath.values())
        {
            final ZeroCopyRun run = results.runs.get(path);
            assertNotNull(run, path.id + "\n" + output);
            assertTrue(run.bytes() >= 8L << 20 && run.nanos() > 0, path.id + ": " + run);
            assertTrue(run.counters().cpuNs() > 0, path.id + ": " + run);
            assertNull(run.syscalls(), path.id);
        }
        assertEquals(8L << 20, results.socketBytes);
        assertEquals(0, results.runs.get(ZeroCopyPath.POLL).waits(), "the consumer found every step in the ring");
        final String report = new ZeroCopyReport(options, results, new Invocation(MachineInfo.collect(), "smoke",
            List.of(), LocalDateTime.now(), "0 0 0", "0 0 0", 1)).render();
        assertTrue(report.contains("| segment to socket | sendfile | sender | 0 (+1 in the receiver) |"), report);
        assertTrue(report.contains("not counted: not asked for (--no-strace)"), report);
    }

    @Test
    void optionsDefaultQuickAndBadInput()
    {
        assertEquals(1024, ZeroCopyOptions.parse(new String[0]).sizeMiB);
        assertEquals(256, ZeroCopyOptions.parse(new String[]{"--quick"}).sizeMiB);
        assertEquals(42300, ZeroCopyOptions.parse(new String[]{"--port", "42300"}).port);
        assertThrows(IllegalArgumentException.class, () -> ZeroCopyOptions.parse(new String[]{"--capacity-mib", "48"}));
        assertThrows(IllegalArgumentException.class, () -> ZeroCopyOptions.parse(new String[]{"--size-mib"}));
        assertThrows(IllegalArgumentException.class,
            () -> ZeroCopyOptions.parse(new String[]{"--size-mib", "8", "--capacity-mib", "64"}));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ZeroCopyOptions.parse(new String[]{"--fast"}));
        assertTrue(ex.getMessage().contains("--fast"), ex.getMessage());
    }
}
