package io.shmbus.bench;

import io.shmbus.bench.jmh.StructuredMessageBenchmark;
import io.shmbus.bench.jmh.ThreadCpuProfiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The structured-message benchmark of {@code scripts/bench jmh} runs: each of its three methods for one short
 * measured iteration in one fork, which gets the Chronicle options from the benchmark's {@code @Fork} (this JVM has
 * only the Agrona export), failing on any exception, such as a message not read back. No time is asserted.
 */
class StructuredMessageBenchmarkSmokeTest
{
    static final String BENCHMARK = "io\\.shmbus\\.bench\\.jmh\\.StructuredMessageBenchmark\\.";

    private Path dir;

    @BeforeEach
    void scratchInShm() throws Exception
    {
        dir = Files.createTempDirectory(BenchDirs.shmParent(), "shmbus-jmh-test-");
    }

    @AfterEach
    void removeScratch() throws Exception
    {
        try (var left = Files.list(dir))
        {
            assertEquals(0, left.count(), "every trial removes its files");
        }
        BenchDirs.deleteRecursively(dir);
    }

    @Test
    void itsForksGetTheOptionsChronicleQueueChildrenGet()
    {
        assertEquals(ChildLauncher.CHRONICLE_JVM_OPTIONS,
            Arrays.asList(StructuredMessageBenchmark.class.getAnnotation(Fork.class).jvmArgsPrepend()));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a fork per method: about 15 s on two idle cores
    void eachWayRunsOnceInAForkWithChroniclesOptions() throws Exception
    {
        final Collection<RunResult> results = new Runner(new OptionsBuilder()
            .include(BENCHMARK)
            .forks(1)
            .jvmArgsAppend("-Dshmbus.bench.jmh.dir=" + dir, "-Xmx256m")
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .addProfiler(ThreadCpuProfiler.class)
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build()).run();

        final Set<String> methods = new TreeSet<>();
        for (final RunResult result : results)
        {
            final double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), () -> result.getParams().id() + ": " + score);
            methods.add(result.getParams().getBenchmark().replace("io.shmbus.bench.jmh.", ""));
        }
        assertEquals(Set.of("StructuredMessageBenchmark.chronicleBytesInPlace",
            "StructuredMessageBenchmark.agronaByHand", "StructuredMessageBenchmark.chronicleQueue"), methods);
    }
}
