package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/**
 * What the kernel counted for one process over a window, from two {@link Snapshot}s of {@code /proc} taken by
 * another process: CPU time ({@code cpuNs}), its user and system split ({@code utime}, {@code stime} of
 * {@code /proc/PID/stat}, 10 ms ticks), page faults, and voluntary and involuntary context switches summed over the
 * threads ({@code /proc/PID/status} alone counts only the thread the pid names, which in a JVM is the launcher
 * thread that waits for {@code main}).
 * <p>
 * Per thread, the window's counts are the difference of its {@code schedstat} and {@code status} between the two
 * snapshots (a thread started inside the window counts from zero). A thread that exits inside the window takes its
 * switches with it: those are then a lower bound, and {@code exitedThreads} says how many threads seen at the start
 * were gone at the end. The process's {@code utime + stime} keeps the time of exited threads, so the CPU time is
 * the larger of the threads' schedstat sum (nanoseconds) and those ticks. Immutable; the parsers are pure and any
 * thread may call them.
 */
record ProcCounters(long cpuNs, long userTicks, long systemTicks, long minorFaults, long majorFaults,
    long voluntarySwitches, long involuntarySwitches, int exitedThreads)
{
    /** Linux reports utime and stime in USER_HZ ticks, 100 a second. */
    static final long NANOS_PER_TICK = 10_000_000L;

    /** One reading of a process: its own counters and each live thread's. */
    record Snapshot(long userTicks, long systemTicks, long minorFaults, long majorFaults, Map<Long, long[]> threads)
    {
        /** The CPU time of one thread so far, from its schedstat; 0 when it is not (or no longer) there. */
        long threadCpuNs(final long tid)
        {
            final long[] thread = threads.get(tid);
            return null == thread ? 0 : thread[0];
        }

        /** The counts from {@code earlier} to this snapshot. */
        ProcCounters since(final Snapshot earlier)
        {
            long schedNs = 0;
            long voluntary = 0;
            long involuntary = 0;
            for (final Map.Entry<Long, long[]> thread : threads.entrySet())
            {
                final long[] now = thread.getValue();
                final long[] then = earlier.threads.getOrDefault(thread.getKey(), new long[3]);
                schedNs += now[0] - then[0];
                voluntary += now[1] - then[1];
                involuntary += now[2] - then[2];
            }
            int exited = 0;
            for (final Long tid : earlier.threads.keySet())
            {
                exited += threads.containsKey(tid) ? 0 : 1;
            }
            final long user = userTicks - earlier.userTicks;
            final long system = systemTicks - earlier.systemTicks;
            return new ProcCounters(Math.max(schedNs, (user + system) * NANOS_PER_TICK), user, system,
                minorFaults - earlier.minorFaults, majorFaults - earlier.majorFaults, voluntary, involuntary, exited);
        }
    }

    /**
     * Reads a live process: {@code /proc/PID/stat}, and {@code schedstat} and {@code status} of every thread.
     *
     * @throws BenchException when the process is gone or its files cannot be read.
     */
    static Snapshot read(final long pid)
    {
        final Path proc = Paths.get("/proc", Long.toString(pid));
        try
        {
            final long[] stat = parseStat(Files.readString(proc.resolve("stat")));
            final Map<Long, long[]> threads = new HashMap<>();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task")))
            {
                for (final Path task : tasks)
                {
                    try
                    {
                        final long[] switches = parseSwitches(Files.readString(task.resolve("status")));
                        threads.put(Long.parseLong(task.getFileName().toString()), new long[]{
                            parseSchedstatNs(Files.readString(task.resolve("schedstat"))), switches[0], switches[1]});
                    }
                    catch (final IOException ex)
                    {
                        // the thread exited while we read: as if it had exited just before
                    }
                }
            }
            return new Snapshot(stat[0], stat[1], stat[2], stat[3], threads);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new BenchException("cannot read the counters of process " + pid + ": " + ex.getMessage(), ex);
        }
    }

    /** The sum of two windows' counts. */
    ProcCounters plus(final ProcCounters other)
    {
        return new ProcCounters(cpuNs + other.cpuNs, userTicks + other.userTicks, systemTicks + other.systemTicks,
            minorFaults + other.minorFaults, majorFaults + other.majorFaults,
            voluntarySwitches + other.voluntarySwitches, involuntarySwitches + other.involuntarySwitches,
            exitedThreads + other.exitedThreads);
    }

    static ProcCounters zero()
    {
        return new ProcCounters(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** The system share of the ticks, 0 to 1; NaN when no tick fell in the window. */
    double systemShare()
    {
        final long ticks = userTicks + systemTicks;
        return 0 == ticks ? Double.NaN : systemTicks / (double)ticks;
    }

    /**
     * {@code utime}, {@code stime}, {@code minflt} and {@code majflt} from the text of {@code /proc/PID/stat}.
     *
     * @throws IllegalArgumentException when the text is not a stat line.
     */
    static long[] parseStat(final String stat)
    {
        // the command name is in parentheses and may itself hold spaces and parentheses: count from the last ')'
        final int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 > stat.length())
        {
            throw new IllegalArgumentException("not a /proc/PID/stat line: '" + stat.trim() + "'");
        }
        final String[] f = stat.substring(close + 2).trim().split("\\s+");
        if (f.length < 13)
        {
            throw new IllegalArgumentException("a /proc/PID/stat line with " + f.length + " fields after the name");
        }
        // f[0] is field 3 (state): minflt is field 10, majflt 12, utime 14, stime 15
        return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[7]), Long.parseLong(f[9])};
    }

    /**
     * {@code voluntary_ctxt_switches} and {@code nonvoluntary_ctxt_switches} from the text of a status file.
     *
     * @throws IllegalArgumentException when either is missing.
     */
    static long[] parseSwitches(final String status)
    {
        long voluntary = -1;
        long involuntary = -1;
        for (final String line : status.split("\n"))
        {
            if (line.startsWith("voluntary_ctxt_switches:"))
            {
                voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
            else if (line.startsWith("nonvoluntary_ctxt_switches:"))
            {
                involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        if (voluntary < 0 || involuntary < 0)
        {
            throw new IllegalArgumentException("no context switch counts in the status file");
        }
        return new long[]{voluntary, involuntary};
    }

    /** The time on CPU, the first of the three numbers of a {@code schedstat} file. */
    static long parseSchedstatNs(final String schedstat)
    {
        final String text = schedstat.trim();
        final int space = text.indexOf(' ');
        return Long.parseLong(space < 0 ? text : text.substring(0, space));
    }
}
