package io.shmbus.bench;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench idle}: the CPU an idle broker and an idle connected client use. A broker process (as
 * {@code scripts/shmbus broker} runs it: default idle strategy, a persistent data directory, the network server on)
 * and a client process with a producer and a consumer open on each of a few topics send nothing; after a warm-up
 * each process's CPU time over a window is read from {@code /proc} (utime+stime of {@code /proc/PID/stat}, and the
 * scheduler's schedstat), as a share of one core, with the threads it went to. Goal: under 2% of a core each.
 * The anchor, measured in the same run after it: the same pair with the broker's conductor idling on Agrona's
 * {@code BackoffIdleStrategy} parking up to 1 ms (the broker's default before it parked longer when quiet).
 * <p>
 * The benchmark's main thread only.
 */
public final class IdleBenchmark
{
    /** The most of one core an idle broker, or an idle client, may use, in percent. */
    static final double GOAL_PCT_OF_CORE = 2.0;
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 15_000;

    /** The broker and the client measured with the broker's default idle strategy. */
    static final String DEFAULT = "default";
    /** The same with the conductor on Agrona's BackoffIdleStrategy, parking up to 1 ms. */
    static final String ANCHOR = "agrona-backoff";

    /**
     * What one idle process used over the window; {@code setup} is {@link #DEFAULT} or {@link #ANCHOR}; the threads
     * by name, busiest first, in ns.
     */
    record IdleProcess(String setup, String name, long pid, double wallS, long ticksNs, long schedstatNs,
        List<Map.Entry<String, Long>> threads)
    {
        /** utime+stime as a percentage of one core. */
        double ticksPct()
        {
            return 100.0 * ticksNs / (wallS * 1e9);
        }

        /** schedstat as a percentage of one core; NaN where the kernel keeps no schedstat. */
        double schedstatPct()
        {
            return schedstatNs <= 0 ? Double.NaN : 100.0 * schedstatNs / (wallS * 1e9);
        }

        /** The figure held against the goal: the larger of the two accounts. */
        double pct()
        {
            return Double.isNaN(schedstatPct()) ? ticksPct() : Math.max(ticksPct(), schedstatPct());
        }
    }

    private final IdleOptions options;
    private final String commandLine;
    private final List<IdleProcess> measured = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private Path reportFile;

    IdleBenchmark(final IdleOptions options, final String commandLine)
    {
        this.options = options;
        this.commandLine = commandLine;
    }

    public static void main(final String[] args)
    {
        final IdleOptions options = BenchMain.options("bench idle", args, IdleOptions::parse, o -> o.help,
            IdleOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final String command = BenchMain.commandLine(IdleBenchmark.class, args);
        System.exit(new IdleBenchmark(options, command).run());
    }

    List<IdleProcess> measured()
    {
        return measured;
    }

    List<String> failures()
    {
        return failures;
    }

    Path reportFile()
    {
        return reportFile;
    }

    /**
     * Starts the broker and the client, measures them, writes the report and the results file.
     *
     * @return the exit code: 0 when both were measured and the report written (whether or not the goal was met).
     */
    int run()
    {
        final long startNs = System.nanoTime();
        final LocalDateTime started = LocalDateTime.now();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        final Path root = BenchMain.root();
        reportFile = BenchMain.reportFile(options.out, "idle", started);
        BenchConsole.opening("bench idle", commandLine, machine, loadBefore, options.topics + " topic(s), warm-up " +
            options.warmupSeconds + " s, window " + options.seconds + " s");

        List<String> childCommand = List.of();
        try (ChildLauncher launcher = new ChildLauncher(List.of(), null))
        {
            childCommand = launcher.baseCommand();
            final Path shmBase = BenchDirs.createFresh(BenchDirs.shmParent(), "shmbus-bench-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(shmBase));
            final Path dataBase = BenchDirs.createFresh(root.resolve("target").resolve("bench-data"), "idle-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(dataBase));
            measure(launcher, startNs, DEFAULT, shmBase.resolve("shm"), dataBase.resolve("data"));
            if (options.anchor)
            {
                measure(launcher, startNs, ANCHOR, shmBase.resolve("shm-anchor"), dataBase.resolve("data-anchor"));
            }
        }
        catch (final BenchException ex)
        {
            failures.add(BenchConsole.firstLine(ex.getMessage()));
        }

        final Invocation invocation = new Invocation(machine, commandLine, childCommand, started, loadBefore,
            MachineInfo.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final String report = new IdleReport(options, invocation, measured, failures).render();
        if (!BenchConsole.writeReport("bench idle", report, reportFile) ||
            !BenchConsole.writeResults("bench idle", resultsFile(invocation), reportFile))
        {
            return 1;
        }
        return failures.isEmpty() && measured.size() == (options.anchor ? 4 : 2) ? 0 : 1;
    }

    private void measure(
        final ChildLauncher launcher, final long startNs, final String setup, final Path shm, final Path data)
    {
        ChildProcess broker = null;
        ChildProcess client = null;
        boolean ok = false;
        try
        {
            final Map<String, String> brokerArgs = new LinkedHashMap<>();
            brokerArgs.put("dir", shm.toString());
            brokerArgs.put("capacity", "1m");
            brokerArgs.put("dataDir", data.toString());
            brokerArgs.put("netPort", Integer.toString(options.netPort));
            brokerArgs.put("idle", setup);
            broker = launcher.start("broker", "shmbus-broker", brokerArgs);
            BenchConsole.progress(startNs, "broker: " + broker.await("READY", START_TIMEOUT_MS, "the broker"));
            client = launcher.start("client", "idle-client", Map.of("dir", shm.toString(),
                "topics", Integer.toString(options.topics)));
            BenchConsole.progress(startNs, "client: " + client.await("READY", START_TIMEOUT_MS, "the client"));
            TimeUnit.SECONDS.sleep(options.warmupSeconds);

            BenchConsole.progress(startNs, "measuring for " + options.seconds + " s");
            final ChildProcess[] children = {broker, client};
            final ProcessCpu.Reading[] before = new ProcessCpu.Reading[children.length];
            final ThreadsCpu.Reading[] threadsBefore = new ThreadsCpu.Reading[children.length];
            final long windowStartNs = System.nanoTime();
            for (int i = 0; i < children.length; i++)
            {
                before[i] = ProcessCpu.read(children[i].pid());
                threadsBefore[i] = ThreadsCpu.read(children[i].pid());
            }
            TimeUnit.SECONDS.sleep(options.seconds);
            for (int i = 0; i < children.length; i++)
            {
                final ProcessCpu.Reading after = ProcessCpu.read(children[i].pid());
                final ThreadsCpu.Reading threadsAfter = ThreadsCpu.read(children[i].pid());
                final double wallS = (System.nanoTime() - windowStartNs) / 1e9;
                if (!children[i].isAlive())
                {
                    throw new BenchException(children[i].name() + " exited during the window: " +
                        children[i].tailText());
                }
                final IdleProcess process = new IdleProcess(setup, children[i].name(), children[i].pid(), wallS,
                    after.ticksNs() - before[i].ticksNs(), after.schedstatNs() - before[i].schedstatNs(),
                    threadsAfter.since(threadsBefore[i]));
                measured.add(process);
                BenchConsole.progress(startNs, String.format(java.util.Locale.ROOT,
                    "%s, %s (pid %d): %.2f%% of a core (utime+stime), %.2f%% (schedstat)", setup, process.name(), process.pid(),
                    process.ticksPct(), process.schedstatPct()));
            }
            ok = true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            failures.add("interrupted");
        }
        catch (final BenchException ex)
        {
            failures.add(BenchConsole.firstLine(ex.getMessage()));
        }
        finally
        {
            launcher.finish(ok, STOP_TIMEOUT_MS, client, broker);
        }
    }

    private ResultsFile resultsFile(final Invocation invocation)
    {
        final ResultsFile results = new ResultsFile()
            .meta("benchmark", "idle")
            .meta("date", invocation.started().toString())
            .meta("command", invocation.commandLine())
            .meta("code", System.getProperty(IpcBenchmark.CODE_PROP_NAME, "unknown"))
            .meta("load_before", invocation.loadBefore())
            .meta("load_after", invocation.loadAfter())
            .meta("topics", Integer.toString(options.topics))
            .meta("window_s", Integer.toString(options.seconds));
        for (final IdleProcess process : measured)
        {
            final String shape = options.topics + " topics";
            final String system = process.name() + (DEFAULT.equals(process.setup()) ? "" : " (" + ANCHOR + ")");
            results.add(new ResultsFile.Row("idle", "idle-cpu", shape, system, 0, "utime+stime",
                "% of one core", "run 1", process.ticksPct()));
            results.add(new ResultsFile.Row("idle", "idle-cpu", shape, system, 0, "schedstat",
                "% of one core", "run 1", process.schedstatPct()));
            if (!DEFAULT.equals(process.setup()))
            {
                continue;
            }
            results.goal(new ResultsFile.Goal("idle", "idle " + process.name() + " under " + GOAL_PCT_OF_CORE +
                "% of a core", shape, process.pct(), GOAL_PCT_OF_CORE, false));
        }
        return results;
    }
}
