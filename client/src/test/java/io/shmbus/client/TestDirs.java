package io.shmbus.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Unique per-test shared-memory directories, removed after the test whatever its outcome.
 */
public final class TestDirs
{
    private TestDirs()
    {
    }

    public static Path create(final String name)
    {
        try
        {
            final Path base = Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") :
                Paths.get(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(base, "shmbus-test-" + name + "-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public static void delete(final Path dir)
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
