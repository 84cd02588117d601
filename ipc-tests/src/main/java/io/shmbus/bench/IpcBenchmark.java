package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code scripts/bench ipc}: shmbus against Aeron IPC in the same shapes and the same invocation, every party in a
 * JVM process of its own.
 * <ul>
 *   <li>Throughput: producer processes into one stream, consumer processes each reading all of it, per shape
 *   and message size, measured on the consumers from the first to the last message of the batch after a warmup;
 *   shmbus's shared producer and Aeron's concurrent publication in every shape, shmbus's exclusive producer and
 *   Aeron's exclusive publication in 1-producer shapes; repeated, the median reported.</li>
 *   <li>Latency: ping-pong round trips between two processes, recorded in an HdrHistogram by the ping process; a
 *   bare shared-memory ring (the floor), both shmbus producer kinds and Aeron's exclusive publication.</li>
 * </ul>
 * The Aeron media driver runs in its own process too, and only while Aeron is measured, so it takes no CPU from
 * shmbus runs. Each shmbus run gets a fresh topic directory; each Aeron run fresh stream ids. Children are killed
 * and shared-memory files removed however the benchmark ends.
 */
public final class IpcBenchmark
{
    static final String COMMAND_PROP_NAME = "shmbus.bench.command";
    static final String ROOT_PROP_NAME = "shmbus.bench.root";
    static final String CODE_PROP_NAME = "shmbus.bench.code";

    private static final long READY_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 10_000;
    private static final int FIRST_STREAM_ID = 1001;

    private final BenchOptions options;
    private final String commandLine;
    private final long startNs = System.nanoTime();
    private final BenchResults results;
    private final int nproc = Runtime.getRuntime().availableProcessors();
    private Path baseDir;
    private int nextStreamId = FIRST_STREAM_ID;
    private Path reportFile;
    private ResultsFile resultsFile;
    private int runsPlanned;
    private int runsDone;

    IpcBenchmark(final BenchOptions options, final String commandLine)
    {
        this.options = options;
        this.commandLine = commandLine;
        this.results = new BenchResults();
    }

