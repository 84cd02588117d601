package io.shmbus.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report of {@code scripts/bench mirror} (Markdown) and its results file (JSON and CSV rows, the latency
 * distributions, the goals of issue 14: mirrored throughput at least 0.8x plain Aeron UDP, catch-up at least 0.9x
 * raw sendfile). Built once on the main thread from the finished results.
 */
final class MirrorReport extends MarkdownReport
{
    static final String BENCHMARK = "mirror";
    static final double THROUGHPUT_GOAL = 0.8;
    static final double CATCH_UP_GOAL = 0.9;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private final MirrorOptions options;
    private final MirrorResults results;

    MirrorReport(final MirrorOptions options, final MirrorResults results, final Invocation invocation)
    {
        super(invocation);
        this.options = options;
        this.results = results;
    }

    String render()
    {
        line("# Mirror over loopback UDP: shmbus against plain Aeron UDP and raw sendfile");
        line();
        line("| setting | value |");
        line("|---|---|");
        invocationRows("the same for every process of both systems");
        row("processes", "mirror: producer -> source broker (persistent topic, `mirror.channel` on loopback UDP, " +
            "--net-port) -> mirror broker (`[mirror " + MirrorBenchmark.TOPIC + "]`) -> consumer, each broker " +
            "with its own embedded media driver; Aeron anchor: producer (exclusive publication) -> standalone " +
            "driver -> UDP -> standalone driver -> consumer (subscription): one driver per side, as each broker " +
            "embeds one");
        row("media drivers", "shared threading, BackoffIdleStrategy(100 spins, 10 yields, park 1 us to 1 ms) in " +
            "both systems; anchor driver: " + results.driverSettings);
        row("topic", "capacity " + options.capacity + " B, segment length " + options.segmentLength +
            " B on both brokers; brokers' directories " + results.dataDir + " (" + results.dataFileSystem + ")");
        row("clients", "idle strategy " + options.idle + " in producer and consumer; throughput: " +
            "messages per size " + messagesText() + " after a tenth as many (at least 10,000) unmeasured; " +
            "latency: " + options.latencySamples + " messages at " + options.rate + " msg/s after " +
            MirrorOptions.latencyWarmup(options.latencySamples) + " unmeasured");
        line();
        throughputSection();
        latencySection();
        catchUpSection();
        goalsSection();
        failures(results.failures);
        return text();
    }

    private void throughputSection()
    {
        if (results.throughput.isEmpty())
        {
            return;
        }
        line("## Throughput, end to end");
        line();
        line("Messages per second at the consumer, from the first measured message to the last (one run each).");
        line();
        line("| size | mirror msg/s | mirror MB/s | Aeron UDP msg/s | Aeron UDP MB/s | mirror / Aeron | goal >= " +
            THROUGHPUT_GOAL + "x |");
        line("|---:|---:|---:|---:|---:|---:|---|");
        for (final int size : options.sizes)
        {
            final MirrorResults.Throughput mirror = results.throughput(MirrorResults.MIRROR, size);
            final MirrorResults.Throughput aeron = results.throughput(MirrorResults.AERON, size);
            final double ratio = results.throughputRatio(size);
            line("| " + size + " B | " + rate(mirror) + " | " + mb(mirror) + " | " + rate(aeron) + " | " +
                mb(aeron) + " | " + ratioText(ratio) + " | " + verdict(ratio, THROUGHPUT_GOAL) + " |");
        }
        line();
        line("CPU of each process over the whole run (warm-up included), in cores (2 on this machine):");
        line();
        for (final MirrorResults.Throughput run : results.throughput)
        {
            if (null == run.failure())
            {
                line("- " + run.size() + " B " + run.system() + ": " + run.cpu().replace("=", " ")
                    .replace(",", ", "));
            }
        }
        line();
    }

