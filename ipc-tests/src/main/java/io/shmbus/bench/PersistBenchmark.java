package io.shmbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code scripts/bench persist}: what persistence costs shmbus, and shmbus persisted against Chronicle Queue, in one
 * invocation. Each run is one producer process and one tailing consumer process at one message size:
 * <ul>
 *   <li>shmbus non-persistent and persistent each through a broker process of their own, the persistent one
 *   started with a data directory, so its archiver copies the ring into segment files while the producer
 *   publishes; the parent watches the archiver's lag, waits for it to catch up and checks the bytes on disk;</li>
 *   <li>Chronicle Queue with an appender process and a tailer process on a queue directory beside the segment
 *   files, on the same file system.</li>
 * </ul>
 * Rounds run every system once, in an order that alternates between rounds, so that noise falls on all of them.
 * Children are killed and every shared-memory and data directory removed however the benchmark ends.
 */
public final class PersistBenchmark
{
    static final String TOPIC = "throughput";
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 10_000;
    private static final long CATCH_UP_TIMEOUT_MS = 30_000;

    private final PersistOptions options;
    private final String commandLine;
    private final long startNs = System.nanoTime();
    private final PersistResults results = new PersistResults();
    private final int nproc = Runtime.getRuntime().availableProcessors();
    private Path shmBase;
    private Path dataBase;
    private Path reportFile;
    private ResultsFile resultsFile;
    private int runsDone;

    PersistBenchmark(final PersistOptions options, final String commandLine)
    {
        this.options = options;
        this.commandLine = commandLine;
    }

