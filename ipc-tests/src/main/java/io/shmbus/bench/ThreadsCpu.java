package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of each thread of a process, from {@code /proc/PID/task/TID/schedstat} (nanoseconds, the scheduler's
 * own account) with the thread's name from {@code comm} (the first 15 characters of its Java name): which thread
 * an idle process spends its time in. Threads of the same name (e.g. the JIT's compiler threads) are added up.
 * <p>
 * Stateless; any thread.
 */
final class ThreadsCpu
{
    private ThreadsCpu()
    {
    }

    /** CPU nanoseconds by thread id, and each thread's name, at one moment. */
    record Reading(Map<Long, Long> nsByTid, Map<Long, String> nameByTid)
    {
        /**
         * CPU nanoseconds by thread name spent since {@code earlier}, busiest first; a thread started in between
         * counts from zero, one that exited is missing.
         */
        List<Map.Entry<String, Long>> since(final Reading earlier)
        {
            final Map<String, Long> byName = new HashMap<>();
            nsByTid.forEach((tid, ns) -> byName.merge(nameByTid.get(tid),
                Math.max(0, ns - earlier.nsByTid.getOrDefault(tid, 0L)), Long::sum));
            final List<Map.Entry<String, Long>> sorted = new ArrayList<>(byName.entrySet());
            sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            return sorted;
        }
    }

    static Reading read(final long pid)
    {
        final Map<Long, Long> ns = new LinkedHashMap<>();
        final Map<Long, String> names = new LinkedHashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final long tid = Long.parseLong(task.getFileName().toString());
                    final String schedstat = Files.readString(task.resolve("schedstat")).trim();
                    ns.put(tid, Long.parseLong(schedstat.substring(0, schedstat.indexOf(' '))));
                    names.put(tid, Files.readString(task.resolve("comm")).trim());
                }
                catch (final IOException | RuntimeException ex)
                {
                    // the thread exited while we read
                }
            }
        }
        catch (final IOException ex)
        {
            // the process is gone: an empty reading
        }
        return new Reading(ns, names);
    }
}
