package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two broker processes of a mirror benchmark run, on one host: the source (a persistent topic mirrored out on
 * a loopback UDP channel, its network server on a free port) and, once asked, the mirror ({@code [mirror T]} with
 * the same channel, capacity and segment length, catching up from the source's network server). Each has its own
 * shared-memory and data directory under the run's directory. Used by the benchmark's main thread; the children
 * it starts go on the caller's list, which stops them.
 */
final class MirrorPair
{
    private static final long READY_TIMEOUT_MS = 60_000;
    private static final long OPEN_TIMEOUT_MS = 60_000;

    private final Path runDir;
    private final MirrorOptions options;
    private final String channel;
    private final int netPort;
    private final ChildProcess source;

    /**
     * The bytes the parent watched the mirror catch up, the time to its tail and to its archive at the end, and the
     * CPU time the source and the mirror broker processes used until the tail reached the end, and their busiest
     * threads' CPU seconds over that window ({@code name=seconds,...}).
     */
    record CatchUpTimes(long bytes, long tailNs, long archivedNs, long sourceCpuNs, long mirrorCpuNs,
        String sourceThreads, String mirrorThreads)
    {
    }

    private MirrorPair(final Path runDir, final MirrorOptions options, final String channel, final int netPort,
        final ChildProcess source)
    {
        this.source = source;
        this.runDir = runDir;
        this.options = options;
        this.channel = channel;
        this.netPort = netPort;
    }

    /** Starts the source broker and waits for its READY. */
    static MirrorPair start(final ChildLauncher launcher, final Path runDir, final MirrorOptions options,
        final List<ChildProcess> children)
    {
        try
        {
            Files.createDirectories(runDir);
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot create " + runDir + ": " + ex.getMessage(), ex);
        }
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + MirrorBenchmark.freeUdpPort();
        final Map<String, String> args = brokerArgs(runDir.resolve("source"), options);
        args.put("netPort", "0");
        args.put("mirrorOut", channel);
        final ChildProcess source = launcher.start("source-broker", "shmbus-broker", args);
        children.add(source);
        final String ready = source.await("READY", READY_TIMEOUT_MS, "READY (source broker started)");
        return new MirrorPair(runDir, options, channel,
            Integer.parseInt(ChildProcess.parseFields(ready).get("netPort")), source);
    }

    Path sourceDir()
    {
        return runDir.resolve("source");
    }

    Path sourceData()
    {
        return runDir.resolve("source-data");
    }

    Path mirrorDir()
    {
        return runDir.resolve("mirror");
    }

    /** Starts the mirror broker and waits until its topic is open (archiver and all), so consumers can join. */
    ChildProcess startMirror(final ChildLauncher launcher, final List<ChildProcess> children)
    {
        final ChildProcess mirror = launchMirror(launcher, children);
        awaitOpen(mirror).close();
        return mirror;
    }

    /**
     * Publishes {@code bytes} in frames of {@code messageLength + 32} bytes at the source (a producer process at full
     * speed) and waits until the source's archive holds them all.
     *
     * @return the stream position at the end: the bytes archived.
     */
    long publishArchived(final ChildLauncher launcher, final long bytes, final int messageLength,
        final List<ChildProcess> children)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("system", BenchSystem.SHMBUS.id());
        args.put("dir", sourceDir().toString());
        args.put("stream", MirrorBenchmark.TOPIC);
        args.put("streamId", "1");
        args.put("size", Integer.toString(messageLength));
        args.put("warmup", "0");
        args.put("messages", Long.toString(bytes / (messageLength + 32)));
        args.put("idle", "yield");
        args.put("awaitSubscriber", "false");
        final ChildProcess producer = launcher.start("catch-up-producer", "tp-producer", args);
        children.add(producer);
        producer.await("READY", READY_TIMEOUT_MS, "READY (publishing)");
        final long timeoutMs = 60_000 + (bytes >> 20) * 200;
        final long end = Long.parseLong(producer.awaitResult(timeoutMs, "the producer's RESULT").get("lastPosition"));
        launcher.stop(producer, READY_TIMEOUT_MS);
        try (ArchiveProbe source = ArchiveProbe.open(sourceDir(), MirrorBenchmark.TOPIC))
        {
            if (MirrorBenchmark.awaitNs(() -> source.archivedPosition() >= end, System.nanoTime(), timeoutMs) < 0)
            {
                throw new BenchException("the source's archive holds " + source.archivedPosition() + " of " + end +
                    " bytes after " + timeoutMs + " ms");
            }
        }
        return end;
    }

    /**
     * Starts a new mirror broker and times its catch-up to {@code end}: from the parent's first look at its open
     * topic (the bytes it already had then are not counted) to its tail at the end, and to its archive at the end.
     */
    CatchUpTimes catchUpMirror(final ChildLauncher launcher, final long end, final long timeoutMs,
        final List<ChildProcess> children)
    {
        final ChildProcess mirror = launchMirror(launcher, children);
        try (ArchiveProbe probe = awaitOpen(mirror))
        {
            final ThreadsCpu.Reading sourceThreads = ThreadsCpu.read(source.pid());
            final ThreadsCpu.Reading mirrorThreads = ThreadsCpu.read(mirror.pid());
            final ProcessCpu.Reading sourceBefore = ProcessCpu.read(source.pid());
            final ProcessCpu.Reading mirrorBefore = ProcessCpu.read(mirror.pid());
            final long startNs = System.nanoTime();
            final long atStart = probe.tailPosition();
            final long tailNs = MirrorBenchmark.awaitNs(() -> probe.tailPosition() >= end, startNs, timeoutMs);
            final long sourceCpuNs = ProcessCpu.read(source.pid()).since(sourceBefore);
            final long mirrorCpuNs = ProcessCpu.read(mirror.pid()).since(mirrorBefore);
            final String sourceBusiest = busiest(ThreadsCpu.read(source.pid()).since(sourceThreads));
            final String mirrorBusiest = busiest(ThreadsCpu.read(mirror.pid()).since(mirrorThreads));
            final long archivedNs = MirrorBenchmark.awaitNs(() -> probe.archivedPosition() >= end, startNs,
                timeoutMs);
            if (tailNs < 0 || archivedNs < 0)
            {
                throw new BenchException("the mirror reached " + probe.tailPosition() + " (archived " +
                    probe.archivedPosition() + ") of " + end + " bytes in " + timeoutMs + " ms" + mirror.tailText() +
                    source.tailText());
            }
            return new CatchUpTimes(end - atStart, tailNs, archivedNs, sourceCpuNs, mirrorCpuNs, sourceBusiest,
                mirrorBusiest);
        }
    }

    /** The four busiest threads as {@code name=seconds,...}. */
    private static String busiest(final List<Map.Entry<String, Long>> threads)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, threads.size()); i++)
        {
            sb.append(i == 0 ? "" : ",").append(threads.get(i).getKey().replace(' ', '_')).append('=')
                .append(String.format(java.util.Locale.ROOT, "%.2f", threads.get(i).getValue() / 1e9));
        }
        return sb.toString();
    }

    private ChildProcess launchMirror(final ChildLauncher launcher, final List<ChildProcess> children)
    {
        final Map<String, String> args = brokerArgs(mirrorDir(), options);
        args.put("mirrorOf", "127.0.0.1:" + netPort);
        args.put("mirrorChannel", channel);
        final ChildProcess mirror = launcher.start("mirror-broker", "shmbus-broker", args);
        children.add(mirror);
        mirror.await("READY", READY_TIMEOUT_MS, "READY (mirror broker started)");
        return mirror;
    }

    /** Waits until the mirror's conductor opened the topic: it has learnt the source's position. */
    private ArchiveProbe awaitOpen(final ChildProcess mirror)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OPEN_TIMEOUT_MS);
        while (true)
        {
            try
            {
                return ArchiveProbe.open(mirrorDir(), MirrorBenchmark.TOPIC);
            }
            catch (final RuntimeException ex)
            {
                if (!mirror.isAlive() || System.nanoTime() - deadline > 0)
                {
                    throw new BenchException("the mirror broker did not open topic '" + MirrorBenchmark.TOPIC +
                        "' within " + OPEN_TIMEOUT_MS + " ms: " + ex.getMessage() + mirror.tailText());
                }
                try
                {
                    Thread.sleep(2);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    throw new BenchException("interrupted waiting for the mirror's topic");
                }
            }
        }
    }

    private static Map<String, String> brokerArgs(final Path dir, final MirrorOptions options)
    {
        final Map<String, String> args = new LinkedHashMap<>();
        args.put("dir", dir.toString());
        args.put("dataDir", dir + "-data");
        args.put("capacity", Long.toString(options.capacity));
        args.put("segmentLength", Long.toString(options.segmentLength));
        args.put("topic", MirrorBenchmark.TOPIC);
        return args;
    }
}
