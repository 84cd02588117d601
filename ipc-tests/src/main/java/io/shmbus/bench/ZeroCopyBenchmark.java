package io.shmbus.bench;

import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code scripts/bench zero-copy}: the account of what moving the same bytes costs, path by path, in the process
 * that moves them. Three phases, each path measured in three windows of the same size: untraced (CPU time,
 * context switches, page faults from {@code /proc}), the whole process under {@code strace -f -c} and its moving
 * thread alone under {@code strace -c} (system calls only, since tracing slows every call), all after a warm-up and
 * with the mover waiting for the parent's go, so no window holds the JVM's start.
 * <ol>
 *   <li>Ring: a broker without persistence, one consumer process and two producer processes (offer and
 *   tryClaim) on one topic. Steps of half the ring: a producer publishes a step, then the consumer reads it, so
 *   neither waits for the other inside its window.</li>
 *   <li>Archive: a broker with a data directory; a tryClaim producer publishes and the broker's archiver copies
 *   the ring into segment files; the broker is measured from the go to the last byte on file.</li>
 *   <li>Segment to socket: the archive's first segments (the size asked for, in whole segments, warm in the page
 *   cache) to a receiver process over loopback TCP by each sender, after a warm-up send of one segment.</li>
 * </ol>
 * Children, the shared-memory directory and the segment files are removed however it ends. Main thread only.
 */
public final class ZeroCopyBenchmark
{
    static final String TOPIC = "zero-copy";
    static final int FRAME_LENGTH = 64 * 1024;
    static final int PAYLOAD_LENGTH = FRAME_LENGTH - 32; // a frame of exactly 64 KiB: no alignment slack
    private static final int WARMUP_STEPS = 8;
    private static final long END_FRAME_LENGTH = 32;
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final long STRACE_ATTACH_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 10_000;
    /** The broker's threads, by their agents' role names: the archiver copies on the conductor's. */
    static final String CONDUCTOR_THREAD = "shmbus-broker-conductor";
    static final String NET_THREAD = "shmbus-broker-net";

    /** What a window traces. */
    private enum Trace
    {
        NONE, PROCESS, THREAD
    }

    /** Everything one invocation measured. */
    static final class Results
    {
        final Map<ZeroCopyPath, ZeroCopyRun> runs = new EnumMap<>(ZeroCopyPath.class);
        final List<String> failures = new ArrayList<>();
        long archiveBytes;
        long socketBytes;
        long segmentLength;
        String straceMissing;
        List<String> childCommand = List.of();
    }

    private final ZeroCopyOptions options;
    private final PrintStream log;
    private final Results results = new Results();
    private final long startNs = System.nanoTime();
    private final long stepBytes;
    private final int steps;
    private ChildLauncher launcher;
    private Path work;
    private int netPort;

    private ZeroCopyBenchmark(final ZeroCopyOptions options, final PrintStream log)
    {
        this.options = options;
        this.log = log;
        this.stepBytes = ((long)options.capacityMiB << 20) / 2;
        this.steps = (int)Math.max(1, (options.sizeMiB << 20) / stepBytes);
    }