    public static void main(final String[] args)
    {
        final BenchOptions options = BenchMain.options("bench ipc", args, BenchOptions::parse, o -> o.help,
            BenchOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final String command = BenchMain.commandLine(IpcBenchmark.class, args);
        System.exit(new IpcBenchmark(options, command).run());
    }

    BenchResults results()
    {
        return results;
    }

    /** The Markdown report written by {@link #run()}; its results file and plots are beside it. */
    Path reportFile()
    {
        return reportFile;
    }

    /** The machine-readable results of {@link #run()}, null before it ran. */
    ResultsFile resultsFile()
    {
        return resultsFile;
    }

    /**
     * Runs every measurement, prints the report, and writes it with its results file and plots.
     *
     * @return the exit code: 0 when every run succeeded and the files were written.
     */
    int run()
    {
        final LocalDateTime started = LocalDateTime.now();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        reportFile = BenchMain.reportFile(options.out, "ipc", started);
        runsPlanned = plannedRuns(options);
        final List<String> childJvmOptions = new ArrayList<>(options.jvmOptions);

        BenchConsole.opening("bench ipc", commandLine, machine, loadBefore,
            runsPlanned + " runs: shapes " + shapeIds() + " at sizes " + options.sizes + " (first shape) and " +
            options.shapeSizes + " (others), messages " + Arrays.toString(options.messages) +
            ", warmup " + Arrays.toString(options.warmup) + ", " + options.runs + " run(s) each; latency " +
            options.latencySamples + " samples after " + options.latencyWarmup + " warmup");

        List<String> childCommand;
        try (ChildLauncher launcher = new ChildLauncher(childJvmOptions, options.verbose ? System.out : null))
        {
            childCommand = launcher.baseCommand();
            baseDir = createBaseDir();
            launcher.addCleanup(() -> deleteRecursively(baseDir));
            if (options.tests.contains(BenchOptions.Test.THROUGHPUT))
            {
                runThroughput(launcher);
            }
            if (options.tests.contains(BenchOptions.Test.LATENCY))
            {
                runLatency(launcher);
            }
        }
        if (Files.exists(baseDir))
        {
            results.failures.add("could not remove " + baseDir);
        }

        final double elapsedS = (System.nanoTime() - startNs) / 1e9;
        final Invocation invocation = new Invocation(machine, commandLine, childCommand, started, loadBefore,
            MachineInfo.loadAverage(), elapsedS);
        final IpcFigures figures = new IpcFigures(options, results, invocation);
        resultsFile = figures.resultsFile();
        final String report = new IpcReport(options, results, invocation, baseDir).render(figures, reportFile);
        if (!BenchConsole.writeReport("bench ipc", report, reportFile) ||
            !BenchConsole.writeResults("bench ipc", resultsFile, reportFile) ||
            (options.plots && !BenchConsole.writePlots("bench ipc", figures.plots(), reportFile)))
        {
            return 1;
        }
        return results.failures.isEmpty() ? 0 : 1;
    }

    /**
     * For each shape and size, round by round: each shmbus producer kind, then each Aeron publication kind under a
     * freshly started driver. A burst of load from other processes, or the host moving the machine's CPUs, then falls on both
     * systems alike.
     */
    private void runThroughput(final ChildLauncher launcher)
    {
        for (final IpcShape shape : options.shapes)
        {
            final List<BenchSystem> shmbusSystems = new ArrayList<>();
            final List<BenchSystem> aeronSystems = new ArrayList<>();
            for (final BenchSystem system : options.systems)
            {
                if (shape.runs(system))
                {
                    (system.isAeron() ? aeronSystems : shmbusSystems).add(system);
                }
            }
            for (final int size : options.sizesOf(shape))
            {
                for (int run = 1; run <= options.runs; run++)
                {
                    final int round = run;
                    for (final BenchSystem system : shmbusSystems)
                    {
                        results.add(shape, system, throughputRun(launcher, shape, system, size, run, null));
                    }
                    withDriver(launcher, aeronSystems,
                        (system, driver) -> results.add(shape, system, throughputRun(launcher, shape, system, size,
                            round, driver)),
                        (system, failure) -> results.add(shape, system, ThroughputRun.failed(size, failure)));
                }
            }
        }
    }

    private String shapeIds()
    {
        final List<String> ids = new ArrayList<>();
        for (final IpcShape shape : options.shapes)
        {
            ids.add(shape.id());
        }
        return String.join(",", ids);
    }

    /** How many runs an invocation with these options makes, for the progress lines. */
    static int plannedRuns(final BenchOptions options)
    {
        int runs = 0;
        if (options.tests.contains(BenchOptions.Test.THROUGHPUT))
        {
            for (final IpcShape shape : options.shapes)
            {
                int systems = 0;
                for (final BenchSystem system : options.systems)
                {
                    systems += shape.runs(system) ? 1 : 0;
                }
                runs += systems * options.sizesOf(shape).size() * options.runs;
            }
        }
        if (options.tests.contains(BenchOptions.Test.LATENCY))
        {
            for (final BenchSystem system : BenchSystem.LATENCY_ORDER)
            {
                runs += options.systems.contains(system) ? options.runs : 0;
            }
        }
        return runs;
    }

    private String progressLabel()
    {
        return String.format("[%d/%d] ", ++runsDone, runsPlanned);
    }

    /**
     * One throughput run of a shape: its consumer processes subscribe, its producer processes attach and wait for
     * the start file, which the parent creates once all are ready, then each producer sends its share. The rate is
     * the slowest consumer's: every consumer receives every message.
     */
    private ThroughputRun throughputRun(
        final ChildLauncher launcher, final IpcShape shape, final BenchSystem system, final int size, final int run,
        final ChildProcess driver)
    {
        final int producers = shape.producers();
        final long warmupEach = (options.warmupAt(shape, size) + producers - 1) / producers;
        final long messagesEach = (options.messagesAt(shape, size) + producers - 1) / producers;
        final String label = String.format("%sthroughput %-9s %5d B  %-17s run %d/%d", progressLabel(), shape.id(),
            size, system.id(), run, options.runs);
        final String runName = "tp-" + shape.id().replace('/', '-') + "-" + size + "-" + run;
        final Map<String, String> args = commonArgs(system, runName);
        args.put("idle", shape.idle());
        args.put("stream", "throughput");
        args.put("streamId", Integer.toString(nextStreamId++));
        args.put("size", Integer.toString(size));
        final Map<String, String> consumerArgs = new LinkedHashMap<>(args);
        consumerArgs.put("producers", Integer.toString(producers));
        consumerArgs.put("warmup", Long.toString(warmupEach * producers));
        consumerArgs.put("messages", Long.toString(messagesEach * producers));
        final Path startFile = baseDir.resolve(runName + ".start");
        consumerArgs.put("startFile", startFile.toString());

        final List<ChildProcess> consumers = new ArrayList<>();
        final List<ChildProcess> producerProcesses = new ArrayList<>();
        ChildProcess broker = null;
        boolean ok = false;
        try
        {
            broker = system.isShmbus() ? startBroker(launcher, args) : null;
            final ChildProcess party = null != broker ? broker : driver;
            checkDriver(party);
            final CpuMeter cpu = CpuMeter.start(nproc, party);
            for (int c = 0; c < shape.consumers(); c++)
            {
                consumers.add(launcher.start("consumer-" + c + "[" + system.id() + " " + shape.id() + " " + size +
                    "B run " + run + "]", "tp-consumer", consumerArgs));
            }
            for (final ChildProcess consumer : consumers)
            {
                consumer.await("READY", READY_TIMEOUT_MS, "READY (subscribed)");
            }
            for (int p = 0; p < producers; p++)
            {
                final Map<String, String> producerArgs = new LinkedHashMap<>(args);
                producerArgs.put("producerIndex", Integer.toString(p));
                producerArgs.put("warmup", Long.toString(warmupEach));
                producerArgs.put("messages", Long.toString(messagesEach));
                producerArgs.put("startFile", startFile.toString());
                producerProcesses.add(launcher.start("producer-" + p + "[" + system.id() + " " + shape.id() + " " +
                    size + "B run " + run + "]", "tp-producer", producerArgs));
            }
            for (final ChildProcess producer : producerProcesses)
            {
                producer.await("READY", READY_TIMEOUT_MS, "READY (subscriber attached)");
            }
            Files.createFile(startFile);
            final long total = (warmupEach + messagesEach) * producers;
            Map<String, String> slowest = null;
            for (final ChildProcess consumer : consumers)
            {
                final Map<String, String> received = consumer.awaitResult(options.runTimeoutMs(total),
                    "the consumer's RESULT after " + total + " messages");
                final long errors = Long.parseLong(received.get("errors"));
                if (errors > 0)
                {
                    throw new BenchException(errors + " messages arrived out of order or with a wrong length in " +
                        consumer.name() + ", the first at message " + received.get("firstError"));
                }
                if (null == slowest ||
                    Long.parseLong(received.get("elapsedNs")) > Long.parseLong(slowest.get("elapsedNs")))
                {
                    slowest = received;
                }
            }
            long backPressured = 0;
            for (final ChildProcess producer : producerProcesses)
            {
                backPressured += Long.parseLong(producer.awaitResult(STOP_TIMEOUT_MS, "the producer's RESULT")
                    .get("backPressured"));
            }
            final List<ChildProcess> children = new ArrayList<>(consumers);
            children.addAll(producerProcesses);
            final CpuMeter.Usage usage = cpu.stop(children.toArray(new ChildProcess[0]));
            final ThroughputRun result = new ThroughputRun(size, Long.parseLong(slowest.get("measured")),
                Long.parseLong(slowest.get("elapsedNs")), backPressured, usage, null);
            ok = true;
            BenchConsole.progress(startNs, String.format("%s: %7.2f M msg/s %8.1f MB/s  back pressure %,d%s", label,
                result.messagesPerSecond() / 1e6, result.megabytesPerSecond(), result.backPressured(),
                usageText(usage)));
            return result;
        }
        catch (final BenchException | NumberFormatException | NullPointerException | IOException ex)
        {
            BenchConsole.progress(startNs, label + ": FAILED " + ex.getMessage());
            return ThroughputRun.failed(size, BenchConsole.firstLine(ex.getMessage()));
        }
        finally
        {
            launcher.finish(ok, STOP_TIMEOUT_MS, producerProcesses.toArray(new ChildProcess[0]));
            launcher.finish(ok, STOP_TIMEOUT_MS, consumers.toArray(new ChildProcess[0]));
            launcher.stop(broker, STOP_TIMEOUT_MS);
            deleteRecursively(Paths.get(args.getOrDefault("dir", "")));
            deleteRecursively(startFile);
        }
    }

    /**
     * Round by round: the raw shared-memory floor, each shmbus producer kind, then Aeron under a freshly started
     * driver.
     */
    private void runLatency(final ChildLauncher launcher)
    {
        final List<BenchSystem> aeronSystems = options.systems.contains(BenchSystem.AERON_EXCLUSIVE) ?
            List.of(BenchSystem.AERON_EXCLUSIVE) : List.of();
        for (int run = 1; run <= options.runs; run++)
        {
            final int round = run;
            for (final BenchSystem system : BenchSystem.LATENCY_ORDER)
            {
                if (!system.isAeron() && options.systems.contains(system))
                {
                    results.add(system, latencyRun(launcher, system, run, null));
                }
            }
            withDriver(launcher, aeronSystems,
                (system, driver) -> results.add(system, latencyRun(launcher, system, round, driver)),
                (system, failure) -> results.add(system, LatencyRun.failed(failure)));
        }
    }

    /**
     * Runs each Aeron system's measurement with a media driver started for the purpose and stopped afterwards, so
     * that no driver takes CPU while shmbus is measured; when the driver does not start, records the failure.
     */
    private void withDriver(
        final ChildLauncher launcher,
        final List<BenchSystem> systems,
        final BiConsumer<BenchSystem, ChildProcess> measure,
        final BiConsumer<BenchSystem, String> fail)
    {
        if (systems.isEmpty())
        {
            return;
        }
        ChildProcess driver = null;
        try
        {
            driver = startDriver(launcher);
        }
        catch (final BenchException ex)
        {
            BenchConsole.progress(startNs, "the Aeron media driver did not start: " + ex.getMessage());
            for (final BenchSystem system : systems)
            {
                fail.accept(system, "the Aeron media driver did not start: " + BenchConsole.firstLine(ex.getMessage()));
            }
            return;
        }
        try
        {
            for (final BenchSystem system : systems)
            {
                measure.accept(system, driver);
            }
        }
        finally
        {
            launcher.stop(driver, STOP_TIMEOUT_MS);
        }
    }

    private LatencyRun latencyRun(
        final ChildLauncher launcher, final BenchSystem system, final int run, final ChildProcess driver)
    {
        final String label = String.format("%sping-pong  %5d B  %-17s run %d/%d", progressLabel(),
            options.latencySize, system.id(), run, options.runs);
        final Map<String, String> args = commonArgs(system, "pingpong-" + run);
        args.put("pingStreamId", Integer.toString(nextStreamId++));
        args.put("pongStreamId", Integer.toString(nextStreamId++));
        args.put("size", Integer.toString(options.latencySize));
        args.put("warmup", Long.toString(options.latencyWarmup));
        args.put("samples", Long.toString(options.latencySamples));
        args.put("maxSeconds", Integer.toString(options.latencyMaxSeconds));

        ChildProcess pong = null;
        ChildProcess ping = null;
        ChildProcess broker = null;
        boolean ok = false;
        try
        {
            broker = system.isShmbus() ? startBroker(launcher, args) : null;
            final ChildProcess party = null != broker ? broker : driver;
            checkDriver(party);
            final CpuMeter cpu = CpuMeter.start(nproc, party);
            pong = launcher.start("pong[" + system.id() + " run " + run + "]", "pong", args);
            pong.await("READY", READY_TIMEOUT_MS, "READY (subscribed to ping)");
            ping = launcher.start("ping[" + system.id() + " run " + run + "]", "ping", args);
            ping.await("READY", READY_TIMEOUT_MS, "READY (ping and pong streams attached)");
            final long roundTrips = options.latencyWarmup + options.latencySamples;
            final Map<String, String> fields = ping.awaitResult(
                options.timeoutSec > 0 ? options.timeoutSec * 1000 : 30_000 + options.latencyMaxSeconds * 1000L,
                "the ping's RESULT after " + roundTrips + " round trips or " + options.latencyMaxSeconds + " s");
            if (Long.parseLong(fields.get("count")) == 0)
            {
                throw new BenchException("no round trip recorded within the " + options.latencyMaxSeconds +
                    " s time cap: the machine is too busy (see --latency-max-seconds)");
            }
            if (Long.parseLong(fields.get("errors")) > 0)
            {
                throw new BenchException(fields.get("errors") + " pongs did not echo the ping awaited");
            }
            final LatencyRun result = new LatencyRun(fields, cpu.stop(ping, pong), null);
            ok = true;
            BenchConsole.progress(startNs, String.format(
                "%s: p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.1f us%s%s", label,
                result.ns("p50Ns") / 1e3, result.ns("p99Ns") / 1e3, result.ns("p999Ns") / 1e3,
                result.ns("maxNs") / 1e3, usageText(result.usage()),
                result.capped() ? String.format(", PARTIAL: %,d samples within the %d s cap", result.ns("count"),
                options.latencyMaxSeconds) : ""));
            return result;
        }
        catch (final BenchException | NumberFormatException | NullPointerException ex)
        {
            BenchConsole.progress(startNs, label + ": FAILED " + ex.getMessage());
            return LatencyRun.failed(BenchConsole.firstLine(ex.getMessage()));
        }
        finally
        {
            launcher.finish(ok, STOP_TIMEOUT_MS, ping, pong);
            launcher.stop(broker, STOP_TIMEOUT_MS);
            deleteRecursively(Paths.get(args.getOrDefault("dir", "")));
        }
    }

    private static String usageText(final CpuMeter.Usage usage)
    {
        String text = "";
        if (!Double.isNaN(usage.otherPctOfMachine()))
        {
            text += String.format(", other processes %.0f%% of the machine", usage.otherPctOfMachine());
        }
        if (!Double.isNaN(usage.driverPctOfOneCpu()))
        {
            text += String.format(", driver %.0f%% of a CPU", usage.driverPctOfOneCpu());
        }
        return text;
    }

    private ChildProcess startDriver(final ChildLauncher launcher)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("aeronDir", aeronDir().toString());
        args.put("termLength", Integer.toString(options.capacity));
        args.put("maxRuntimeMs", Long.toString(maxChildRuntimeMs()));
        final ChildProcess driver = launcher.start("aeron-media-driver", "aeron-driver", args);
        try
        {
            final String settings = driver.await("READY", READY_TIMEOUT_MS, "READY (driver started)");
            results.driverSettings.putAll(ChildProcess.parseFields(settings));
            return driver;
        }
        catch (final BenchException ex)
        {
            launcher.kill(driver);
            throw ex;
        }
    }