    private void latencySection()
    {
        if (results.latency.isEmpty())
        {
            return;
        }
        line("## Latency at " + options.rate + " msg/s (microseconds)");
        line();
        line("From the producer's offer (`System.nanoTime()` written into the message just before it: " +
            "CLOCK_MONOTONIC, one clock for every process of the host) to the consumer's handler, the same for " +
            "both systems; HdrHistogram, 3 significant digits. The mirror's second row measures from the frame " +
            "header's timestamp (the producer's commit, stamped with `exactTimestamps`: Agrona's " +
            "`OffsetEpochNanoClock` in the producer) to the handler on the system's epoch clock: it carries the " +
            "error of that clock's offset, which differs between processes by up to about a millisecond here " +
            "(negative differences count as 0: " + earlyStampsText() + ").");
        line();
        line("| size | system | p50 | p90 | p99 | p99.9 | max | samples | mirror / Aeron p50, p99, p99.9 |");
        line("|---:|---|---:|---:|---:|---:|---:|---:|---|");
        for (final int size : options.sizes)
        {
            final MirrorResults.Latency aeron = results.latency(MirrorResults.AERON, size);
            final MirrorResults.Latency mirror = results.latency(MirrorResults.MIRROR, size);
            if (null != mirror)
            {
                final String ratios = null == aeron ? "" : ratioText(mirror.micros("p50Ns") /
                    aeron.micros("p50Ns")) + ", " + ratioText(mirror.micros("p99Ns") / aeron.micros("p99Ns")) +
                    ", " + ratioText(mirror.micros("p999Ns") / aeron.micros("p999Ns"));
                latencyRow(size, mirror.system(), mirror, "p", "maxNs", ratios);
                latencyRow(size, mirror.system() + " (frame timestamp)", mirror, "frameP", "frameMaxNs", "");
            }
            if (null != aeron)
            {
                latencyRow(size, aeron.system(), aeron, "p", "maxNs", "");
            }
        }
        line();
    }

    private void latencyRow(final int size, final String label, final MirrorResults.Latency run, final String p,
        final String max, final String ratios)
    {
        line("| " + size + " B | " + label + " | " + us(run, p + "50Ns") + " | " + us(run, p + "90Ns") + " | " +
            us(run, p + "99Ns") + " | " + us(run, p + "999Ns") + " | " + us(run, max) + " | " +
            (null == run.failure() ? run.fields().get("latencyCount") : "failed") + " | " + ratios + " |");
    }