    public static void main(final String[] args)
    {
        final ZeroCopyOptions options = BenchMain.options("bench zero-copy", args, ZeroCopyOptions::parse, o -> o.help,
            ZeroCopyOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final String command = BenchMain.commandLine(ZeroCopyBenchmark.class, args);
        System.exit(runAndReport(options, command, System.out));
    }

    /** Runs the benchmark, prints the report and writes it with its results files; returns the exit code. */
    static int runAndReport(final ZeroCopyOptions options, final String command, final PrintStream log)
    {
        final LocalDateTime started = LocalDateTime.now();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        final Path out = BenchMain.reportFile(options.out, "zero-copy", started);
        log.println("bench zero-copy: " + command);
        log.println("machine: nproc=" + machine.nproc() + ", " + machine.cpuModel() + ", " + machine.java() +
            ", load " + loadBefore);
        final long startNs = System.nanoTime();
        final Results results = run(options, log);
        final Invocation invocation = new Invocation(machine, command, results.childCommand, started, loadBefore,
            MachineInfo.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final ZeroCopyReport report = new ZeroCopyReport(options, results, invocation);
        final String text = report.render();
        log.println();
        log.println(text);
        try
        {
            final Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.write(out, text.getBytes(StandardCharsets.UTF_8));
            log.println("report written to " + out);
            log.println("results written to " + report.resultsFile().writeBeside(out) + " (and .csv)");
        }
        catch (final IOException | RuntimeException ex)
        {
            log.println("bench zero-copy: cannot write " + out + " or the files beside it: " + ex);
            return 1;
        }
        return results.failures.isEmpty() ? 0 : 1;
    }

    /** Sets up, measures every path and cleans up; failures are collected, never thrown. */
    static Results run(final ZeroCopyOptions options, final PrintStream log)
    {
        return new ZeroCopyBenchmark(options, log).run();
    }

    private Results run()
    {
        results.straceMissing = !options.strace ? "not asked for (--no-strace)" : StraceSession.unavailableReason();
        final Path shmParent = null != options.shmParent ? options.shmParent : BenchDirs.shmParent();
        final Path dataBase = null != options.dataDir ? options.dataDir :
            null != System.getProperty(IpcBenchmark.ROOT_PROP_NAME) ?
            Paths.get(System.getProperty(IpcBenchmark.ROOT_PROP_NAME), "ipc-tests", "target") : Paths.get("target");
        try (ChildLauncher launcher = new ChildLauncher(options.jvmOptions, options.verbose ? log : null))
        {
            this.launcher = launcher;
            results.childCommand = launcher.baseCommand();
            final Path shm = BenchDirs.createFresh(shmParent, "shmbus-bench-zc-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(shm));
            work = BenchDirs.createFresh(dataBase, "zero-copy-bench-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(work));
            try
            {
                ringPhase(shm.resolve("ring"));
            }
            catch (final BenchException ex)
            {
                results.failures.add("ring: " + ex.getMessage());
                log.println("ring paths FAILED: " + ex.getMessage());
                launcher.killAll(); // only the ring phase's children are running
            }
            socketPhase(archivePhase(shm.resolve("archive")), shm.resolve("archive"));
        }
        catch (final RuntimeException | IOException | InterruptedException ex)
        {
            results.failures.add("setup: " + ex.getMessage());
            log.println("bench zero-copy: " + ex);
        }
        return results;
    }

    // ---- phase 1: the ring ------------------------------------------------------------------------------------

    private void ringPhase(final Path dir)
    {
        final ChildProcess broker = startBroker(dir, Map.of());
        final ChildProcess consumer = launcher.start("consumer", "zc-consumer", new HashMap<>(Map.of(
            "dir", dir.toString(), "topic", TOPIC, "bytes", Long.toString(stepBytes))));
        final long consumerTid = tid(consumer.await("READY", READY_TIMEOUT_MS, "the consumer to join"));
        final long messages = stepBytes / FRAME_LENGTH;
        final Window polled = new Window(consumer.pid(), consumerTid);
        final StraceSummary[] pollCalls = new StraceSummary[2];
        long published = 0;
        for (final ZeroCopyPath path : new ZeroCopyPath[]{ZeroCopyPath.OFFER, ZeroCopyPath.CLAIM})
        {
            // the second producer numbers its messages on from the first, so the consumer checks one sequence
            final ChildProcess producer = launcher.start(path.id, "zc-producer", new HashMap<>(Map.of(
                "dir", dir.toString(), "topic", TOPIC, "mode", ZeroCopyPath.OFFER == path ? "offer" : "claim",
                "size", Integer.toString(PAYLOAD_LENGTH), "messages", Long.toString(messages),
                "first", Long.toString(published))));
            final long producerTid = tid(producer.await("READY", READY_TIMEOUT_MS, "the " + path.id +
                " producer to join"));
            for (int i = 0; i < WARMUP_STEPS; i++)
            {
                step(producer, null, "warm-up");
                step(consumer, null, "warm-up");
            }
            final Window produced = new Window(producer.pid(), producerTid);
            for (int i = 0; i < steps; i++)
            {
                step(producer, produced, path.id);
                step(consumer, polled, "poll");
            }
            final StraceSummary[] calls = new StraceSummary[2];
            for (int t = 0; t < tracedWindows(); t++)
            {
                final boolean thread = 1 == t;
                final StraceSession tracedProducer = trace(producer.pid(), producerTid, thread, path.id);
                // the consumer is traced in the first producer's steps only: it does the same either way
                final StraceSession tracedConsumer = ZeroCopyPath.OFFER == path ?
                    trace(consumer.pid(), consumerTid, thread, "poll") : null;
                for (int i = 0; i < steps; i++)
                {
                    step(producer, null, path.id + " traced");
                    step(consumer, null, "poll traced");
                }
                calls[t] = tracedProducer.detach();
                if (null != tracedConsumer)
                {
                    pollCalls[t] = tracedConsumer.detach();
                }
            }
            record(new ZeroCopyRun(path, steps * stepBytes, produced.nanos, produced.counters, produced.threadCpuNs,
                produced.waits,
                calls[0], calls[1], "main", steps * stepBytes));
            launcher.stop(producer, STOP_TIMEOUT_MS);
            published += (WARMUP_STEPS + (1L + tracedWindows()) * steps) * messages;
        }
        record(new ZeroCopyRun(ZeroCopyPath.POLL, 2L * steps * stepBytes, polled.nanos, polled.counters,
            polled.threadCpuNs,
            polled.waits, pollCalls[0], pollCalls[1], "main", steps * stepBytes));
        launcher.stop(consumer, STOP_TIMEOUT_MS);
        launcher.stop(broker, STOP_TIMEOUT_MS);
    }

    /** Lets a ring child move one step and waits for its result, measuring it in {@code window} when given. */
    private void step(final ChildProcess child, final Window window, final String what)
    {
        if (null != window)
        {
            window.open();
        }
        child.go();
        final Map<String, String> result = child.awaitResult(stepTimeoutMs(stepBytes), child.name() + " " + what);
        if (null != window)
        {
            window.close(Long.parseLong(result.get("nanos")),
                Long.parseLong(result.getOrDefault("backPressured", result.getOrDefault("emptyPolls", "0"))));
        }
    }

    // ---- phase 2: ring to segment -----------------------------------------------------------------------------

    /** Publishes warm-up and measured steps through a persistent broker; returns the broker, still running. */
    private ChildProcess archivePhase(final Path dir) throws IOException, InterruptedException
    {
        final long total = (WARMUP_STEPS + (1L + tracedWindows()) * steps) * stepBytes;
        // about eight segments or more, as a long archive has many
        results.segmentLength = Math.max(4L << 20, Math.min(SegmentDescriptor.DEFAULT_SEGMENT_LENGTH,
            Long.highestOneBit(Math.max(1, total / 8))));
        final ChildProcess broker = startBroker(dir, Map.of("dataDir", work.resolve("data").toString(),
            "segmentLength", Long.toString(results.segmentLength)));
        final ChildProcess producer = launcher.start("archive producer", "zc-producer", new HashMap<>(Map.of(
            "dir", dir.toString(), "topic", TOPIC, "mode", "claim", "size", Integer.toString(PAYLOAD_LENGTH),
            "messages", Long.toString(stepBytes / FRAME_LENGTH))));
        producer.await("READY", READY_TIMEOUT_MS, "the archive producer to join");
        long position = 0;
        for (int i = 0; i < WARMUP_STEPS; i++)
        {
            position = archiveStep(producer, position);
        }
        // the archiver copies on the conductor's thread
        final long conductorTid = threadNamed(broker.pid(), CONDUCTOR_THREAD);
        final Window archived = new Window(broker.pid(), conductorTid);
        archived.open();
        final long windowStartNs = System.nanoTime();
        for (int i = 0; i < steps; i++)
        {
            position = archiveStep(producer, position);
        }
        archived.close(System.nanoTime() - windowStartNs, -1);
        final StraceSummary[] calls = new StraceSummary[2];
        for (int t = 0; t < tracedWindows(); t++)
        {
            final StraceSession traced = trace(broker.pid(), conductorTid, 1 == t, "archive");
            for (int i = 0; i < steps; i++)
            {
                position = archiveStep(producer, position);
            }
            calls[t] = traced.detach();
        }
        record(new ZeroCopyRun(ZeroCopyPath.ARCHIVE, steps * stepBytes, archived.nanos, archived.counters,
            archived.threadCpuNs, -1,
            calls[0], calls[1], CONDUCTOR_THREAD, steps * stepBytes));
        launcher.stop(producer, STOP_TIMEOUT_MS);
        results.archiveBytes = position;
        return broker;
    }

    /** One step published, then waits until the archive holds it; returns the position after it. */
    private long archiveStep(final ChildProcess producer, final long from) throws IOException, InterruptedException
    {
        producer.go();
        final long position = Long.parseLong(producer.awaitResult(stepTimeoutMs(stepBytes), "the archive " +
            "producer").get("position"));
        final long deadline = System.nanoTime() + stepTimeoutMs(stepBytes) * 1_000_000L;
        while (archivedBytes() < position)
        {
            if (System.nanoTime() > deadline)
            {
                throw new BenchException("the archive holds " + archivedBytes() + " of " + position + " bytes");
            }
            Thread.sleep(1);
        }
        return position;
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
        final Path topicDir = work.resolve("data").resolve(TOPIC);
        if (!Files.isDirectory(topicDir))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(topicDir))
        {
            return files.filter(p -> p.toString().endsWith(SegmentDescriptor.SUFFIX)).sorted().map(Path::toString)
                .collect(Collectors.toList());
        }
    }

    // ---- phase 3: segment to socket ---------------------------------------------------------------------------

    private void socketPhase(final ChildProcess broker, final Path dir) throws IOException
    {
        final ChildProcess receiver = launcher.start("receiver", "replay-receiver", new HashMap<>(Map.of(
            "buffer", "4m", "port", Integer.toString(options.port))));
        final int port = Integer.parseInt(ChildProcess.parseFields(
            receiver.await("READY", READY_TIMEOUT_MS, "the receiver to listen")).get("port"));
        // the first whole segments that hold the size asked for: every sender sends the same range, from position 0
        final List<String> segments = segmentFiles();
        int count = 0;
        long bytes = 0;
        while (count < segments.size() && bytes < options.sizeMiB << 20)
        {
            bytes += Files.size(Paths.get(segments.get(count++)));
        }
        results.socketBytes = bytes;
        results.segmentLength = Files.size(Paths.get(segments.get(0))); // the broker may round the length asked for
        final String files = String.join(",", segments.subList(0, count));
        for (final ZeroCopyPath path : new ZeroCopyPath[]{ZeroCopyPath.COPY_LOOP, ZeroCopyPath.MMAP_WRITE,
            ZeroCopyPath.SENDFILE, ZeroCopyPath.NET_SERVER, ZeroCopyPath.REPLAY})
        {
            try
            {
                final ZeroCopyRun run = send(path, Trace.NONE, broker, receiver, port, dir, files);
                final ZeroCopyRun process = tracedWindows() > 0 ?
                    send(path, Trace.PROCESS, broker, receiver, port, dir, files) : null;
                final ZeroCopyRun thread = tracedWindows() > 1 ?
                    send(path, Trace.THREAD, broker, receiver, port, dir, files) : null;
                record(new ZeroCopyRun(path, run.bytes(), run.nanos(), run.counters(), run.threadCpuNs(), -1,
                    null == process ? null : process.syscalls(), null == thread ? null : thread.threadSyscalls(),
                    ZeroCopyPath.NET_SERVER == path ? NET_THREAD : "main", run.bytes()));
            }
            catch (final BenchException ex)
            {
                results.failures.add(path.id + ": " + ex.getMessage());
                log.println(path.id + " FAILED: " + ex.getMessage());
            }
        }
        launcher.kill(receiver); // blocked in accept: nothing to finish
        launcher.stop(broker, STOP_TIMEOUT_MS);
    }

    /** One send of the whole archive to the receiver; traced windows count system calls only. */
    private ZeroCopyRun send(final ZeroCopyPath path, final Trace trace, final ChildProcess broker,
        final ChildProcess receiver, final int port, final Path dir, final String files)
    {
        final String what = path.id + (Trace.NONE == trace ? "" : " traced (" + trace.name().toLowerCase() + ")");
        final Map<String, String> args = new HashMap<>(Map.of("go", "true", "port", Integer.toString(port)));
        final ChildProcess child;
        if (ZeroCopyPath.NET_SERVER == path)
        {
            args.putAll(Map.of("port", Integer.toString(netPort), "topic", TOPIC,
                "end", Long.toString(results.socketBytes), "buffer", "4m",
                "warmupEnd", Long.toString(results.segmentLength)));
            child = launcher.start(what, "net-subscriber", args);
        }
        else if (ZeroCopyPath.REPLAY == path)
        {
            args.putAll(Map.of("dir", dir.toString(), "topic", TOPIC, "to", Long.toString(results.socketBytes),
                "warmupTo", Long.toString(results.segmentLength)));
            child = launcher.start(what, "replay-cli", args);
        }
        else
        {
            args.putAll(Map.of("mode", ZeroCopyPath.SENDFILE == path ? "sendfile" :
                ZeroCopyPath.MMAP_WRITE == path ? "mmap" : "copy", "buffer", Integer.toString(256 * 1024),
                "files", files, "warmup", "true"));
            child = launcher.start(what, "replay-sender", args);
        }
        StraceSession strace = null;
        boolean ok = false;
        try
        {
            final String ready = child.await("READY", READY_TIMEOUT_MS, what + " to start");
            if (ZeroCopyPath.NET_SERVER != path)
            {
                // the warm-up: one segment's worth over a connection of its own, before the measured one
                final long warm = Long.parseLong(receiver.awaitResult(READY_TIMEOUT_MS, "the receiver, " + what +
                    " warm-up").get("bytes"));
                if (warm != results.segmentLength)
                {
                    throw new BenchException(what + ": the warm-up sent " + warm + " bytes, expected " +
                        results.segmentLength);
                }
            }
            final long mover = ZeroCopyPath.NET_SERVER == path ? broker.pid() : child.pid();
            final long tid = ZeroCopyPath.NET_SERVER == path ? threadNamed(broker.pid(), NET_THREAD) : tid(ready);
            if (Trace.NONE != trace)
            {
                strace = trace(mover, tid, Trace.THREAD == trace, path.id);
            }
            final Window window = new Window(mover, tid);
            window.open();
            child.go();
            final long timeoutMs = stepTimeoutMs(results.socketBytes);
            // the mover's own clock starts at the go (the receiver's would include the wait for it)
            final Map<String, String> moved = child.awaitResult(timeoutMs, what);
            final Map<String, String> received = ZeroCopyPath.NET_SERVER == path ? moved :
                receiver.awaitResult(timeoutMs, "the receiver, " + what);
            window.close(Long.parseLong(moved.get("nanos")), -1);
            final StraceSummary syscalls = null == strace ? null : strace.detach();
            strace = null;
            final long expected = results.socketBytes + (ZeroCopyPath.NET_SERVER == path ? END_FRAME_LENGTH : 0);
            final long bytes = Long.parseLong(received.get("bytes"));
            if (bytes != expected)
            {
                throw new BenchException(what + ": the receiver got " + bytes + " bytes, expected " + expected);
            }
            ok = true;
            return new ZeroCopyRun(path, bytes, window.nanos, window.counters, window.threadCpuNs, -1,
                Trace.PROCESS == trace ? syscalls : null, Trace.THREAD == trace ? syscalls : null, null, bytes);
        }
        finally
        {
            if (null != strace)
            {
                strace.kill();
            }
            launcher.finish(ok, STOP_TIMEOUT_MS, child);
        }
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    private ChildProcess startBroker(final Path dir, final Map<String, String> extra)
    {
        final Map<String, String> args = new HashMap<>(Map.of("dir", dir.toString(),
            "capacity", Long.toString((long)options.capacityMiB << 20)));
        args.putAll(extra);
        if (extra.containsKey("dataDir"))
        {
            args.put("netPort", Integer.toString(0 == options.port ? 0 : options.port + 1));
        }
        final ChildProcess broker = launcher.start("broker " + dir.getFileName(), "shmbus-broker", args);
        final Map<String, String> ready = ChildProcess.parseFields(broker.await("READY", READY_TIMEOUT_MS,
            "the broker to start"));
        if (extra.containsKey("dataDir"))
        {
            netPort = Integer.parseInt(ready.get("netPort"));
        }
        return broker;
    }

    /** The traced windows per path: the whole process, then the moving thread alone; none without strace. */
    private int tracedWindows()
    {
        return null == results.straceMissing ? 2 : 0;
    }

    /** strace on the whole process {@code pid}, or with {@code thread} on its thread {@code tid} alone. */
    private StraceSession trace(final long pid, final long tid, final boolean thread, final String what)
    {
        if (thread && tid <= 0)
        {
            throw new BenchException("no thread id to trace for " + what);
        }
        final Path out = work.resolve("strace-" + what.replaceAll("[^A-Za-z0-9]", "_") + "-" +
            (thread ? "thread-" + tid : "process-" + pid) + ".txt");
        return thread ? StraceSession.attachThread(tid, out, STRACE_ATTACH_TIMEOUT_MS) :
            StraceSession.attach(pid, out, STRACE_ATTACH_TIMEOUT_MS);
    }

    /** The {@code tid=} of a child's READY line. */
    private static long tid(final String ready)
    {
        return Long.parseLong(ChildProcess.parseFields(ready).getOrDefault("tid", "-1"));
    }

    /**
     * The id of the thread of {@code pid} whose name starts with {@code name} (Linux keeps 15 characters of it).
     *
     * @throws BenchException when there is none.
     */
    private static long threadNamed(final long pid, final String name)
    {
        final String prefix = name.substring(0, Math.min(15, name.length()));
        try (Stream<Path> tasks = Files.list(Paths.get("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                try
                {
                    if (Files.readString(task.resolve("comm")).trim().startsWith(prefix))
                    {
                        return Long.parseLong(task.getFileName().toString());
                    }
                }
                catch (final IOException ex)
                {
                    // the thread exited while we looked
                }
            }
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot list the threads of process " + pid + ": " + ex.getMessage(), ex);
        }
        throw new BenchException("process " + pid + " has no thread named " + name);
    }

    private void record(final ZeroCopyRun run)
    {
        results.runs.put(run.path(), run);
        log.printf("[%6.1fs] %-24s %5d MiB  %6.2f GiB/s  CPU %.3f s/GiB  %s%n", (System.nanoTime() - startNs) / 1e9,
            run.path().id, run.bytes() >> 20, run.gibPerSecond(), run.cpuSecondsPerGib(), null == run.syscalls() ?
            "" : String.format("%.0f syscalls/GiB, %.0f on the moving thread",
            run.perTracedGib(run.syscalls(), null), run.perTracedGib(run.threadSyscalls(), null)));
    }

    private long stepTimeoutMs(final long bytes)
    {
        return 60_000 + (bytes >> 20) * 100; // 10 MiB/s at worst
    }

    /** The counters of one mover process, and the CPU time of its moving thread, summed over measured windows. */
    private static final class Window
    {
        private final long pid;
        private final long tid;
        private ProcCounters.Snapshot opened;
        ProcCounters counters = ProcCounters.zero();
        long threadCpuNs;
        long nanos;
        long waits;

        Window(final long pid, final long tid)
        {
            this.pid = pid;
            this.tid = tid;
        }

        void open()
        {
            opened = ProcCounters.read(pid);
        }

        void close(final long windowNanos, final long windowWaits)
        {
            final ProcCounters.Snapshot closed = ProcCounters.read(pid);
            counters = counters.plus(closed.since(opened));
            threadCpuNs += closed.threadCpuNs(tid) - opened.threadCpuNs(tid);
            nanos += windowNanos;
            waits += windowWaits;
        }
    }
}
