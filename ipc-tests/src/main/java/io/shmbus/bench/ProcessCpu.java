package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * CPU time of a process, user and system, from {@code /proc}: the sum over its threads of
 * {@code /proc/PID/task/TID/schedstat}, the scheduler's own account in nanoseconds. {@code utime + stime} of
 * {@code /proc/PID/stat} is only the fallback where schedstat is missing: it is sampled at 10 ms ticks, which over
 * a 100 ms window is off by tens of percent. (A thread that exits inside the window takes its time with it; the
 * measured senders start no threads while they send.)
 * <p>
 * Stateless; any thread.
 */
final class ProcessCpu
{
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private ProcessCpu()
    {
    }

    /** A reading to subtract from a later one. */
    record Reading(long schedstatNs, long ticksNs)
    {
        /** CPU time between {@code earlier} and this reading. */
        long since(final Reading earlier)
        {
            return schedstatNs > 0 && earlier.schedstatNs > 0 ? Math.max(0, schedstatNs - earlier.schedstatNs) :
                ticksNs - earlier.ticksNs;
        }
    }

    static Reading read(final long pid)
    {
        return new Reading(schedstatNs(pid), ticksNs(pid));
    }

    static Reading self()
    {
        return read(ProcessHandle.current().pid());
    }

    private static long schedstatNs(final long pid)
    {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final String line = Files.readString(task.resolve("schedstat")).trim();
                    total += Long.parseLong(line.substring(0, line.indexOf(' ')));
                }
                catch (final IOException | RuntimeException ex)
                {
                    // the thread exited while we read: its time is lost here, kept by the tick reading
                }
            }
        }
        catch (final IOException ex)
        {
            return 0;
        }
        return total;
    }

    private static long ticksNs(final long pid)
    {
        try
        {
            final String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            // fields after the command name, which is in parentheses and may hold spaces
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK; // utime, stime
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
