package io.shmbus.bench;

import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the {@code scripts/bench} entry points print and write the same way: the opening lines, progress lines, the
 * report on stdout and in its file, the results file and the plots beside it. The benchmark's main thread.
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
     * Writes the results file ({@code .json} and {@code .csv}) beside the report and says where.
     *
     * @return false when it could not be written (said on stderr).
     */
    static boolean writeResults(final String tool, final ResultsFile results, final Path report)
    {
        try
        {
            System.out.println("results written to " + results.writeBeside(report) + " (and .csv)");
            return true;
        }
        catch (final IOException ex)
        {
            System.err.println(tool + ": cannot write the results beside " + report + ": " + ex);
            return false;
        }
    }

    /**
     * Draws each plot into {@code <report base>-<name>.png} beside the report and says where.
     *
     * @return false when one could not be drawn or written (said on stderr).
     */
    static boolean writePlots(final String tool, final Map<String, JFreeChart> plots, final Path report)
    {
        boolean ok = true;
        for (final Map.Entry<String, JFreeChart> plot : plots.entrySet())
        {
            final Path file = plotFile(report, plot.getKey());
            try
            {
                BenchPlots.writePng(plot.getValue(), file);
                System.out.println("plot written to " + file);
            }
            catch (final IOException | RuntimeException ex)
            {
                System.err.println(tool + ": cannot draw " + file + ": " + ex);
                ok = false;
            }
        }
        return ok;
    }

    /** {@code dir/ipc-X.md} and {@code latency} to {@code dir/ipc-X-latency.png}. */
    static Path plotFile(final Path report, final String name)
    {
        return ResultsFile.sibling(report, "-" + name + ".png");
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
