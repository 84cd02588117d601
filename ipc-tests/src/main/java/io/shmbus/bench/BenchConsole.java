package io.shmbus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the {@code scripts/bench ipc} and {@code scripts/bench persist} entry points print and write the same way:
 * the opening lines, progress lines, and the report on stdout and in its file. The benchmark's main thread.
 */
final class BenchConsole
{
    private BenchConsole()
    {
    }

    /** The command, the machine, the plan, and a warning when other processes were busy before the start. */
    static void opening(
        final String tool, final String commandLine, final MachineInfo machine, final String loadBefore,
        final String plan)
    {
        System.out.println(tool + ": " + commandLine);
        System.out.println("machine: nproc=" + machine.nproc() + ", " + machine.cpuModel() + ", " +
            machine.java() + ", load " + loadBefore);
        System.out.println("plan: " + plan);
        if (MachineInfo.isBusy(loadBefore, machine.nproc()))
        {
            System.out.println("warning: load average " + loadBefore + " on " + machine.nproc() + " CPUs: other " +
                "processes are running, expect noisy numbers");
        }
    }

    /** A progress line with the seconds since {@code startNs}. */
    static void progress(final long startNs, final String message)
    {
        System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - startNs) / 1e9, message);
        System.out.flush();
    }

    /** The first line of a failure's message, for a table cell. */
    static String firstLine(final String message)
    {
        final String text = String.valueOf(message);
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /**
     * Prints the report and writes it to {@code file}, creating its directory.
     *
     * @return false when the file could not be written (said on stderr).
     */
    static boolean writeReport(final String tool, final String report, final Path file)
    {
        System.out.println();
        System.out.println(report);
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (null != parent)
            {
                Files.createDirectories(parent);
            }
            Files.write(file, report.getBytes(StandardCharsets.UTF_8));
            System.out.println("report written to " + file);
            return true;
        }
        catch (final IOException ex)
        {
            System.err.println(tool + ": cannot write " + file + ": " + ex);
            return false;
        }
    }
}
