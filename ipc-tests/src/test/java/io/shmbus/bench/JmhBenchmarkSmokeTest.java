package io.shmbus.bench;

import io.shmbus.bench.jmh.ThreadCpuProfiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every JMH benchmark of {@code scripts/bench jmh} runs: each method with each parameter set for one short measured
 * iteration in this JVM (no fork, no warmup), failing on any exception, such as a refused publication or a poll that
 * delivers less than asked. Each must report a finite time and CPU time ({@link ThreadCpuProfiler}) per operation;
 * no time is asserted.
 */
class JmhBenchmarkSmokeTest
{
    private static final String DIR_PROP_NAME = "shmbus.bench.jmh.dir";
    private Path dir;

    @BeforeEach
    void scratchInShm() throws Exception
    {
        dir = Files.createTempDirectory(BenchDirs.shmParent(), "shmbus-jmh-test-");
        System.setProperty(DIR_PROP_NAME, dir.toString());
    }

    @AfterEach
    void removeScratch() throws Exception
    {
        System.clearProperty(DIR_PROP_NAME);
        try (var left = Files.list(dir))
        {
            assertEquals(0, left.count(), "every trial removes its files");
        }
        BenchDirs.deleteRecursively(dir);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // about 10 s on two idle cores
    void everyBenchmarkRunsOnceWithEveryParameterSet() throws Exception
    {
        final Collection<RunResult> results = new Runner(new OptionsBuilder()
            .include(JmhOptions.BENCHMARKS)
            // needs Chronicle Queue's JVM options, so it runs forked: StructuredMessageBenchmarkSmokeTest
            .exclude(StructuredMessageBenchmarkSmokeTest.BENCHMARK)
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .addProfiler(ThreadCpuProfiler.class)
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build()).run();

        final Set<String> methods = new TreeSet<>();
        for (final RunResult result : results)
        {
            final double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), () -> result.getParams().id() + ": " + score);
            final double cpu = result.getSecondaryResults().get(ThreadCpuProfiler.RESULT).getScore();
            assertTrue(cpu > 0 && Double.isFinite(cpu), () -> result.getParams().id() + ": CPU " + cpu);
            methods.add(result.getParams().getBenchmark().replace("io.shmbus.bench.jmh.", ""));
        }
        assertEquals(Set.of("PublishBenchmark.offer", "PublishBenchmark.claimCommit", "PollBenchmark.pollOne",
            "PollBenchmark.pollBatch", "StoredFrameBenchmark.walk", "StoredFrameBenchmark.check",
            "ClockBenchmark.systemClock", "ClockBenchmark.brokerClock"), methods);
        assertEquals(2 * 8 + 2 * 2 + 2 * 2 + 2, results.size());
    }
}