    private String earlyStampsText()
    {
        final StringBuilder sb = new StringBuilder();
        for (final MirrorResults.Latency run : results.latency)
        {
            if (run.fields().containsKey("earlyStamps"))
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(run.size()).append(" B: ")
                    .append(run.fields().get("earlyStamps"));
            }
        }
        return sb.length() == 0 ? "none measured" : sb.toString();
    }

    private void catchUpSection()
    {
        final MirrorResults.CatchUp catchUp = results.catchUp;
        if (null == catchUp)
        {
            return;
        }
        line("## Catch-up from the source's archive");
        line();
        if (null != catchUp.failure())
        {
            line("Failed: " + catchUp.failure());
            line();
            return;
        }
        line(String.format(Locale.ROOT, "%d MiB archived at the source in %d segment files (64 KiB frames). Raw " +
            "sendfile: `FileChannel.transferTo` of those files to a receiver process on a loopback TCP socket (the " +
            "replay benchmark's sender and receiver), once before and once after the mirror, time at the " +
            "receiver. Mirror: a new mirror broker, from the parent's first look at its open topic (%d MiB still " +
            "to come) to its tail at the source's end (and to its archive holding it all).", catchUp.bytes() >> 20,
            catchUp.segments(), catchUp.mirrorBytes() >> 20));
        line();
        if (catchUp.mirrorBytes() <= 0)
        {
            line("The mirror had caught up the whole archive before the first look at its topic: too small to time; " +
                "give a larger --catch-up-mib.");
            line();
        }
        line("| | GiB/s | against raw sendfile | goal >= " + CATCH_UP_GOAL + "x |");
        line("|---|---:|---:|---|");
        final StringBuilder each = new StringBuilder();
        for (final long ns : catchUp.sendfileNs())
        {
            each.append(each.length() == 0 ? "" : ", ").append(fmt(catchUp.bytes() / (ns / 1e9) / (1 << 30)));
        }
        line("| raw sendfile (mean of " + each + ") | " + fmt(catchUp.sendfileGibPerSecond()) + " | 1 | |");
        final double ratio = results.catchUpRatio();
        line("| mirror catch-up, to its tail | " + fmt(catchUp.mirrorGibPerSecond()) + " | " + ratioText(ratio) +
            " | " + verdict(ratio, CATCH_UP_GOAL) + " |");
        line("| mirror catch-up, to its archive | " + fmt(catchUp.mirrorArchivedGibPerSecond()) + " | " +
            ratioText(catchUp.mirrorArchivedGibPerSecond() / catchUp.sendfileGibPerSecond()) + " | |");
        line();
        if (catchUp.mirrorBytes() <= 0)
        {
            return;
        }
        long senderCpuNs = 0;
        long sendNs = 0;
        for (int i = 0; i < catchUp.sendfileNs().size(); i++)
        {
            senderCpuNs += catchUp.sendfileCpuNs().get(i);
            sendNs += catchUp.sendfileNs().get(i);
        }
        line(String.format(Locale.ROOT, "CPU while catching up (until the mirror's tail reached the end): source " +
            "broker %.0f%% of a core, mirror broker %.0f%% (%.2f and %.2f CPU s per GiB); the raw sendfile sender " +
            "%.0f%% of a core (%.2f CPU s per GiB).",
            100.0 * catchUp.sourceCpuNs() / catchUp.mirrorNs(), 100.0 * catchUp.mirrorCpuNs() / catchUp.mirrorNs(),
            catchUp.sourceCpuNs() / 1e9 / (catchUp.mirrorBytes() / (double)(1 << 30)),
            catchUp.mirrorCpuNs() / 1e9 / (catchUp.mirrorBytes() / (double)(1 << 30)),
            100.0 * senderCpuNs / sendNs, senderCpuNs / 1e9 / (catchUp.sendfileNs().size() * catchUp.bytes() /
            (double)(1 << 30))));
        line();
        line("Busiest threads over that window, CPU seconds: source broker " + threadsText(catchUp.sourceThreads()) +
            "; mirror broker " + threadsText(catchUp.mirrorThreads()) + ". A thread well below the window's length " +
            "was waiting (for another thread, or for a CPU), not working.");
        line();
    }

    private void goalsSection()
    {
        line("## Goals");
        line();
        line("| goal | where | measured | verdict |");
        line("|---|---|---:|---|");
        for (final ResultsFile.Goal goal : goals())
        {
            line("| " + goal.goal() + " | " + goal.where() + " | " + ratioText(goal.measured()) + " | " +
                goal.verdict() + " |");
        }
        line();
    }

    /** The results file: invocation facts, one row per figure, latency distributions, goals. */
    ResultsFile resultsFile()
    {
        final ResultsFile file = new ResultsFile();
        file.meta("benchmark", BENCHMARK);
        IpcFigures.invocationMeta(file, invocation);
        file.meta("capacityBytes", Long.toString(options.capacity));
        file.meta("segmentLengthBytes", Long.toString(options.segmentLength));
        file.meta("latencyRatePerSecond", Long.toString(options.rate));
        file.meta("dataDir", results.dataDir + " (" + results.dataFileSystem + ")");
        for (final MirrorResults.Throughput run : results.throughput)
        {
            file.add(row("throughput", run.system(), run.size(), "messages_per_s", "msg/s", run.messagesPerSecond()));
            file.add(row("throughput", run.system(), run.size(), "payload_MB_per_s", "MB/s",
                run.megabytesPerSecond()));
        }
        for (final MirrorResults.Latency run : results.latency)
        {
            for (final String key : new String[]{"p50Ns", "p90Ns", "p99Ns", "p999Ns", "maxNs", "frameP50Ns",
                "frameP90Ns", "frameP99Ns", "frameP999Ns", "frameMaxNs"})
            {
                if (run.fields().containsKey(key) || null != run.failure() && !key.startsWith("frame"))
                {
                    file.add(row("latency", run.system(), run.size(), key.replace("Ns", "_us"), "us",
                        run.micros(key)));
                }
            }
            final Histogram histogram = run.histogram();
            if (null != histogram)
            {
                final List<ResultsFile.Point> points = new ArrayList<>();
                for (final double p : PERCENTILES)
                {
                    points.add(new ResultsFile.Point(p, histogram.getValueAtPercentile(p) / 1e3));
                }
                points.add(new ResultsFile.Point(100, histogram.getMaxValue() / 1e3));
                file.distribution(run.system() + " " + run.size() + " B", points);
            }
        }
        final MirrorResults.CatchUp catchUp = results.catchUp;
        if (null != catchUp)
        {
            file.add(row("catch-up", MirrorResults.SENDFILE, 0, "GiB_per_s", "GiB/s",
                catchUp.sendfileGibPerSecond()));
            file.add(row("catch-up", MirrorResults.MIRROR, 0, "GiB_per_s", "GiB/s", catchUp.mirrorGibPerSecond()));
            file.add(row("catch-up", MirrorResults.MIRROR, 0, "archived_GiB_per_s", "GiB/s",
                catchUp.mirrorArchivedGibPerSecond()));
            file.add(row("catch-up", "source-broker", 0, "cpu_share_of_core", "fraction",
                (double)catchUp.sourceCpuNs() / catchUp.mirrorNs()));
            file.add(row("catch-up", "mirror-broker", 0, "cpu_share_of_core", "fraction",
                (double)catchUp.mirrorCpuNs() / catchUp.mirrorNs()));
        }
        goals().forEach(file::goal);
        return file;
    }

    private List<ResultsFile.Goal> goals()
    {
        final List<ResultsFile.Goal> goals = new ArrayList<>();
        if (!results.throughput.isEmpty())
        {
            for (final int size : options.sizes)
            {
                goals.add(new ResultsFile.Goal(BENCHMARK, "mirrored throughput >= " + THROUGHPUT_GOAL +
                    "x plain Aeron UDP", size + " B", results.throughputRatio(size), THROUGHPUT_GOAL, true));
            }
        }
        if (null != results.catchUp)
        {
            goals.add(new ResultsFile.Goal(BENCHMARK, "catch-up >= " + CATCH_UP_GOAL + "x raw sendfile",
                (results.catchUp.bytes() >> 20) + " MiB", results.catchUpRatio(), CATCH_UP_GOAL, true));
        }
        return goals;
    }

    private static ResultsFile.Row row(final String test, final String system, final long size, final String metric,
        final String unit, final double value)
    {
        return new ResultsFile.Row(BENCHMARK, test, "loopback", system, size, metric, unit, "run 1", value);
    }

    private String messagesText()
    {
        final StringBuilder sb = new StringBuilder();
        for (final int size : options.sizes)
        {
            sb.append(sb.length() == 0 ? "" : ", ").append(size).append(" B: ").append(count(options.messages(size)));
        }
        return sb.toString();
    }

    private static String threadsText(final String threads)
    {
        return threads.replace("=", " ").replace(",", ", ");
    }

    private static String rate(final MirrorResults.Throughput run)
    {
        return null == run ? "-" : null != run.failure() ? "failed" :
            String.format(Locale.ROOT, "%,.0f", run.messagesPerSecond());
    }

    private static String mb(final MirrorResults.Throughput run)
    {
        return null == run || null != run.failure() ? "-" : fmt(run.megabytesPerSecond());
    }

    private static String us(final MirrorResults.Latency run, final String key)
    {
        return null != run.failure() ? "-" : fmt(run.micros(key));
    }

    private static String ratioText(final double ratio)
    {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "?" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    private static String verdict(final double ratio, final double goal)
    {
        return Double.isNaN(ratio) ? "not measured" : ratio >= goal ? "met" : "**missed**";
    }
}
