package io.shmbus.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmarks' scratch directories: each named after the benchmark's pid, so that one left behind by a benchmark
 * killed with SIGKILL is recognised and removed by the next.
 */
public final class BenchDirs
{
    private BenchDirs()
    {
    }

    /** {@code /dev/shm} where it exists and is writable, else the temp directory. */
    public static Path shmParent()
    {
        final Path devShm = Paths.get("/dev/shm");
        return Files.isDirectory(devShm) && Files.isWritable(devShm) ? devShm :
            Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /** A new directory {@code <prefix><pid>-<random>} in {@code parent}, after removing stale ones. */
    public static Path createFresh(final Path parent, final String prefix)
    {
        try
        {
            Files.createDirectories(parent);
            removeStale(parent, prefix);
            return Files.createTempDirectory(parent, prefix + ProcessHandle.current().pid() + "-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a benchmark directory in " + parent, ex);
        }
    }

    /** Removes directories named {@code <prefix><pid>-...} whose pid is gone. */
    private static void removeStale(final Path parent, final String prefix)
    {
        final Pattern name = Pattern.compile(Pattern.quote(prefix) + "(\\d{1,18})-\\d+");
        try (Stream<Path> entries = Files.list(parent))
        {
            entries.forEach(dir ->
            {
                final Matcher m = name.matcher(dir.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty())
                {
                    System.out.println("removing " + dir + ", left by an earlier benchmark that was killed");
                    deleteRecursively(dir);
                }
            });
        }
        catch (final IOException | UncheckedIOException | NumberFormatException ex)
        {
            System.err.println("bench: cannot look for stale directories in " + parent + ": " + ex);
        }
    }

    public static void deleteRecursively(final Path dir)
    {
        if (null == dir || dir.toString().isEmpty() || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            System.err.println("bench: cannot remove " + dir + ": " + ex);
        }
    }
}
