package io.shmbus.bench;

import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code scripts/bench mirror}: a topic mirrored over loopback UDP against its anchors, in one invocation.
 * <ul>
 *   <li>Throughput and latency: a producer process publishes on a source broker process (a persistent topic with a
 *   mirror channel and a network port), a consumer process reads the copy on a mirror broker process; each broker
 *   embeds its own media driver. The anchor: a plain Aeron UDP publication and subscription in two processes, each
 *   with a standalone media driver of its own (one per "host", as each broker embeds one), with the broker's idle
 *   strategy, the same messages and counts.</li>
 *   <li>Catch-up: the source archives a topic, then raw sendfile sends its segment files to a loopback socket
 *   (the replay benchmark's sender and receiver), then a new mirror broker catches the topic up over TCP; raw
 *   sendfile runs again after it, and the ratio is against the mean of the two.</li>
 * </ul>
 * Children are killed and every directory removed however the benchmark ends. Runs on the main thread.
 */
public final class MirrorBenchmark
{
    static final String TOPIC = "mirrored";
    private static final int AERON_STREAM_ID = 1001;
    private static final int CATCH_UP_MESSAGE_LENGTH = 64 * 1024 - 32; // frames of exactly 64 KiB
    private static final long READY_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 10_000;
    /** The broker's embedded mirror driver backs off with 100 spins and 10 yields (MirrorAeron); so does the anchor. */
    private static final Map<String, String> DRIVER_IDLE = Map.of("maxSpins", "100", "maxYields", "10");

    private final MirrorOptions options;
    private final String commandLine;
    private final MirrorResults results = new MirrorResults();
    private final long startNs = System.nanoTime();
    private Path base;
    private int runsDone;

    MirrorBenchmark(final MirrorOptions options, final String commandLine)
    {
        this.options = options;
        this.commandLine = commandLine;
    }

    public static void main(final String[] args)
    {
        final MirrorOptions options = BenchMain.options("bench mirror", args, MirrorOptions::parse, o -> o.help,
            MirrorOptions.USAGE);
        if (null == options)
        {
            return;
        }
        System.exit(new MirrorBenchmark(options, BenchMain.commandLine(MirrorBenchmark.class, args)).run());
    }

    MirrorResults results()
    {
        return results;
    }

    /**
     * Runs every part, prints the report and writes it with its results beside it.
     *
     * @return the exit code: 0 when every run succeeded and the files were written.
     */
    int run()
    {
        final LocalDateTime started = LocalDateTime.now();
        final MachineInfo machine = MachineInfo.collect();
        final String loadBefore = MachineInfo.loadAverage();
        final Path reportFile = BenchMain.reportFile(options.out, "mirror", started);
        BenchConsole.opening("bench mirror", commandLine, machine, loadBefore, "sizes " + options.sizes +
            ", parts " + options.parts + ", latency at " + options.rate + " msg/s, catch-up " + options.catchUpMiB +
            " MiB");
        List<String> childCommand = List.of();
        try (ChildLauncher launcher = new ChildLauncher(options.jvmOptions, options.verbose ? System.out : null))
        {
            childCommand = launcher.baseCommand();
            base = BenchDirs.createFresh(dataParent(), "shmbus-bench-mirror-");
            launcher.addCleanup(() -> BenchDirs.deleteRecursively(base));
            results.dataDir = base.toString();
            results.dataFileSystem = MachineInfo.fileSystem(base);
            System.out.println("brokers' directories: " + base + " (" + results.dataFileSystem + ")");
            runParts(launcher);
        }
        catch (final RuntimeException ex)
        {
            results.failures.add("setup: " + ex);
        }
        if (null != base && Files.exists(base))
        {
            results.failures.add("could not remove " + base);
        }
        final Invocation invocation = new Invocation(machine, commandLine, childCommand, started, loadBefore,
            MachineInfo.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final MirrorReport report = new MirrorReport(options, results, invocation);
        if (!BenchConsole.writeReport("bench mirror", report.render(), reportFile) ||
            !BenchConsole.writeResults("bench mirror", report.resultsFile(), reportFile))
        {
            return 1;
        }
        return results.failures.isEmpty() ? 0 : 1;
    }

    private void runParts(final ChildLauncher launcher)
    {
        for (final int size : options.sizes)
        {
            if (options.runs("throughput"))
            {
                results.throughput.add(throughput(launcher, MirrorResults.MIRROR, size));
                results.throughput.add(throughput(launcher, MirrorResults.AERON, size));
            }
            if (options.runs("latency"))
            {
                results.latency.add(latency(launcher, MirrorResults.AERON, size));
                results.latency.add(latency(launcher, MirrorResults.MIRROR, size));
            }
        }
        if (options.runs("catch-up"))
        {
            results.catchUp = catchUp(launcher);
        }
    }

    private MirrorResults.Throughput throughput(final ChildLauncher launcher, final String system, final int size)
    {
        final long messages = options.messages(size);
        final String label = label(system + " throughput", size);
        try
        {
            final Map<String, String> received = transfer(launcher, system, size, messages, 0, label);
            final MirrorResults.Throughput run = new MirrorResults.Throughput(system, size,
                Long.parseLong(received.get("measured")), Long.parseLong(received.get("elapsedNs")),
                received.get("cpu"), null);
            BenchConsole.progress(startNs, String.format("%s: %,.0f msg/s, %.1f MB/s; CPU in cores: %s", label,
                run.messagesPerSecond(), run.megabytesPerSecond(), run.cpu()));
            return run;
        }
        catch (final BenchException | NumberFormatException | NullPointerException ex)
        {
            return failed(label, ex, new MirrorResults.Throughput(system, size, messages, 0, "",
                BenchConsole.firstLine(ex.getMessage())));
        }
    }

    private MirrorResults.Latency latency(final ChildLauncher launcher, final String system, final int size)
    {
        final String label = label(system + " latency at " + options.rate + " msg/s", size);
        try
        {
            final Map<String, String> received = transfer(launcher, system, size, options.latencySamples,
                options.rate, label);
            final MirrorResults.Latency run = new MirrorResults.Latency(system, size, received, null);
            BenchConsole.progress(startNs, String.format("%s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us",
                label, run.micros("p50Ns"), run.micros("p99Ns"), run.micros("p999Ns"), run.micros("maxNs")));
            return run;
        }
        catch (final BenchException | NumberFormatException | NullPointerException ex)
        {
            return failed(label, ex, new MirrorResults.Latency(system, size, Map.of(),
                BenchConsole.firstLine(ex.getMessage())));
        }
    }

    /**
     * One run of one system: its brokers or drivers, a consumer on the receiving side, a producer on the sending
     * side (at full speed, or at {@code rate} messages/s with a time stamp each), and the consumer's result.
     */
    private Map<String, String> transfer(final ChildLauncher launcher, final String system, final int size,
        final long messages, final long rate, final String label)
    {
        final boolean mirror = MirrorResults.MIRROR.equals(system);
        final String runName = system + "-" + size + (rate > 0 ? "-latency" : "-throughput");
        final long warmup = rate > 0 ? MirrorOptions.latencyWarmup(messages) : MirrorOptions.warmup(messages);
        final Map<String, String> common = new LinkedHashMap<>();
        common.put("stream", TOPIC);
        common.put("streamId", Integer.toString(AERON_STREAM_ID));
        common.put("size", Integer.toString(size));
        common.put("warmup", Long.toString(warmup));
        common.put("messages", Long.toString(messages));
        common.put("idle", options.idle);
        common.put("fragmentLimit", "256");
        common.put("maxRuntimeMs", Long.toString(runTimeoutMs(warmup + messages, rate) + 2 * READY_TIMEOUT_MS));
        final List<ChildProcess> children = new ArrayList<>();
        boolean ok = false;
        try
        {
            final Map<String, String> producerArgs = new LinkedHashMap<>(common);
            final Map<String, String> consumerArgs = new LinkedHashMap<>(common);
            if (mirror)
            {
                final MirrorPair pair = MirrorPair.start(launcher, base.resolve(runName), options, children);
                pair.startMirror(launcher, children);
                producerArgs.put("system", BenchSystem.SHMBUS.id());
                producerArgs.put("dir", pair.sourceDir().toString());
                producerArgs.put("awaitSubscriber", "false"); // its consumers are on the mirror broker
                producerArgs.put("exactTimestamps", Boolean.toString(rate > 0));
                consumerArgs.put("system", BenchSystem.SHMBUS.id());
                consumerArgs.put("dir", pair.mirrorDir().toString());
                consumerArgs.put("latency", rate > 0 ? "frame" : "none");
            }
            else
            {
                final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
                producerArgs.put("system", BenchSystem.AERON_EXCLUSIVE.id());
                producerArgs.put("aeronDir", startDriver(launcher, runName + "-send", children).toString());
                producerArgs.put("channel", channel);
                consumerArgs.put("system", BenchSystem.AERON_EXCLUSIVE.id());
                consumerArgs.put("aeronDir", startDriver(launcher, runName + "-receive", children).toString());
                consumerArgs.put("channel", channel);
                consumerArgs.put("latency", rate > 0 ? "payload" : "none");
            }
            if (rate > 0)
            {
                producerArgs.put("rate", Long.toString(rate));
            }
            final ChildProcess consumer = launcher.start("consumer[" + runName + "]", "tp-consumer", consumerArgs);
            children.add(consumer);
            consumer.await("READY", READY_TIMEOUT_MS, "READY (subscribed)");
            final ChildProcess producer = launcher.start("producer[" + runName + "]", "tp-producer", producerArgs);
            children.add(producer);
            producer.await("READY", READY_TIMEOUT_MS, "READY (publishing)");
            final List<ProcessCpu.Reading> cpuBefore = new ArrayList<>();
            children.forEach(child -> cpuBefore.add(ProcessCpu.read(child.pid())));
            final long windowStartNs = System.nanoTime();
            final Map<String, String> received = new LinkedHashMap<>(consumer.awaitResult(
                runTimeoutMs(warmup + messages, rate), "the consumer's RESULT after " + (warmup + messages) +
                " messages"));
            received.put("cpu", cpuText(children, cpuBefore, System.nanoTime() - windowStartNs));
            producer.awaitResult(STOP_TIMEOUT_MS, "the producer's RESULT");
            final long errors = Long.parseLong(received.get("errors"));
            if (errors > 0)
            {
                throw new BenchException(errors + " messages arrived out of order or with a wrong length, the " +
                    "first at sequence " + received.get("firstError"));
            }
            ok = true;
            return received;
        }
        finally
        {
            launcher.finish(ok, STOP_TIMEOUT_MS, reversed(children));
            BenchDirs.deleteRecursively(base.resolve(runName));
        }
    }

    /** Each child's CPU time over the window as a share of one core: {@code name=0.93,...} (no spaces). */
    private static String cpuText(final List<ChildProcess> children, final List<ProcessCpu.Reading> before,
        final long wallNs)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < children.size(); i++)
        {
            final double cores = ProcessCpu.read(children.get(i).pid()).since(before.get(i)) / (double)wallNs;
            sb.append(i == 0 ? "" : ",").append(children.get(i).name().replaceFirst("\\[.*", ""))
                .append('=').append(String.format(java.util.Locale.ROOT, "%.2f", cores));
        }
        return sb.toString();
    }

    /**
     * The source archives {@code --catch-up-mib} in 64 KiB frames; raw sendfile sends its segment files to a
     * receiver; a new mirror broker catches them up; raw sendfile again.
     */
    private MirrorResults.CatchUp catchUp(final ChildLauncher launcher)
    {
        final String label = String.format("[%d] catch-up of %d MiB", ++runsDone, options.catchUpMiB);
        final Path runDir = base.resolve("catch-up");
        final List<ChildProcess> children = new ArrayList<>();
        boolean ok = false;
        try
        {
            final MirrorPair pair = MirrorPair.start(launcher, runDir, options, children);
            final long end = pair.publishArchived(launcher, options.catchUpMiB << 20, CATCH_UP_MESSAGE_LENGTH,
                children);
            final List<String> segments = segmentFiles(pair.sourceData().resolve(TOPIC));
            BenchConsole.progress(startNs, label + ": " + (end >> 20) + " MiB archived at the source in " +
                segments.size() + " segment files");
            final ChildProcess receiver = launcher.start("receiver", "replay-receiver", Map.of("buffer", "4m"));
            children.add(receiver);
            final int port = Integer.parseInt(ChildProcess.parseFields(
                receiver.await("READY", READY_TIMEOUT_MS, "the receiver to listen")).get("port"));
            final long timeoutMs = 60_000 + options.catchUpMiB * 200; // 5 MiB/s at worst
            final List<Long> sendfileNs = new ArrayList<>();
            final List<Long> sendfileCpuNs = new ArrayList<>();
            sendfile(launcher, receiver, port, segments, end, timeoutMs, sendfileNs, sendfileCpuNs);
            final MirrorPair.CatchUpTimes times = pair.catchUpMirror(launcher, end, timeoutMs, children);
            sendfile(launcher, receiver, port, segments, end, timeoutMs, sendfileNs, sendfileCpuNs);
            final MirrorResults.CatchUp catchUp = new MirrorResults.CatchUp(end, segments.size(), sendfileNs,
                sendfileCpuNs, times.bytes(), times.tailNs(), times.archivedNs(), times.sourceCpuNs(),
                times.mirrorCpuNs(), times.sourceThreads(), times.mirrorThreads(), null);
            BenchConsole.progress(startNs, String.format("%s: raw sendfile %.2f GiB/s, mirror %.2f GiB/s (%.2f " +
                "GiB/s to its archive)", label, catchUp.sendfileGibPerSecond(), catchUp.mirrorGibPerSecond(),
                catchUp.mirrorArchivedGibPerSecond()));
            ok = true;
            return catchUp;
        }
        catch (final BenchException | NumberFormatException | NullPointerException | IOException ex)
        {
            return failed(label, ex, new MirrorResults.CatchUp(0, 0, List.of(), List.of(), 0, 0, 0, 0, 0, "", "",
                BenchConsole.firstLine(ex.getMessage())));
        }
        finally
        {
            launcher.finish(ok, STOP_TIMEOUT_MS, reversed(children));
            BenchDirs.deleteRecursively(runDir);
        }
    }

    /**
     * Raw sendfile of the segment files to the receiver: adds the receiver's time from accept to end of stream and
     * the sender's CPU time over its send.
     */
    private static void sendfile(final ChildLauncher launcher, final ChildProcess receiver, final int port,
        final List<String> segments, final long bytes, final long timeoutMs, final List<Long> nanos,
        final List<Long> cpuNs)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("mode", "sendfile");
        args.put("port", Integer.toString(port));
        args.put("files", String.join(",", segments));
        final ChildProcess sender = launcher.start("raw-sendfile", "replay-sender", args);
        try
        {
            final Map<String, String> sent = sender.awaitResult(timeoutMs, "raw sendfile's RESULT");
            final Map<String, String> received = receiver.awaitResult(timeoutMs, "the receiver's RESULT");
            if (Long.parseLong(received.get("bytes")) != bytes)
            {
                throw new BenchException("raw sendfile: the receiver got " + received.get("bytes") + " bytes, " +
                    "expected " + bytes);
            }
            nanos.add(Long.parseLong(received.get("nanos")));
            cpuNs.add(Long.parseLong(sent.get("cpuNs")));
        }
        finally
        {
            launcher.stop(sender, STOP_TIMEOUT_MS);
        }
    }

    private Path startDriver(final ChildLauncher launcher, final String name, final List<ChildProcess> children)
    {
        final Path dir = base.resolve(name + "-aeron");
        final Map<String, String> args = new LinkedHashMap<>(DRIVER_IDLE);
        args.put("aeronDir", dir.toString());
        args.put("termLength", "64m");
        final ChildProcess driver = launcher.start("aeron-driver[" + name + "]", "aeron-driver", args);
        children.add(driver);
        results.driverSettings = driver.await("READY", READY_TIMEOUT_MS, "READY (driver started)");
        return dir;
    }

    /** A UDP port free on loopback now, for the run's channel (the driver binds it a moment later). */
    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new BenchException("no free UDP port on loopback: " + ex.getMessage(), ex);
        }
    }

    static List<String> segmentFiles(final Path topicDir) throws IOException
    {
        try (Stream<Path> files = Files.list(topicDir))
        {
            return files.filter(p -> p.toString().endsWith(SegmentDescriptor.SUFFIX) && p.toFile().length() > 0)
                .sorted().map(Path::toString).collect(Collectors.toList());
        }
    }

    /** /dev/shm when it has room for both brokers' archives of the largest part, else target/bench-data. */
    private Path dataParent()
    {
        if (null != options.dataDir)
        {
            return options.dataDir;
        }
        long largest = 2 * (options.catchUpMiB << 20);
        for (final int size : options.sizes)
        {
            largest = Math.max(largest, 2 * (options.messages(size) * 11 / 10) * (size + 32L));
        }
        final Path shm = BenchDirs.shmParent();
        try
        {
            if (Files.getFileStore(shm).getUsableSpace() > largest + (1L << 30))
            {
                return shm;
            }
        }
        catch (final IOException ignore)
        {
            // fall through to the disk
        }
        return BenchMain.root().resolve("target").resolve("bench-data");
    }

    private long runTimeoutMs(final long messages, final long rate)
    {
        return 60_000 + (rate > 0 ? messages * 2_000 / rate : messages / 20); // 20,000 msg/s at worst
    }

    private String label(final String what, final int size)
    {
        final int planned = options.sizes.size() * (options.runs("throughput") ? 2 : 0) +
            options.sizes.size() * (options.runs("latency") ? 2 : 0) + (options.runs("catch-up") ? 1 : 0);
        return String.format("[%d/%d] %5d B %s", ++runsDone, planned, size, what);
    }

    private <T> T failed(final String label, final Exception ex, final T run)
    {
        BenchConsole.progress(startNs, label + ": FAILED " + ex.getMessage());
        results.failures.add(label.replaceFirst("^\\[[^]]*] *", "") + ": " + BenchConsole.firstLine(ex.getMessage()));
        return run;
    }

    /** Stops the last started first: clients before the brokers and drivers they use. */
    private static ChildProcess[] reversed(final List<ChildProcess> children)
    {
        final ChildProcess[] array = new ChildProcess[children.size()];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = children.get(children.size() - 1 - i);
        }
        return array;
    }

    /** How long to wait for {@code done} polling every 100 us; -1 at the deadline. */
    static long awaitNs(final java.util.function.BooleanSupplier done, final long startNs, final long timeoutMs)
    {
        final long deadline = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return -1;
            }
            LockSupport.parkNanos(100_000);
        }
        return System.nanoTime() - startNs;
    }
}
