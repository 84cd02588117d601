package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What the kernel counts for one process, read from {@code /proc} by another process: CPU time as the scheduler
 * accounts it (the sum of every thread's {@code schedstat}, in nanoseconds), the user and system split
 * ({@code utime}, {@code stime} of {@code /proc/PID/stat}, in 10 ms ticks), page faults, and voluntary and
 * involuntary context switches summed over the threads ({@code /proc/PID/status} alone counts only the thread the
 * pid names, which in a JVM is the launcher thread that waits for {@code main}).
 * <p>
 * A reading is subtracted from a later one ({@link #minus}); a thread that exits between them takes its switches
 * and schedstat time with it. Immutable; the parsers are pure and any thread may call them.
 */
record ProcCounters(long cpuNs, long userTicks, long systemTicks, long minorFaults, long majorFaults,
    long voluntarySwitches, long involuntarySwitches)
{
    /** Linux reports utime and stime in USER_HZ ticks, 100 a second. */
    static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * Reads the counters of a live process.
     *
     * @throws BenchException when the process is gone or its files cannot be read.
     */
    static ProcCounters read(final long pid)
    {
        final Path proc = Paths.get("/proc", Long.toString(pid));
        try
        {
            final long[] stat = parseStat(Files.readString(proc.resolve("stat")));
            long cpuNs = 0;
            long voluntary = 0;
            long involuntary = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task")))
            {
                for (final Path task : tasks)
                {
                    try
                    {
                        cpuNs += parseSchedstatNs(Files.readString(task.resolve("schedstat")));
                        final long[] switches = parseSwitches(Files.readString(task.resolve("status")));
                        voluntary += switches[0];
                        involuntary += switches[1];
                    }
                    catch (final IOException ex)
                    {
                        // the thread exited while we read: its counts are gone with it
                    }
                }
            }
            return new ProcCounters(cpuNs, stat[0], stat[1], stat[2], stat[3], voluntary, involuntary);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new BenchException("cannot read the counters of process " + pid + ": " + ex.getMessage(), ex);
        }
    }

    /** The counts between {@code earlier} and this reading. */
    ProcCounters minus(final ProcCounters earlier)
    {
        return new ProcCounters(cpuNs - earlier.cpuNs, userTicks - earlier.userTicks,
            systemTicks - earlier.systemTicks, minorFaults - earlier.minorFaults, majorFaults - earlier.majorFaults,
            voluntarySwitches - earlier.voluntarySwitches, involuntarySwitches - earlier.involuntarySwitches);
    }

    /** The sum of two windows' counts. */
    ProcCounters plus(final ProcCounters other)
    {
        return new ProcCounters(cpuNs + other.cpuNs, userTicks + other.userTicks, systemTicks + other.systemTicks,
            minorFaults + other.minorFaults, majorFaults + other.majorFaults,
            voluntarySwitches + other.voluntarySwitches, involuntarySwitches + other.involuntarySwitches);
    }

    static ProcCounters zero()
    {
        return new ProcCounters(0, 0, 0, 0, 0, 0, 0);
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
