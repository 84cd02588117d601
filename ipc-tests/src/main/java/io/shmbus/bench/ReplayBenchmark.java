package io.shmbus.bench;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code scripts/bench replay}: how close replaying an archived topic to a socket comes to raw {@code sendfile},
 * and what it costs the sender in CPU against a user-space copy loop.
 * <p>
 * A broker process archives a topic of the requested size, published through it in 64 KiB messages, into segment
 * files on a real disk (under {@code target/}; the page cache is warm afterwards, as for a recent range). A
 * receiver process reads every connection to its end into a large direct buffer. Then, round by round, each
 * method sends the same bytes to it from a process of its own; the order alternates between rounds so that drift
 * in the machine's state falls on every method alike. Children, the shared-memory directory and the segment files
 * are removed however the benchmark ends. Runs on the main thread.
 */
public final class ReplayBenchmark
{
    static final String TOPIC = "replay-bench";
    private static final int MESSAGE_LENGTH = 64 * 1024 - 32; // a frame of exactly 64 KiB: no alignment slack
    /** The range of the fixed-cost run: one frame. */
    static final long FIXED_COST_BYTES = MESSAGE_LENGTH + 32;
    private static final long END_FRAME_LENGTH = 32;
    private static final long CHILD_READY_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 10_000;

    /** Everything one invocation measured. */
    static final class Results
    {
        final List<ReplayRun> runs = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        long topicBytes;
        int segments;
        long segmentLength;
        double publishSeconds;
        Path dataDir;
        List<String> childCommand = List.of();
    }

    private final ReplayBenchOptions options;
    private final PrintStream log;
    private final Results results = new Results();
    private final long startNs = System.nanoTime();
    private int netPort;

    private ReplayBenchmark(final ReplayBenchOptions options, final PrintStream log)
    {
        this.options = options;
        this.log = log;
    }

