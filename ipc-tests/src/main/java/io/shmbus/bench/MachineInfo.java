package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * What the benchmark ran on, read from {@code /proc} and the JVM, for the report header.
 */
record MachineInfo(int nproc, String cpuModel, String kernel, String clockSource, String memTotal, String java)
{
    static MachineInfo collect()
    {
        final String cpu = firstValue(Paths.get("/proc/cpuinfo"), "model name");
        final String mem = firstValue(Paths.get("/proc/meminfo"), "MemTotal");
        return new MachineInfo(
            Runtime.getRuntime().availableProcessors(),
            null == cpu ? "unknown CPU" : cpu,
            firstLine(Paths.get("/proc/sys/kernel/osrelease"), "unknown"),
            firstLine(Paths.get("/sys/devices/system/clocksource/clocksource0/current_clocksource"), "unknown"),
            null == mem ? "unknown" : mem,
            System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") +
            " (" + System.getProperty("java.vendor") + ")");
    }

    /** The 1, 5 and 15 minute load averages now. */
    static String loadAverage()
    {
        final String line = firstLine(Paths.get("/proc/loadavg"), "unknown");
        final String[] parts = line.split("\\s+");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : line;
    }

    /** True when the 1-minute load average says other work competes for a good share of the CPUs. */
    static boolean isBusy(final String loadAverage, final int nproc)
    {
        try
        {
            return Double.parseDouble(loadAverage.split("\\s+")[0]) > 0.5 * nproc;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    /**
     * The file system a path is on, from {@code /proc/mounts} (the longest mount point that contains it), as
     * {@code "ext4 /dev/vda mounted on /"}; "unknown" when it cannot be told.
     */
    static String fileSystem(final Path path)
    {
        try
        {
            final Path real = path.toRealPath();
            String best = "unknown";
            int bestLength = -1;
            for (final String line : Files.readAllLines(Paths.get("/proc/mounts")))
            {
                final String[] f = line.split("\\s+");
                if (f.length >= 3 && real.startsWith(f[1]) && f[1].length() > bestLength)
                {
                    bestLength = f[1].length();
                    best = f[2] + " " + f[0] + " mounted on " + f[1];
                }
            }
            return best;
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    /** A kernel setting from {@code /proc/sys}, e.g. {@code vm/dirty_ratio}; "?" when unreadable. */
    static String sysctl(final String name)
    {
        return firstLine(Paths.get("/proc/sys", name), "?");
    }

    private static String firstValue(final Path file, final String key)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            for (final String line : lines)
            {
                final int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key))
                {
                    return line.substring(colon + 1).trim();
                }
            }
        }
        catch (final IOException ignore)
        {
            // reported as unknown
        }
        return null;
    }

    private static String firstLine(final Path file, final String fallback)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? fallback : lines.get(0).trim();
        }
        catch (final IOException ex)
        {
            return fallback;
        }
    }
}