    public static void main(final String[] args)
    {
        final PersistOptions options = BenchMain.options("bench persist", args, PersistOptions::parse, o -> o.help,
            PersistOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final String command = BenchMain.commandLine(PersistBenchmark.class, args);
        System.exit(new PersistBenchmark(options, command).run());
    }

    PersistResults results()
    {
        return results;
    }

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
     * Runs every round, prints the report and writes it.
     *
     * @return the exit code: 0 when every run succeeded and the report was written.
     */
    int run()
    {
        final LocalDateTime started = LocalDateTime.now();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        final Path root = BenchMain.root();
        reportFile = BenchMain.reportFile(options.out, "persist", started);
        final Path dataParent = null != options.dataDir ? options.dataDir :
            root.resolve("target").resolve("bench-data");

        BenchConsole.opening("bench persist", commandLine, machine, loadBefore,
            "sizes " + options.sizes + ", messages " + Arrays.toString(options.messages) +
            ", warmup " + Arrays.toString(options.warmup) + ", " + options.runs + " round(s) of " + options.systems);

        final List<String> childCommand;
        final String dataFileSystem;
        try (ChildLauncher launcher = new ChildLauncher(options.jvmOptions, options.verbose ? System.out : null))
        {
            childCommand = launcher.baseCommand();
            shmBase = BenchDirs.createFresh(BenchDirs.shmParent(), "shmbus-bench-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(shmBase));
            dataBase = BenchDirs.createFresh(dataParent, "persist-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(dataBase));
            dataFileSystem = MachineInfo.fileSystem(dataBase);
            System.out.println("data: " + dataBase + " (" + dataFileSystem + ")");
            if (dataFileSystem.startsWith("tmpfs"))
            {
                System.out.println("warning: the data directory is on tmpfs: persistence does not reach a disk");
            }
            runRounds(launcher);
        }
        for (final Path dir : List.of(shmBase, dataBase))
        {
            if (Files.exists(dir))
            {
                results.failures.add("could not remove " + dir);
            }
        }

        final double elapsedS = (System.nanoTime() - startNs) / 1e9;
        final Invocation invocation = new Invocation(machine, commandLine, childCommand, started, loadBefore,
            MachineInfo.loadAverage(), elapsedS);
        final PersistFigures figures = new PersistFigures(options, results, invocation);
        resultsFile = figures.resultsFile();
        final String report = new PersistReport(options, results, invocation, dataBase, dataFileSystem,
            chronicleVersion()).render() + (options.plots ? "\n![rates](" + BenchConsole.plotFile(reportFile,
            "rates").getFileName() + ")\n" : "");
        if (!BenchConsole.writeReport("bench persist", report, reportFile) ||
            !BenchConsole.writeResults("bench persist", resultsFile, reportFile) ||
            (options.plots && !BenchConsole.writePlots("bench persist", Map.of("rates", figures.plot()),
            reportFile)))
        {
            return 1;
        }
        return results.failures.isEmpty() ? 0 : 1;
    }

    /** For each size, round by round, every system once; odd rounds in the order given, even rounds reversed. */
    private void runRounds(final ChildLauncher launcher)
    {
        final List<PersistSystem> order = new ArrayList<>(options.systems);
        for (int i = 0; i < options.sizes.size(); i++)
        {
            for (int round = 1; round <= options.runs; round++)
            {
                final List<PersistSystem> roundOrder = new ArrayList<>(order);
                if (round % 2 == 0)
                {
                    Collections.reverse(roundOrder);
                }
                for (final PersistSystem system : roundOrder)
                {
                    results.add(measure(launcher, system, i, round));
                }
            }
        }
    }

    private PersistRun measure(final ChildLauncher launcher, final PersistSystem system, final int sizeIndex,
        final int round)
    {
        final int size = options.sizes.get(sizeIndex);
        final long warmup = options.warmup[sizeIndex];
        final long messages = options.messages[sizeIndex];
        final String label = String.format("[%d/%d] %5d B  %-17s round %d/%d", ++runsDone,
            options.sizes.size() * options.runs * options.systems.size(), size, system.id(), round, options.runs);
        final String runName = system.id() + "-" + size + "-r" + round;
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("system", system.isShmbus() ? BenchSystem.SHMBUS.id() : ChronicleTransport.SYSTEM_ID);
        final Path shmDir = system.isShmbus() ? shmBase.resolve(runName) : null;
        final Path dataDir = system.isArchived() || !system.isShmbus() ? dataBase.resolve(runName) : null;
        if (system.isShmbus())
        {
            args.put("dir", shmDir.toString());
            args.put("capacity", Integer.toString(options.capacity));
        }
        else
        {
            args.put("queueDir", dataDir.toString());
        }
        args.put("stream", TOPIC);
        args.put("streamId", "1");
        args.put("size", Integer.toString(size));
        args.put("warmup", Long.toString(warmup));
        args.put("messages", Long.toString(messages));
        args.put("idle", options.idle);
        args.put("fragmentLimit", Integer.toString(options.fragmentLimit));
        args.put("maxRuntimeMs", Long.toString(maxChildRuntimeMs()));

        ChildProcess broker = null;
        ChildProcess consumer = null;
        ChildProcess producer = null;
        ArchiveProbe probe = null;
        boolean ok = false;
        try
        {
            broker = system.isShmbus() ? startBroker(launcher, shmDir, dataDir, system.durability()) : null;
            final CpuMeter cpu = CpuMeter.start(nproc, broker);
            consumer = launcher.start("consumer[" + runName + "]", "tp-consumer", args);
            final String settings = consumer.await("READY", READY_TIMEOUT_MS, "READY (subscribed)");
            if (!system.isShmbus())
            {
                results.chronicleSettings.putAll(ChildProcess.parseFields(settings));
            }
            probe = system.isArchived() ? ArchiveProbe.open(shmDir, TOPIC) : null;
            producer = launcher.start("producer[" + runName + "]", "tp-producer", args);
            producer.await("READY", READY_TIMEOUT_MS, "READY (subscriber attached)");
            final Map<String, String> received = consumer.awaitResult(options.runTimeoutMs(warmup + messages),
                "the consumer's RESULT after " + (warmup + messages) + " messages");
            final ArchiveProbe.Stats atEnd = null != probe ? probe.awaitCatchUp(CATCH_UP_TIMEOUT_MS) : null;
            final Map<String, String> sent = producer.awaitResult(STOP_TIMEOUT_MS, "the producer's RESULT");
            final CpuMeter.Usage usage = cpu.stop(consumer, producer);
            final long errors = Long.parseLong(received.get("errors"));
            if (errors > 0)
            {
                throw new BenchException(errors + " messages arrived out of order or with a wrong length, the " +
                    "first at sequence " + received.get("firstError"));
            }
            // Everyone stops before the archive is checked: the broker closes its segment on the way out.
            launcher.stop(producer, STOP_TIMEOUT_MS);
            launcher.stop(consumer, STOP_TIMEOUT_MS);
            launcher.stop(broker, STOP_TIMEOUT_MS);
            final ArchiveProbe.Stats archive = null == probe ? null : probe.verify(atEnd, dataDir.resolve(TOPIC),
                Long.parseLong(sent.get("lastPosition")), Long.parseLong(sent.get("sent")), options.scanArchive);
            final PersistRun run = new PersistRun(system, size, round, Long.parseLong(received.get("measured")),
                Long.parseLong(received.get("elapsedNs")), Long.parseLong(sent.get("sendNs")),
                Long.parseLong(sent.get("backPressured")), usage, archive, null);
            ok = true;
            BenchConsole.progress(startNs, label + ": " + PersistReport.runText(run));
            return run;
        }
        catch (final BenchException | NumberFormatException | NullPointerException ex)
        {
            BenchConsole.progress(startNs, label + ": FAILED " + ex.getMessage());
            return PersistRun.failed(system, size, round, BenchConsole.firstLine(ex.getMessage()));
        }
        finally
        {
            if (null != probe)
            {
                probe.close();
            }
            launcher.finish(ok, STOP_TIMEOUT_MS, producer, consumer, broker);
            BenchDirs.deleteRecursively(shmDir);
            BenchDirs.deleteRecursively(dataDir);
        }
    }

    /** The shmbus broker for one run, in its own process; with a data directory its topics are persistent. */
    private ChildProcess startBroker(
        final ChildLauncher launcher, final Path shmDir, final Path dataDir, final String durability)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("dir", shmDir.toString());
        args.put("capacity", Integer.toString(options.capacity));
        if (null != dataDir)
        {
            args.put("dataDir", dataDir.toString());
            args.put("durability", durability);
        }
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

    /** A child's own hard limit: beyond any deadline the parent sets, so it only fires if the parent is stuck. */
    private long maxChildRuntimeMs()
    {
        long max = 0;
        for (int i = 0; i < options.messages.length; i++)
        {
            max = Math.max(max, options.messages[i] + options.warmup[i]);
        }
        return 2 * options.runTimeoutMs(max) + 2 * READY_TIMEOUT_MS + CATCH_UP_TIMEOUT_MS;
    }

    /** The Chronicle Queue version on the classpath, from its jar's Maven metadata; read without loading it. */
    static String chronicleVersion()
    {
        try (InputStream in = PersistBenchmark.class.getResourceAsStream(
            "/META-INF/maven/net.openhft/chronicle-queue/pom.properties"))
        {
            if (null == in)
            {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

}
