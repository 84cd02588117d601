package io.shmbus.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders one {@code scripts/bench persist} invocation as a Markdown report: the machine and settings, the
 * end-to-end rates, the ratios the goals are judged by (taken within each round, then the median), the
 * producers' own rates, the archive's lag and byte check, every run, and any failure.
 */
final class PersistReport extends MarkdownReport
{
    /** Persistence may cost at most this share of the non-persistent rate. */
    static final double MAX_PERSISTENCE_COST = 0.20;

    private final PersistOptions options;
    private final PersistResults results;
    private final Path dataBase;
    private final String dataFileSystem;
    private final String chronicleVersion;

    PersistReport(
        final PersistOptions options,
        final PersistResults results,
        final Invocation invocation,
        final Path dataBase,
        final String dataFileSystem,
        final String chronicleVersion)
    {
        super(invocation);
        this.options = options;
        this.results = results;
        this.dataBase = dataBase;
        this.dataFileSystem = dataFileSystem;
        this.chronicleVersion = chronicleVersion;
    }

    String render()
    {
        header();
        throughput();
        goals();
        producers();
        archive();
        everyRun();
        failures(results.failures);
        return text();
    }

    /** One run on one line, for the progress output. */
    static String runText(final PersistRun run)
    {
        String text = String.format(Locale.ROOT, "%7.2f M msg/s %8.1f MB/s (producer %.2f M msg/s), back pressure %,d",
            run.messagesPerSecond() / 1e6, run.megabytesPerSecond(), run.sendMessagesPerSecond() / 1e6,
            run.backPressured());
        if (!Double.isNaN(run.usage().otherPctOfMachine()))
        {
            text += String.format(Locale.ROOT, ", other processes %.0f%% of the machine",
                run.usage().otherPctOfMachine());
        }
        if (!Double.isNaN(run.usage().driverPctOfOneCpu()))
        {
            text += String.format(Locale.ROOT, ", broker %.0f%% of a CPU", run.usage().driverPctOfOneCpu());
        }
        final ArchiveProbe.Stats a = run.archive();
        if (null != a)
        {
            text += String.format(Locale.ROOT, "; archive: lag at end %s, max %s, caught up in %s, %s", bytes(
                a.lagAtEndBytes()), bytes(a.maxLagBytes()), millis(a.catchUpNs()), a.ok() ?
                String.format(Locale.ROOT, "%,d bytes archived = published", a.archivedBytes()) :
                "CHECK FAILED: " + a.problem());
        }
        return text;
    }

    private void header()
    {
        line("# Persistence benchmark: shmbus non-persistent vs persistent vs Chronicle Queue");
        line();
        line("| | |");
        line("|---|---|");
        invocationRows("every child");
        row("Chronicle JVMs", "the producer and consumer of Chronicle runs also get `" +
            String.join(" ", ChildLauncher.CHRONICLE_JVM_OPTIONS) + "`");
        row("data", dataBase + " on " + dataFileSystem + ": segment files and Chronicle queues, each run in a " +
            "directory of its own, deleted after the run; nothing is fsynced except by durability `segment`, so " +
            "writes land in the page cache and the kernel writes them back (vm.dirty_background_ratio " +
            MachineInfo.sysctl("vm/dirty_background_ratio") + "%, vm.dirty_ratio " +
            MachineInfo.sysctl("vm/dirty_ratio") + "% of RAM)");
        row("shmbus", "a `shmbus broker` process per run (default idle strategy: parks up to 1 ms, 5 ms after a " +
            "quiet second), ring " +
            mib(options.capacity) + " in /dev/shm; persistent runs start it with a data directory and " +
            "`persistent = true`, `durability = none` (or `segment`): its archiver, on the broker's one thread, " +
            "copies committed frames from the ring to 128 MiB segment files (a positional write from the ring's " +
            "mapping per step of at most 1 MiB), and " +
            "holds producers back from overwriting what it has not copied. `Producer.offer` (copy) → " +
            "`Consumer.poll` in place, consumer from EARLIEST, joined before the producer starts");
        row("Chronicle Queue", "net.openhft:chronicle-queue " + chronicleVersion + ", `SingleChronicleQueueBuilder" +
            ".binary(dir)`, roll cycle " + results.chronicleSettings.getOrDefault("rollCycle",
            ChronicleTransport.ROLL_CYCLE.name()) + ", block size " + blockSizeText() + " (defaults otherwise); " +
            "the producer appends each message as one document (`writingDocument()`, raw copy of the payload " +
            "bytes), the consumer's tailer (from the start) reads each in place in the mapped file");
        row("loops", "the same producer and consumer code for every system: " + options.idle + " on both " +
            "sides, including on back pressure; fragment limit " + options.fragmentLimit + " per poll");
        row("measure", "end to end: the consumer times the batch after the warmup from its first to its last " +
            "message, so a rate is what was both published and delivered to a tailing consumer; MB/s counts " +
            "payload bytes, 10^6 a second");
        line();
    }