    /** The shmbus broker for one run's directory, in its own process, as users run it. */
    private ChildProcess startBroker(final ChildLauncher launcher, final Map<String, String> runArgs)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("dir", runArgs.get("dir"));
        args.put("capacity", Integer.toString(options.capacity));
        args.put("maxRuntimeMs", Long.toString(maxChildRuntimeMs()));
        final ChildProcess broker = launcher.start("shmbus-broker", "shmbus-broker", args);
        try
        {
            broker.await("READY", READY_TIMEOUT_MS, "READY (broker started)");
            return broker;
        }
        catch (final BenchException ex)
        {
            launcher.kill(broker);
            throw ex;
        }
    }

    private static void checkDriver(final ChildProcess driver)
    {
        if (null != driver && !driver.isAlive())
        {
            throw new BenchException("the " + driver.name() + " process died" + driver.tailText());
        }
    }

    /** Arguments every child of a run gets: the system and where it lives, the loop settings, its time limit. */
    private Map<String, String> commonArgs(final BenchSystem system, final String runName)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("system", system.id());
        if (system.isAeron())
        {
            args.put("aeronDir", aeronDir().toString());
        }
        else
        {
            args.put("dir", baseDir.resolve(system.id() + "-" + runName).toString());
            args.put("capacity", Integer.toString(options.capacity));
        }
        args.put("idle", options.idle);
        args.put("fragmentLimit", Integer.toString(options.fragmentLimit));
        args.put("maxRuntimeMs", Long.toString(maxChildRuntimeMs()));
        return args;
    }

    /** A child's own hard limit: beyond any deadline the parent sets, so it only fires if the parent is stuck. */
    private long maxChildRuntimeMs()
    {
        long max = 0;
        for (final IpcShape shape : options.shapes)
        {
            for (final int size : options.sizesOf(shape))
            {
                max = Math.max(max, options.messagesAt(shape, size) + options.warmupAt(shape, size) +
                    shape.producers());
            }
        }
        return 2 * options.runTimeoutMs(2 * max) + 2 * READY_TIMEOUT_MS +
            2 * (30_000 + options.latencyMaxSeconds * 1000L);
    }

    private Path aeronDir()
    {
        return baseDir.resolve("aeron");
    }

    private static Path createBaseDir()
    {
        return BenchDirs.createFresh(BenchDirs.shmParent(), "shmbus-bench-");
    }

    static void deleteRecursively(final Path dir)
    {
        BenchDirs.deleteRecursively(dir);
    }

}
