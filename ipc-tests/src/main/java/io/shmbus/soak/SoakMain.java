package io.shmbus.soak;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Entry point of {@code scripts/soak}: runs a {@link Soak} and reports it ({@link SoakReport}). Exits 0 when every
 * check passed, 1 on any failure, 2 on a usage error. Ctrl-C kills every child and removes every file it made (the
 * run's {@link io.shmbus.ipc.ProcessGroup} does it from a shutdown hook); the logs stay.
 */
public final class SoakMain
{
    private SoakMain()
    {
    }

    public static void main(final String[] args)
    {
        final Path root = Paths.get(System.getProperty("shmbus.soak.root", ".")).toAbsolutePath().normalize();
        final SoakOptions options;
        try
        {
            options = SoakOptions.parse(args, root);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("soak: " + ex.getMessage());
            System.err.println("try 'scripts/soak --help'");
            System.exit(2);
            return;
        }
        if (options.help)
        {
            System.out.print(SoakOptions.USAGE);
            System.exit(0);
        }

        final Soak soak = new Soak(options, System.out);
        final Thread interrupted = new Thread(() -> System.out.println(
            "soak: interrupted: every child killed, the shared-memory and data directories removed; logs in " +
            options.out.resolve("logs")), "soak-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try
        {
            soak.run();
        }
        catch (final Exception | AssertionError ex)
        {
            // a wait that ran out or a child that could not start: reported with what was measured until then
            soak.failures.add("the run stopped: " + ex.getMessage());
        }
        finally
        {
            soak.close();
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(interrupted);
        }
        catch (final IllegalStateException ex)
        {
            return; // Ctrl-C: the hooks run and the JVM exits
        }
        final SoakReport report = new SoakReport(soak);
        report.print(System.out);
        try
        {
            report.write(options.out, System.getProperty("shmbus.soak.command", "soak"),
                System.getProperty("shmbus.soak.code", "unknown"));
            System.out.println("soak: report " + options.out.resolve("soak.md") + ", " +
                options.out.resolve("soak.json") + "; logs " + options.out.resolve("logs"));
        }
        catch (final Exception ex)
        {
            System.err.println("soak: could not write the report: " + ex);
        }
        System.exit(report.passed() ? 0 : 1);
    }
}
