package io.shmbus.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What every benchmark's {@code main} does before it runs: parse its options (a user mistake gets its message and
 * the usage on standard error and exit code 2, never a stack trace), answer {@code --help}, and name the command
 * line its report quotes. Static helpers for the main thread.
 */
final class BenchMain
{
    private BenchMain()
    {
    }

    /**
     * @param tool   the prefix of error messages, e.g. {@code bench ipc}.
     * @param parser throws {@link IllegalArgumentException} with a message meant for the user.
     * @return the options, or null when {@code --help} was asked for and the usage printed: the caller returns.
     */
    static <T> T options(
        final String tool, final String[] args, final Function<String[], T> parser, final Predicate<T> help,
        final String usage)
    {
        final T options;
        try
        {
            options = parser.apply(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(tool + ": " + ex.getMessage());
            System.err.println();
            System.err.println(usage);
            System.exit(2);
            return null;
        }
        if (help.test(options))
        {
            System.out.println(usage);
            return null;
        }
        return options;
    }

    /** The project's root directory, as {@code scripts/bench} passes it; else the working directory. */
    static Path root()
    {
        return Paths.get(System.getProperty(IpcBenchmark.ROOT_PROP_NAME, "."));
    }

    /** {@code yyyyMMdd-HHmmss}: the time in the names of a run's files. */
    static String stamp(final LocalDateTime started)
    {
        return started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    /** The report file given with {@code --out}, else {@code bench-results/<name>-<stamp>.md} under the root. */
    static Path reportFile(final Path given, final String name, final LocalDateTime started)
    {
        return null != given ? given : root().resolve("bench-results").resolve(name + "-" + stamp(started) + ".md");
    }

    /** The command line as the user typed it ({@code scripts/bench} passes it), else the Java one. */
    static String commandLine(final Class<?> main, final String[] args)
    {
        return System.getProperty(IpcBenchmark.COMMAND_PROP_NAME,
            "java -cp ... " + main.getName() + " " + String.join(" ", args));
    }
}