    private void throughput()
    {
        line("## Throughput: 1 producer process → 1 tailing consumer process");
        line();
        line("Median over " + options.runs + " round" + (options.runs > 1 ? "s" : "") + " (min – max), M msg/s " +
            "and MB/s.");
        line();
        final StringBuilder head = new StringBuilder("| size | messages (warmup) |");
        final StringBuilder rule = new StringBuilder("|---:|---:|");
        for (final PersistSystem system : options.systems)
        {
            head.append(' ').append(system.label()).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (int i = 0; i < options.sizes.size(); i++)
        {
            final int size = options.sizes.get(i);
            final StringBuilder r = new StringBuilder("| " + size + " B | " + count(options.messages[i]) + " (" +
                count(options.warmup[i]) + ") |");
            for (final PersistSystem system : options.systems)
            {
                final double[] rates = results.values(system, size, PersistRun::messagesPerSecond);
                if (rates.length == 0)
                {
                    r.append(" failed |");
                    continue;
                }
                r.append(String.format(Locale.ROOT, " **%s** (%s – %s) M msg/s, %.0f MB/s |",
                    fmt(PersistResults.median(rates) / 1e6), fmt(PersistResults.min(rates) / 1e6),
                    fmt(PersistResults.max(rates) / 1e6), PersistResults.median(rates) * size / 1e6));
            }
            line(r.toString());
        }
        line();
        final List<String[]> pairs = ratioPairs();
        if (pairs.isEmpty())
        {
            return;
        }
        line("Ratios of the end-to-end rates, taken within each round and then the median (min – max); above " +
            "1.00 means the first system is faster:");
        line();
        final StringBuilder ratioHead = new StringBuilder("| size |");
        final StringBuilder ratioRule = new StringBuilder("|---:|");
        for (final String[] pair : pairs)
        {
            ratioHead.append(' ').append(pair[2]).append(" |");
            ratioRule.append("---:|");
        }
        line(ratioHead.toString());
        line(ratioRule.toString());
        for (final int size : options.sizes)
        {
            final StringBuilder r = new StringBuilder("| " + size + " B |");
            for (final String[] pair : pairs)
            {
                r.append(' ').append(ratioText(results.roundRatios(PersistSystem.parse(pair[0]),
                    PersistSystem.parse(pair[1]), size))).append(" |");
            }
            line(r.toString());
        }
        line();
    }

    private void goals()
    {
        final boolean cost = options.systems.contains(PersistSystem.SHMBUS) &&
            options.systems.contains(PersistSystem.SHMBUS_PERSISTENT);
        final boolean anchor = options.systems.contains(PersistSystem.SHMBUS_PERSISTENT) &&
            options.systems.contains(PersistSystem.CHRONICLE);
        if (!cost && !anchor)
        {
            return;
        }
        line("## Goals");
        line();
        for (final int size : options.sizes)
        {
            if (cost)
            {
                final double ratio = PersistResults.median(results.roundRatios(PersistSystem.SHMBUS_PERSISTENT,
                    PersistSystem.SHMBUS, size));
                line("- " + size + " B, persistence costs < " + Math.round(MAX_PERSISTENCE_COST * 100) +
                    "% of the non-persistent rate: " + (Double.isNaN(ratio) ? "not measured" : String.format(
                    Locale.ROOT, "cost %.0f%% (ratio %.2f) — **%s**", (1 - ratio) * 100, ratio,
                    ratio >= 1 - MAX_PERSISTENCE_COST ? "met" : "not met")));
            }
            if (anchor)
            {
                final double ratio = PersistResults.median(results.roundRatios(PersistSystem.SHMBUS_PERSISTENT,
                    PersistSystem.CHRONICLE, size));
                line("- " + size + " B, shmbus persistent beats Chronicle Queue: " + (Double.isNaN(ratio) ?
                    "not measured" : String.format(Locale.ROOT, "ratio %.2f — **%s**", ratio, ratio > 1 ?
                    "met" : "not met")));
            }
        }
        line();
    }

    private void producers()
    {
        line("## The producers' own rates");
        line();
        line("M msg/s over the same measured batch, timed in the producer (median). A shmbus producer is held " +
            "back by its consumer and, when persistent, by the archiver; a Chronicle appender by nothing, so it " +
            "can run ahead of its tailer.");
        line();
        final StringBuilder head = new StringBuilder("| size |");
        final StringBuilder rule = new StringBuilder("|---:|");
        for (final PersistSystem system : options.systems)
        {
            head.append(' ').append(system.label()).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (final int size : options.sizes)
        {
            final StringBuilder r = new StringBuilder("| " + size + " B |");
            for (final PersistSystem system : options.systems)
            {
                final double median = PersistResults.median(results.values(system, size,
                    PersistRun::sendMessagesPerSecond));
                r.append(' ').append(Double.isNaN(median) ? "failed" : fmt(median / 1e6)).append(" |");
            }
            line(r.toString());
        }
        line();
    }

    private void archive()
    {
        final List<PersistSystem> archived = new ArrayList<>();
        for (final PersistSystem system : options.systems)
        {
            if (system.isArchived())
            {
                archived.add(system);
            }
        }
        if (archived.isEmpty())
        {
            return;
        }
        line("## The archive");
        line();
        line("Read from the parent process while each run goes on, as `shmbus stat` does: the topic's tail " +
            "against the broker's `archived position` counter. *Lag at end*: tail minus archived position when " +
            "the parent read the consumer's result (about a millisecond after its last message); *max lag*: the " +
            "largest lag sampled once a millisecond during the run (the archiver's consumer slot holds producers at " +
            "most one ring, " + mib(options.capacity) + ", ahead of it; the counter is stored just after the slot, " +
            "so a broker thread descheduled between the two shows up to one archiving step, 1 MiB, more); *catch-up*: from the end of the run " +
            "until the archive reached the tail. *Check*: after the broker stopped, the segment files hold " +
            "exactly the bytes the producer published (its last position), every run (archives up to 64 MiB " +
            "are also read frame by frame, message count and end position compared). *Broker*: its CPU in % of " +
            "one CPU during the run. Medians, max in brackets.");
        line();
        line("| size | system | lag at end | max lag | catch-up | check | bytes archived per run | broker CPU % |");
        line("|---:|---|---:|---:|---:|---|---:|---:|");
        for (final int size : options.sizes)
        {
            for (final PersistSystem system : archived)
            {
                final List<PersistRun> runs = results.runs(system, size);
                if (runs.isEmpty())
                {
                    line("| " + size + " B | " + system.label() + " | failed | | | | | |");
                    continue;
                }
                final double[] lag = runs.stream().mapToDouble(r -> r.archive().lagAtEndBytes()).toArray();
                final double[] maxLag = runs.stream().mapToDouble(r -> r.archive().maxLagBytes()).toArray();
                final double[] catchUp = runs.stream().mapToDouble(r -> r.archive().catchUpNs()).toArray();
                final double[] broker = runs.stream().mapToDouble(r -> r.usage().driverPctOfOneCpu()).toArray();
                final long failed = runs.stream().filter(r -> !r.archive().ok()).count();
                line("| " + size + " B | " + system.label() + " | " + bytes((long)PersistResults.median(lag)) +
                    " (" + bytes((long)PersistResults.max(lag)) + ") | " +
                    bytes((long)PersistResults.median(maxLag)) + " (" + bytes((long)PersistResults.max(maxLag)) +
                    ") | " + millis((long)PersistResults.median(catchUp)) + " (" +
                    millis((long)PersistResults.max(catchUp)) + ") | " +
                    (failed == 0 ? "archived = published, " + runs.size() + "/" + runs.size() + " runs" :
                    "**FAILED in " + failed + " of " + runs.size() + " runs**") + " | " +
                    String.format(Locale.ROOT, "%,d", runs.get(0).archive().archivedBytes()) + " | " +
                    pct(PersistResults.median(broker)) + " (" + pct(PersistResults.max(broker)) + ") |");
            }
        }
        line();
    }

    private void everyRun()
    {
        line("Every run in the order run; *other*: CPU that processes outside the benchmark (and the hypervisor) " +
            "took during the run, in % of the whole machine; *broker*: the shmbus broker's CPU in % of one CPU:");
        line();
        line("| size | round | system | M msg/s | MB/s | producer M msg/s | back pressure | other % | broker % | " +
            "archive lag at end | catch-up |");
        line("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (final PersistRun run : results.runs)
        {
            final String prefix = "| " + run.size() + " B | " + run.round() + " | " + run.system().label() + " |";
            if (!run.ok())
            {
                line(prefix + " failed | | | | | | | |");
                continue;
            }
            final ArchiveProbe.Stats a = run.archive();
            line(prefix + " " + fmt(run.messagesPerSecond() / 1e6) + " | " +
                String.format(Locale.ROOT, "%.0f", run.megabytesPerSecond()) + " | " +
                fmt(run.sendMessagesPerSecond() / 1e6) + " | " +
                String.format(Locale.ROOT, "%,d", run.backPressured()) + " | " +
                pct(run.usage().otherPctOfMachine()) + " | " + brokerPct(run.usage().driverPctOfOneCpu()) + " | " +
                (null == a ? "" : bytes(a.lagAtEndBytes())) + " | " + (null == a ? "" : millis(a.catchUpNs())) +
                " |");
        }
        line();
    }

    /** The ratios worth showing for the systems run: {numerator id, denominator id, column title}. */
    private List<String[]> ratioPairs()
    {
        final List<String[]> pairs = new ArrayList<>();
        final PersistSystem[][] candidates = {
            {PersistSystem.SHMBUS_PERSISTENT, PersistSystem.SHMBUS},
            {PersistSystem.SHMBUS_SEGMENT, PersistSystem.SHMBUS},
            {PersistSystem.SHMBUS_PERSISTENT, PersistSystem.CHRONICLE},
            {PersistSystem.SHMBUS_SEGMENT, PersistSystem.CHRONICLE},
            {PersistSystem.SHMBUS, PersistSystem.CHRONICLE}};
        for (final PersistSystem[] pair : candidates)
        {
            if (options.systems.contains(pair[0]) && options.systems.contains(pair[1]))
            {
                pairs.add(new String[]{pair[0].id(), pair[1].id(), "**" + pair[0].id() + " ÷ " + pair[1].id() +
                    "**"});
            }
        }
        return pairs;
    }

    private String blockSizeText()
    {
        final String blockSize = results.chronicleSettings.get("blockSize");
        try
        {
            return null == blockSize ? "default" : mib((int)Long.parseLong(blockSize));
        }
        catch (final NumberFormatException ex)
        {
            return blockSize;
        }
    }

    private static String ratioText(final double[] ratios)
    {
        if (ratios.length == 0)
        {
            return "–";
        }
        return String.format(Locale.ROOT, "**%.2f** (%.2f – %.2f)", PersistResults.median(ratios),
            PersistResults.min(ratios), PersistResults.max(ratios));
    }

    /** Blank for Chronicle, which has no broker. */
    private static String brokerPct(final double value)
    {
        return Double.isNaN(value) ? "" : pct(value);
    }

    static String bytes(final long n)
    {
        if (n < 0)
        {
            return "?";
        }
        if (n < 10 * 1024)
        {
            return n + " B";
        }
        return n < 10L * 1024 * 1024 ? String.format(Locale.ROOT, "%.0f KiB", n / 1024.0) :
            String.format(Locale.ROOT, "%.0f MiB", n / (1024.0 * 1024));
    }

    private static String millis(final long ns)
    {
        return ns < 0 ? "never" : String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
    }

}