    public static void main(final String[] args)
    {
        final ReplayBenchOptions options = BenchMain.options("bench replay", args, ReplayBenchOptions::parse, o -> o.help,
            ReplayBenchOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final String command = BenchMain.commandLine(ReplayBenchmark.class, args);
        System.exit(runAndReport(options, command, System.out));
    }

    /** What {@link #report} did: the exit code, the measurements, and the files it wrote. */
    record Outcome(int exitCode, Results results, Path reportFile, ResultsFile resultsFile)
    {
    }

    /**
     * Runs the benchmark, prints the report and writes it to the report file.
     *
     * @return the exit code: 0 when every run produced a result.
     */
    static int runAndReport(final ReplayBenchOptions options, final String command, final PrintStream log)
    {
        return report(options, command, log).exitCode();
    }

    /** Runs the benchmark, prints the report, writes it and its results file and plot beside it. */
    static Outcome report(final ReplayBenchOptions options, final String command, final PrintStream log)
    {
        final LocalDateTime started = LocalDateTime.now();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        final Path out = BenchMain.reportFile(options.out, "replay", started);
        log.println("bench replay: " + command);
        log.println("machine: nproc=" + machine.nproc() + ", " + machine.cpuModel() + ", " + machine.java() +
            ", load " + loadBefore);
        final long startNs = System.nanoTime();
        final Results results = run(options, log);
        final Invocation invocation = new Invocation(machine, command, results.childCommand, started, loadBefore,
            MachineInfo.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final ReplayFigures figures = new ReplayFigures(results, invocation);
        final String report = new ReplayReport(options, results, machine, command, started, loadBefore,
            invocation.loadAfter(), invocation.elapsedS()).render() + (options.plots ? "\n![methods](" +
            BenchConsole.plotFile(out, "methods").getFileName() + ")\n" : "");
        log.println();
        log.println(report);
        try
        {
            final Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.write(out, report.getBytes(StandardCharsets.UTF_8));
            log.println("report written to " + out);
            log.println("results written to " + figures.resultsFile().writeBeside(out) + " (and .csv)");
            if (options.plots)
            {
                final Path plot = BenchConsole.plotFile(out, "methods");
                BenchPlots.writePng(figures.plot(), plot);
                log.println("plot written to " + plot);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            log.println("bench replay: cannot write " + out + " or the files beside it: " + ex);
            return new Outcome(1, results, out, figures.resultsFile());
        }
        return new Outcome(results.failures.isEmpty() ? 0 : 1, results, out, figures.resultsFile());
    }

    /** Sets up, measures every round and cleans up; failures are collected, never thrown. */
    static Results run(final ReplayBenchOptions options, final PrintStream log)
    {
        return new ReplayBenchmark(options, log).run();
    }

    private Results run()
    {
        final String unique = ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
        final Path shmDir = Paths.get("/dev/shm", "shmbus-bench-replay-" + unique);
        final Path dataBase = null != options.dataDir ? options.dataDir :
            null != System.getProperty(IpcBenchmark.ROOT_PROP_NAME) ?
            Paths.get(System.getProperty(IpcBenchmark.ROOT_PROP_NAME), "ipc-tests", "target") : Paths.get("target");
        final Path work = dataBase.resolve("replay-bench-" + unique);
        results.dataDir = work.resolve("data");
        try (ChildLauncher launcher = new ChildLauncher(options.jvmOptions, options.verbose ? log : null))
        {
            results.childCommand = launcher.baseCommand();
            launcher.addCleanup(() -> deleteRecursively(shmDir));
            // the broker role's config file beside the directory: left behind when the broker is killed
            launcher.addCleanup(() -> deleteRecursively(Paths.get(shmDir + ".broker.conf")));
            launcher.addCleanup(() -> deleteRecursively(work));
            final ChildProcess broker = startBroker(launcher, shmDir);
            publish(shmDir);
            final ChildProcess receiver = launcher.start("receiver", "replay-receiver",
                new HashMap<>(Map.of("buffer", "4m")));
            final int port = Integer.parseInt(ChildProcess.parseFields(
                receiver.await("READY", CHILD_READY_TIMEOUT_MS, "the receiver to listen")).get("port"));
            final List<String> segmentFiles = segmentFiles();
            final ReplayMethod[] methods = ReplayMethod.values();
            final int planned = methods.length * options.runs;
            int done = 0;
            for (int round = 1; round <= options.runs; round++)
            {
                for (int i = 0; i < methods.length; i++)
                {
                    final ReplayMethod method = methods[round % 2 == 1 ? i : methods.length - 1 - i];
                    try
                    {
                        final ReplayRun run = measure(launcher, method, round, port, receiver, broker, shmDir,
                            segmentFiles);
                        results.runs.add(run);
                        log.printf("[%6.1fs] [%d/%d] round %d/%d  %-14s  %6.2f GiB/s  sender CPU %.3f s/GiB%n",
                            (System.nanoTime() - startNs) / 1e9, ++done, planned, round, options.runs, method.id,
                            run.gibPerSecond(), run.cpuSecondsPerGib());
                    }
                    catch (final BenchException ex)
                    {
                        results.failures.add("round " + round + " " + method.id + ": " + ex.getMessage());
                        log.println("round " + round + " " + method.id + " FAILED: " + ex.getMessage());
                    }
                }
            }
            launcher.kill(receiver); // blocked in accept: nothing to finish
            launcher.stop(broker, STOP_TIMEOUT_MS);
        }
        catch (final RuntimeException | IOException | InterruptedException ex)
        {
            results.failures.add("setup: " + ex);
            log.println("bench replay: " + ex);
        }
        if (Files.exists(work) || Files.exists(shmDir) || Files.exists(Paths.get(shmDir + ".broker.conf")))
        {
            results.failures.add("could not remove " + work + " or " + shmDir);
        }
        return results;
    }

    private ChildProcess startBroker(final ChildLauncher launcher, final Path shmDir)
    {
        final long size = options.sizeMiB << 20;
        // about eight segments, as a long archive has many: 128 MiB (the default) at 1 GiB
        results.segmentLength = Math.max(4L << 20, Math.min(SegmentDescriptor.DEFAULT_SEGMENT_LENGTH,
            Long.highestOneBit(Math.max(1, size / 8))));
        final ChildProcess broker = launcher.start("broker", "shmbus-broker", new HashMap<>(Map.of(
            "dir", shmDir.toString(), "capacity", "4m", "dataDir", results.dataDir.toString(),
            "segmentLength", Long.toString(results.segmentLength), "netPort", "0")));
        netPort = Integer.parseInt(ChildProcess.parseFields(
            broker.await("READY", CHILD_READY_TIMEOUT_MS, "the broker to start")).get("netPort"));
        return broker;
    }

    /** Publishes the topic through the broker and waits until the archive holds all of it. */
    private void publish(final Path shmDir) throws IOException, InterruptedException
    {
        final long messages = (options.sizeMiB << 20) / (MESSAGE_LENGTH + 32);
        final long startNs = System.nanoTime();
        final long deadline = startNs + TimeUnit.SECONDS.toNanos(60 + options.sizeMiB / 10);
        long tail = 0;
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shmDir)))
        {
            final Producer producer = bus.addProducer(TOPIC);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
            for (int i = 0; i < MESSAGE_LENGTH; i += 8)
            {
                message.putLong(i, i * 0x9E3779B97F4A7C15L);
            }
            for (long i = 0; i < messages; i++)
            {
                message.putLong(0, i);
                while ((tail = producer.offer(message, 0, MESSAGE_LENGTH)) < 0)
                {
                    if (Producer.BACK_PRESSURED != tail || System.nanoTime() > deadline)
                    {
                        throw new BenchException("publishing stopped at message " + i + ": " +
                            Producer.resultName(tail));
                    }
                    Thread.onSpinWait();
                }
            }
        }
        while (archivedBytes() < tail)
        {
            if (System.nanoTime() > deadline)
            {
                throw new BenchException("the archive holds " + archivedBytes() + " of " + tail + " bytes");
            }
            Thread.sleep(10);
        }
        results.topicBytes = tail;
        results.publishSeconds = (System.nanoTime() - startNs) / 1e9;
        log.printf("archived %d MiB in %d segments of %d MiB under %s (published and archived in %.1f s)%n",
            tail >> 20, segmentFiles().size(), results.segmentLength >> 20, results.dataDir, results.publishSeconds);
    }

