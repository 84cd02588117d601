package io.shmbus.broker.demo;

import io.shmbus.broker.Broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything {@code shmbus demo} creates, and its removal: child processes, the embedded broker, the
 * shared-memory directory and the data directory. Runs from the command's {@code finally} and from a shutdown hook
 * (Ctrl-C), whichever comes first; thread-safe, and what is registered after it ran is removed at once.
 */
final class DemoCleanup implements Runnable
{
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private Broker broker;
    private boolean done;

    /**
     * Creates a new directory (under {@code parent}, or the temp directory when null), to be deleted with its
     * contents.
     */
    synchronized Path newDirectory(final Path parent, final String prefix) throws IOException
    {
        final Path dir = null == parent ? Files.createTempDirectory(prefix) : Files.createTempDirectory(parent, prefix);
        directories.add(dir);
        if (done)
        {
            run();
        }
        return dir;
    }

    synchronized void process(final Process process)
    {
        processes.add(process);
        if (done)
        {
            run();
        }
    }

    synchronized void broker(final Broker broker)
    {
        this.broker = broker;
        if (done)
        {
            run();
        }
    }

    /**
     * Kills the processes first (so none outlives the demo), then closes the broker (so its archiver stops writing
     * into the data directory), then deletes the directories.
     */
    public synchronized void run()
    {
        done = true;
        for (final Process process : processes)
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (final Process process : processes)
        {
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (null != broker)
        {
            broker.close();
        }
        for (final Path dir : directories)
        {
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException | java.io.UncheckedIOException ignore)
        {
            // best effort: a file removed meanwhile is no longer there to delete
        }
    }
}
