package io.shmbus.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Helpers of the tests of the files an operator installs (the systemd unit, the alert rules): where the project
 * is, whether a tool is installed, and running a tool with a deadline.
 */
final class ProjectFiles
{
    /** A finished tool: its exit code and its standard output and error, interleaved. */
    record Run(int code, String output)
    {
    }

    private ProjectFiles()
    {
    }

    /** The project's root: tests run in the ipc-tests module's directory. */
    static Path root()
    {
        return Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent();
    }

    /** The tool's path on the PATH, or null when it is not installed. */
    static Path onPath(final String tool)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        {
            final Path candidate = Paths.get(dir, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    static Run run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final byte[][] output = new byte[1][];
        final Thread reader = new Thread(() ->
        {
            try
            {
                output[0] = process.getInputStream().readAllBytes();
            }
            catch (final IOException ex)
            {
                output[0] = ex.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        reader.join(10_000);
        return new Run(process.exitValue(), null == output[0] ? "" : new String(output[0], StandardCharsets.UTF_8));
    }
}
