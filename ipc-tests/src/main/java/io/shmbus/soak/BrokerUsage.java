package io.shmbus.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/**
 * Open file handles and resident memory of a live process, from {@code /proc/<pid>/fd} and the {@code VmRSS} line of
 * {@code /proc/<pid>/status}. Immutable.
 */
final class BrokerUsage
{
    final long pid;
    final long atMs;
    final long fileHandles;
    final long rssKb;

    private BrokerUsage(final long pid, final long atMs, final long fileHandles, final long rssKb)
    {
        this.pid = pid;
        this.atMs = atMs;
        this.fileHandles = fileHandles;
        this.rssKb = rssKb;
    }

    /**
     * @param atMs the run's clock, for the report.
     * @return the sample, or null when the process is gone (or there is no /proc).
     */
    static BrokerUsage sample(final long pid, final long atMs)
    {
        final Path proc = Paths.get("/proc", Long.toString(pid));
        try (Stream<Path> fds = Files.list(proc.resolve("fd")))
        {
            final long handles = fds.count();
            long rss = -1;
            for (final String line : Files.readAllLines(proc.resolve("status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    rss = Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
                }
            }
            return rss < 0 ? null : new BrokerUsage(pid, atMs, handles, rss);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    public String toString()
    {
        return fileHandles + " file handles, RSS " + rssKb / 1024 + " MiB (pid " + pid + ", at " + atMs / 1000 + " s)";
    }
}
