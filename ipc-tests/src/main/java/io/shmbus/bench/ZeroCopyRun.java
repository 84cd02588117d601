package io.shmbus.bench;

/**
 * One path's figures: the bytes it moved and the mover's counters over an untraced window ({@code counters},
 * {@code nanos}), and the system calls of a separate traced window ({@code syscalls}, over {@code tracedBytes};
 * null when not traced). {@code waits} counts the mover's own spins (back pressure, empty polls) in the untraced
 * window, -1 when the mover does not report them.
 */
record ZeroCopyRun(ZeroCopyPath path, long bytes, long nanos, ProcCounters counters, long waits,
    StraceSummary syscalls, long tracedBytes)
{
    static final double GIB = 1024.0 * 1024 * 1024;

    double gibPerSecond()
    {
        return bytes / GIB / (nanos / 1e9);
    }

    /** {@code count} over the untraced window, per GiB moved. */
    double perGib(final double count)
    {
        return count / (bytes / GIB);
    }

    double cpuSecondsPerGib()
    {
        return perGib(counters.cpuNs() / 1e9);
    }

    /** System calls of one name (or all, for null) per GiB moved in the traced window; NaN when not traced. */
    double syscallsPerGib(final String syscall)
    {
        if (null == syscalls || tracedBytes <= 0)
        {
            return Double.NaN;
        }
        return (null == syscall ? syscalls.total() : syscalls.calls(syscall)) / (tracedBytes / GIB);
    }

    ZeroCopyRun withSyscalls(final StraceSummary summary, final long traced)
    {
        return new ZeroCopyRun(path, bytes, nanos, counters, waits, summary, traced);
    }
}
