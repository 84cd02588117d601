package io.shmbus.bench;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Markdown report and the results file of {@code scripts/bench zero-copy}: one table row per path with the
 * figures per GiB moved, why each copy count is what it is, and how every column was counted. Main thread.
 */
final class ZeroCopyReport
{
    private static final int TOP_SYSCALLS = 6;
    /** Fewer ticks than this in a window say too little about the user/system split to print it. */
    private static final long MIN_TICKS_FOR_SPLIT = 10;

    private final ZeroCopyOptions options;
    private final ZeroCopyBenchmark.Results results;
    private final Invocation invocation;

    ZeroCopyReport(final ZeroCopyOptions options, final ZeroCopyBenchmark.Results results,
        final Invocation invocation)
    {
        this.options = options;
        this.results = results;
        this.invocation = invocation;
    }

    String render()
    {
        final StringBuilder sb = new StringBuilder(8192);
        final MachineInfo m = invocation.machine();
        sb.append("# The zero-copy account\n\n");
        sb.append("- command: `").append(invocation.commandLine()).append("`\n");
        sb.append("- started ").append(invocation.started().withNano(0)).append(", took ")
            .append(fmt("%.0f", invocation.elapsedS())).append(" s; load average before ")
            .append(invocation.loadBefore()).append(", after ").append(invocation.loadAfter()).append('\n');
        sb.append("- machine: ").append(m.nproc()).append(" CPUs, ").append(m.cpuModel()).append(", kernel ")
            .append(m.kernel()).append(", ").append(m.java()).append("; shared with other work, so absolute ")
            .append("times are noisy: counts (copies, system calls) are the stable part\n");
        sb.append("- moved per path and window: ").append(options.sizeMiB).append(" MiB in 64 KiB frames; ring of ")
            .append(options.capacityMiB).append(" MiB (the ring paths in steps of half of it); the socket paths ")
            .append("send the archive's first ").append(results.socketBytes >> 20).append(" MiB, segments of ")
            .append(results.segmentLength >> 20).append(" MiB warm in the page cache (the archive, ")
            .append(results.archiveBytes >> 20).append(" MiB, was written just before)\n");
        sb.append("- system calls: ").append(null == results.straceMissing ?
            "`strace -f -c -p PID` (the process) and `strace -c -p TID` (the moving thread) attached to the " +
            "mover after warm-up, each in a window of its own of the same size" :
            "not counted: " + results.straceMissing).append('\n');
        sb.append('\n');
        sb.append("| stage | path | mover | CPU copies of the payload (mover) | system calls /GiB: process ")
            .append("| moving thread | the moving thread's calls /GiB | voluntary switches /GiB ")
            .append("| involuntary switches /GiB | CPU s /GiB: process | moving thread | of it in the kernel ")
            .append("| minor faults /GiB | GiB/s |\n");
        sb.append("|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final ZeroCopyPath path : ZeroCopyPath.values())
        {
            final ZeroCopyRun run = results.runs.get(path);
            sb.append("| ").append(path.stage).append(" | ").append(path.id).append(" | ").append(path.mover)
                .append(" | ").append(path.cpuCopies).append(path.toSocket() ? " (+1 in the receiver)" : "");
            if (null == run)
            {
                sb.append(" | not measured | | | | | | | | | |\n");
                continue;
            }
            final ProcCounters c = run.counters();
            sb.append(" | ").append(fmt("%.0f", run.perTracedGib(run.syscalls(), null)))
                .append(" | ").append(fmt("%.0f", run.perTracedGib(run.threadSyscalls(), null)))
                .append(" | ").append(topCalls(run, run.threadSyscalls()))
                .append(" | ").append(fmt("%.0f", run.perGib(c.voluntarySwitches())))
                .append(" | ").append(fmt("%.0f", run.perGib(c.involuntarySwitches())))
                .append(" | ").append(fmt("%.3f", run.cpuSecondsPerGib()))
                .append(" | ").append(fmt("%.3f", run.threadCpuSecondsPerGib()))
                .append(" | ").append(c.userTicks() + c.systemTicks() < MIN_TICKS_FOR_SPLIT ? "?" :
                    fmt("%.0f%%", 100 * c.systemShare()))
                .append(" | ").append(fmt("%.0f", run.perGib(c.minorFaults())))
                .append(" | ").append(fmt("%.2f", run.gibPerSecond())).append(" |\n");
        }
        sb.append("\nThe whole process's most frequent calls, per GiB (the moving thread's and every other thread's: ")
            .append("the JVM's own, the benchmark's go and result lines, the broker's other duties):\n\n");
        sb.append("| path | moving thread | the process's calls /GiB |\n|---|---|---|\n");
        for (final ZeroCopyRun run : results.runs.values())
        {
            sb.append("| ").append(run.path().id).append(" | ").append(run.thread()).append(" | ")
                .append(topCalls(run, run.syscalls())).append(" |\n");
        }
        sb.append('\n');
        sb.append("Why each copy count (CPU copies of the payload made by the mover, from the code path):\n\n");
        for (final ZeroCopyPath path : ZeroCopyPath.values())
        {
            sb.append("- **").append(path.id).append("** (").append(path.cpuCopies).append("): ")
                .append(path.copiesReason).append('\n');
        }
        sb.append("- every socket path: on loopback the receiver's read copies the socket buffer into its own ")
            .append("buffer, one more copy, in the receiver process (not measured here)\n\n");
        sb.append("How it is counted:\n\n");
        sb.append("- the mover is the process that moves the bytes: the producer, the consumer, the broker (archive,")
            .append(" network server), the sending process, the `shmbus replay` command\n");
        sb.append("- CPU s: the sum of the mover's threads' `/proc/PID/task/TID/schedstat` deltas over an untraced ")
            .append("window, or `utime + stime` of `/proc/PID/stat` when larger (it keeps exited threads' time); ")
            .append("the kernel's share from `utime`/`stime` (10 ms ticks); the moving thread's from its own ")
            .append("schedstat\n");
        sb.append("- the kernel's share is `?` where the window held fewer than ").append(MIN_TICKS_FOR_SPLIT)
            .append(" ticks\n");
        sb.append("- switches: `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches` deltas summed over ")
            .append("`/proc/PID/task/*/status`, same window; minor faults: `minflt` of `/proc/PID/stat`\n");
        sb.append("- system calls: `strace -f -c -p PID` over a second window of the same size, every thread of the ")
            .append("process (idle ones too), and `strace -c -p TID` over a third, the moving thread alone; tracing ")
            .append("slows every call, so no time or CPU is taken from a traced window\n");
        sb.append("- windows: the mover waits for a go from the parent after warm-up; the ring paths in steps ")
            .append("(producer, then consumer: neither waits inside its window), the archive from the go until the ")
            .append("segment files hold the bytes, the socket paths from the go until the mover's last byte\n");
        final ZeroCopyRun offer = results.runs.get(ZeroCopyPath.OFFER);
        final ZeroCopyRun claim = results.runs.get(ZeroCopyPath.CLAIM);
        final ZeroCopyRun poll = results.runs.get(ZeroCopyPath.POLL);
        if (null != offer && null != claim && null != poll)
        {
            sb.append("- spins inside the windows: offer ").append(offer.waits()).append(", tryClaim ")
                .append(claim.waits()).append(" back-pressured attempts; poll ").append(poll.waits())
                .append(" empty polls\n");
        }
        for (final ZeroCopyRun run : results.runs.values())
        {
            if (run.counters().exitedThreads() > 0)
            {
                sb.append("- ").append(run.path().id).append(": ").append(run.counters().exitedThreads())
                    .append(" of the mover's threads exited inside the window, taking their context switches with ")
                    .append("them: its switch counts are a lower bound (threads that start and end inside the ")
                    .append("window are not seen at all)\n");
            }
        }
        if (!results.failures.isEmpty())
        {
            sb.append("\n**Failures:**\n\n");
            results.failures.forEach(f -> sb.append("- ").append(f).append('\n'));
        }
        return sb.toString();
    }

    /** The results file: one row per figure and path, the invocation's facts as meta. */
    ResultsFile resultsFile()
    {
        final ResultsFile file = new ResultsFile();
        file.meta("benchmark", "zero-copy").meta("command", invocation.commandLine())
            .meta("started", invocation.started().toString()).meta("loadBefore", invocation.loadBefore())
            .meta("loadAfter", invocation.loadAfter()).meta("nproc", Integer.toString(invocation.machine().nproc()))
            .meta("kernel", invocation.machine().kernel()).meta("java", invocation.machine().java())
            .meta("sizeMiB", Long.toString(options.sizeMiB)).meta("capacityMiB", Integer.toString(options.capacityMiB))
            .meta("archiveBytes", Long.toString(results.archiveBytes))
            .meta("socketBytes", Long.toString(results.socketBytes))
            .meta("strace", null == results.straceMissing ? "yes" : results.straceMissing)
            .meta("failures", String.join("; ", results.failures));
        for (final ZeroCopyRun run : results.runs.values())
        {
            final ZeroCopyPath p = run.path();
            final ProcCounters c = run.counters();
            row(file, p, "bytes", "B", run.bytes());
            row(file, p, "cpu_copies", "copies", p.cpuCopies);
            row(file, p, "cpu_seconds_per_gib", "s/GiB", run.cpuSecondsPerGib());
            row(file, p, "thread_cpu_seconds_per_gib", "s/GiB", run.threadCpuSecondsPerGib());
            row(file, p, "system_share", "fraction", c.systemShare());
            row(file, p, "voluntary_switches_per_gib", "1/GiB", run.perGib(c.voluntarySwitches()));
            row(file, p, "involuntary_switches_per_gib", "1/GiB", run.perGib(c.involuntarySwitches()));
            row(file, p, "minor_faults_per_gib", "1/GiB", run.perGib(c.minorFaults()));
            row(file, p, "gib_per_second", "GiB/s", run.gibPerSecond());
            if (run.waits() >= 0)
            {
                row(file, p, "spins", "count", run.waits());
            }
            syscallRows(file, run, run.syscalls(), "syscalls_per_gib");
            syscallRows(file, run, run.threadSyscalls(), "thread_syscalls_per_gib");
        }
        return file;
    }

    private static void syscallRows(final ResultsFile file, final ZeroCopyRun run, final StraceSummary summary,
        final String metric)
    {
        if (null != summary)
        {
            row(file, run.path(), metric, "1/GiB", run.perTracedGib(summary, null));
            for (final StraceSummary.Entry e : summary.entries())
            {
                row(file, run.path(), metric + "." + e.syscall(), "1/GiB", run.perTracedGib(summary, e.syscall()));
            }
        }
    }

    private static void row(final ResultsFile file, final ZeroCopyPath path, final String metric, final String unit,
        final double value)
    {
        file.add(new ResultsFile.Row("zero-copy", path.stage, path.id, path.mover, ZeroCopyBenchmark.FRAME_LENGTH,
            metric, unit, "run 1", value));
    }

    private static String topCalls(final ZeroCopyRun run, final StraceSummary summary)
    {
        if (null == summary)
        {
            return "";
        }
        if (summary.entries().isEmpty())
        {
            return "none";
        }
        return summary.top(TOP_SYSCALLS).stream()
            .map(e -> e.syscall() + " " + fmt("%.0f", run.perTracedGib(summary, e.syscall())))
            .collect(Collectors.joining(", "));
    }

    private static String fmt(final String format, final double value)
    {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, format, value);
    }
}
