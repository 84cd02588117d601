package io.shmbus.bench;

/**
 * One path's figures: the bytes it moved and the mover's counters over an untraced window ({@code counters},
 * {@code nanos}, and the CPU time of its moving thread alone, {@code threadCpuNs}); the system calls of the whole mover process ({@code syscalls}) and of its moving thread alone
 * ({@code threadSyscalls}, the thread named {@code thread}), each from a traced window of its own over
 * {@code tracedBytes} (null when not traced). {@code waits} counts the mover's own spins (back pressure, empty
 * polls) in the untraced window, -1 when the mover does not report them.
 */
record ZeroCopyRun(ZeroCopyPath path, long bytes, long nanos, ProcCounters counters, long threadCpuNs, long waits,
    StraceSummary syscalls, StraceSummary threadSyscalls, String thread, long tracedBytes)
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

    double threadCpuSecondsPerGib()
    {
        return perGib(threadCpuNs / 1e9);
    }

    /** Calls of one name (or all, for null) in a traced window, per GiB moved in it; NaN when not traced. */
    double perTracedGib(final StraceSummary summary, final String syscall)
    {
        if (null == summary || tracedBytes <= 0)
        {
            return Double.NaN;
        }
        return (null == syscall ? summary.total() : summary.calls(syscall)) / (tracedBytes / GIB);
    }
}
