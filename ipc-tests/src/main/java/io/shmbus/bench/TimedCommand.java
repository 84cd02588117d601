package io.shmbus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end through bash's {@code time}, which reads the child's CPU time from the kernel when it
 * is reaped ({@code getrusage}, microseconds, the JVM's exit included), something no live reading of
 * {@code /proc} gives. The command's stdout is discarded, its stderr kept for the error message. One thread.
 */
final class TimedCommand
{
    /** Wall, user and system seconds of one run. */
    record Times(double wallS, double userS, double sysS)
    {
        double cpuS()
        {
            return userS + sysS;
        }
    }

    private static final long TIMEOUT_S = 120;

    private final Path scratch;

    /** @param scratch where the command's stdin and stderr files go. */
    TimedCommand(final Path scratch)
    {
        this.scratch = scratch;
    }

    /**
     * Runs {@code command} with {@code environment} added, {@code stdin} as its input.
     *
     * @throws BenchException when it fails, hangs or its times cannot be read.
     */
    Times run(final List<String> command, final Map<String, String> environment, final String stdin)
    {
        final Path in = scratch.resolve("stdin");
        final Path err = scratch.resolve("stderr");
        final List<String> bash = new ArrayList<>(List.of("bash", "-c",
            "TIMEFORMAT='%3R %3U %3S'; time \"$@\" <\"$TIMED_IN\" >/dev/null 2>\"$TIMED_ERR\"", "timed"));
        bash.addAll(command);
        final ProcessBuilder builder = new ProcessBuilder(bash).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("TIMED_IN", in.toString());
        builder.environment().put("TIMED_ERR", err.toString());
        try
        {
            Files.writeString(in, stdin);
            final Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new BenchException(String.join(" ", command) + " did not end within " + TIMEOUT_S + " s");
            }
            final String timeLine = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (0 != process.exitValue())
            {
                throw new BenchException(String.join(" ", command) + " exited with " + process.exitValue() + ": " +
                    Files.readString(err).trim());
            }
            return parse(timeLine);
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot run " + String.join(" ", command) + ": " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while running " + String.join(" ", command));
        }
    }

    /** The last line bash's {@code time} printed: {@code WALL USER SYS} in seconds. */
    static Times parse(final String output)
    {
        final String[] lines = output.split("\n");
        final String[] fields = lines[lines.length - 1].trim().split(" ");
        try
        {
            if (fields.length == 3)
            {
                return new Times(Double.parseDouble(fields[0]), Double.parseDouble(fields[1]),
                    Double.parseDouble(fields[2]));
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new BenchException("not the output of bash's time: '" + output + "'");
    }
}