    private long archivedBytes() throws IOException
    {
        long total = 0;
        for (final String file : segmentFiles())
        {
            total += Files.size(Paths.get(file));
        }
        return total;
    }

    private List<String> segmentFiles() throws IOException
    {
        final Path topicDir = results.dataDir.resolve(TOPIC);
        if (!Files.isDirectory(topicDir))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(topicDir))
        {
            final List<String> segments = files.filter(p -> p.toString().endsWith(SegmentDescriptor.SUFFIX))
                .sorted().map(Path::toString).collect(Collectors.toList());
            results.segments = (int)segments.stream().filter(f -> Paths.get(f).toFile().length() > 0).count();
            return segments;
        }
    }

    private ReplayRun measure(
        final ChildLauncher launcher,
        final ReplayMethod method,
        final int round,
        final int port,
        final ChildProcess receiver,
        final ChildProcess broker,
        final Path shmDir,
        final List<String> segmentFiles)
    {
        final long timeoutMs = 60_000 + options.sizeMiB * 100; // 10 MiB/s at worst
        final String what = method.id + " round " + round;
        final Map<String, String> args = new HashMap<>();
        args.put("port", Integer.toString(port));
        ChildProcess sender = null;
        try
        {
            final Map<String, String> sent;
            long brokerCpuNs = 0;
            if (ReplayMethod.SHMBUS_NET == method)
            {
                // the subscriber is the receiver here: it speaks the protocol, then counts like the receiver
                args.put("port", Integer.toString(netPort));
                args.put("topic", TOPIC);
                args.put("end", Long.toString(results.topicBytes));
                args.put("buffer", "4m");
                sender = launcher.start(what, "net-subscriber", args);
                sender.await("READY", CHILD_READY_TIMEOUT_MS, what + " to start");
                final ProcessCpu.Reading before = ProcessCpu.read(broker.pid());
                final Map<String, String> received = sender.awaitResult(timeoutMs, what);
                final long serverCpuNs = ProcessCpu.read(broker.pid()).since(before);
                final long bytes = Long.parseLong(received.get("bytes"));
                if (bytes != results.topicBytes + END_FRAME_LENGTH)
                {
                    throw new BenchException(what + ": the subscriber got " + bytes + " bytes, expected " +
                        (results.topicBytes + END_FRAME_LENGTH));
                }
                return new ReplayRun(method, round, bytes, Long.parseLong(received.get("nanos")), 0, serverCpuNs);
            }
            if (ReplayMethod.SHMBUS_CLI == method || ReplayMethod.SHMBUS_CLI_FIXED == method)
            {
                args.put("dir", shmDir.toString());
                args.put("topic", TOPIC);
                if (ReplayMethod.SHMBUS_CLI_FIXED == method)
                {
                    args.put("to", Long.toString(FIXED_COST_BYTES));
                }
                sender = launcher.start(what, "replay-cli", args);
                sender.await("READY", CHILD_READY_TIMEOUT_MS, what + " to start");
                final ProcessCpu.Reading before = ProcessCpu.read(broker.pid());
                sent = sender.awaitResult(timeoutMs, what);
                brokerCpuNs = ProcessCpu.read(broker.pid()).since(before);
            }
            else
            {
                args.put("mode", ReplayMethod.SENDFILE == method ? "sendfile" : ReplayMethod.MMAP_WRITE == method ?
                    "mmap" : "copy");
                args.put("buffer", (options.bufferKiB * 1024L) + "");
                args.put("files", String.join(",", segmentFiles));
                sender = launcher.start(what, "replay-sender", args);
                sent = sender.awaitResult(timeoutMs, what);
            }
            final Map<String, String> received = receiver.awaitResult(timeoutMs, "the receiver, " + what);
            final long bytes = Long.parseLong(received.get("bytes"));
            final long expected = ReplayMethod.SHMBUS_CLI_FIXED == method ? FIXED_COST_BYTES : results.topicBytes;
            if (bytes != expected)
            {
                throw new BenchException(what + ": the receiver got " + bytes + " bytes, expected " + expected);
            }
            return new ReplayRun(method, round, bytes, Long.parseLong(received.get("nanos")),
                Long.parseLong(sent.get("cpuNs")), brokerCpuNs);
        }
        finally
        {
            launcher.stop(sender, STOP_TIMEOUT_MS);
        }
    }

    private static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            System.err.println("bench replay: cannot remove " + dir + ": " + ex);
        }
    }
}
