package io.shmbus.ipc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The child JVMs of one run (a test, a soak) and its own directory under {@code /dev/shm}. {@link #open} creates a
 * unique directory there; {@link #close} kills every child it started (SIGKILL, descendants too) and deletes the
 * directory. A JVM shutdown hook does the same for anything left when the JVM exits early (an exception, Ctrl-C);
 * a child whose parent JVM dies without running it halts by itself when its stdin closes ({@link ChildIo}), and the
 * next group to open removes the directories of parents that are gone (each directory names its owner in
 * {@value #OWNER_FILE}).
 * <p>
 * The tests' JUnit extension {@code ChildProcesses} is this group opened before and closed after each test; the
 * soak opens one for its whole run. Thread-safe.
 */
public class ProcessGroup implements AutoCloseable
{
    public static final String DIRECTORY_PREFIX = "shmbus-ipc-";
    public static final String OWNER_FILE = "owner.pid";
    private static final Path SHM_ROOT = Paths.get("/dev/shm");
    private static final long UNOWNED_GRACE_MS = 60_000;
    private static final Set<ProcessGroup> OPEN = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(
            () -> OPEN.forEach(ProcessGroup::close), "shmbus-ipc-children-cleanup"));
    }

    private final List<JavaProcess> children = new ArrayList<>();
    private final List<Path> ownedPaths = new ArrayList<>();
    private Path shmDirectory;
    private Path logDirectory;

    /**
     * Creates this run's directory under {@code /dev/shm} (the temp directory where there is none) and the log
     * directory, where each child's output goes to {@code <name>.log}.
     */
    public synchronized void open(final Path logDirectory)
    {
        try
        {
            final Path root = Files.isDirectory(SHM_ROOT) ? SHM_ROOT : Paths.get(System.getProperty("java.io.tmpdir"));
            removeAbandonedDirectories(root);
            shmDirectory = Files.createTempDirectory(root, DIRECTORY_PREFIX);
            Files.writeString(shmDirectory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            this.logDirectory = logDirectory;
            Files.createDirectories(logDirectory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        OPEN.add(this);
    }

    /** This run's own directory under {@code /dev/shm}, for the topics of its children. */
    public synchronized Path shmDirectory()
    {
        return shmDirectory;
    }

    public synchronized Path logDirectory()
    {
        return logDirectory;
    }

    /**
     * Deletes {@code path} (a data directory outside the shared-memory one, say) at {@link #close}, after every
     * child is killed, also when the JVM exits early.
     */
    public synchronized void deleteOnClose(final Path path)
    {
        ownedPaths.add(path);
    }

    /** Starts a child JVM running {@code mainClass} with this JVM's class path. */
    public JavaProcess start(final String name, final Class<?> mainClass, final String... args)
    {
        return startWrapped(name, List.of(), mainClass, args);
    }

    /**
     * Starts a child JVM running {@code mainClass} through {@code wrapper}, a command that runs the rest of its
     * command line (see {@link JavaProcess#start(String, Path, List, Class, List)}).
     */
    public JavaProcess startWrapped(
        final String name, final List<String> wrapper, final Class<?> mainClass, final String... args)
    {
        return start(name, wrapper, JavaProcess.DEFAULT_JVM_OPTIONS, System.getProperty("java.class.path"),
            mainClass, args);
    }

    /** Starts a child JVM with these JVM options and class path (see {@link JavaProcess}). */
    public JavaProcess start(
        final String name,
        final List<String> wrapper,
        final List<String> jvmOptions,
        final String classPath,
        final Class<?> mainClass,
        final String... args)
    {
        synchronized (this)
        {
            if (null == shmDirectory)
            {
                throw new IllegalStateException("not open");
            }
        }
        final JavaProcess child = JavaProcess.start(
            name, logDirectory(), wrapper, jvmOptions, classPath, mainClass, Arrays.asList(args));
        synchronized (this)
        {
            children.add(child);
        }
        return child;
    }

    /** Kills one child if it still runs, closes it and forgets it: a run that starts many keeps only the live. */
    public void close(final JavaProcess child)
    {
        child.close();
        synchronized (this)
        {
            children.remove(child);
        }
    }

    /** The children started and not closed yet. */
    public synchronized List<JavaProcess> snapshot()
    {
        return new ArrayList<>(children);
    }

    /** Kills every child and deletes the shared-memory directory and the paths to delete. Safe to call twice. */
    public void close()
    {
        final List<JavaProcess> toClose;
        final List<Path> toDelete = new ArrayList<>();
        synchronized (this)
        {
            toClose = new ArrayList<>(children);
            children.clear();
            if (null != shmDirectory)
            {
                toDelete.add(shmDirectory);
            }
            toDelete.addAll(ownedPaths);
            ownedPaths.clear();
            shmDirectory = null;
        }
        // SIGKILL all first, so no child outlives its peers waiting on the shared ring
        for (final JavaProcess child : toClose)
        {
            child.kill(Duration.ZERO);
        }
        for (final JavaProcess child : toClose)
        {
            child.close();
        }
        for (final Path path : toDelete)
        {
            try
            {
                deleteRecursively(path);
            }
            catch (final IOException | UncheckedIOException ex)
            {
                System.err.println("could not delete " + path + ": " + ex);
            }
        }
        OPEN.remove(this);
    }

    /**
     * Deletes the directories left by runs whose JVM died without running its shutdown hook (SIGKILL), which no
     * other cleanup reaches. A directory is only taken when its owner process is gone, so concurrent runs keep
     * theirs.
     */
    private static void removeAbandonedDirectories(final Path root) throws IOException
    {
        try (Stream<Path> dirs = Files.list(root))
        {
            for (final Path dir : (Iterable<Path>)dirs::iterator)
            {
                if (dir.getFileName().toString().startsWith(DIRECTORY_PREFIX) && Files.isDirectory(dir) &&
                    isAbandoned(dir))
                {
                    try
                    {
                        deleteRecursively(dir);
                    }
                    catch (final IOException ex)
                    {
                        System.err.println("could not delete abandoned " + dir + ": " + ex);
                    }
                }
            }
        }
    }

    private static boolean isAbandoned(final Path dir)
    {
        try
        {
            final Path owner = dir.resolve(OWNER_FILE);
            if (!Files.exists(owner))
            {
                return System.currentTimeMillis() - Files.getLastModifiedTime(dir).toMillis() > UNOWNED_GRACE_MS;
            }
            final long pid = Long.parseLong(Files.readString(owner).trim());
            return ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
        }
        catch (final IOException | NumberFormatException ex)
        {
            return false; // being created or deleted by its owner right now, or not ours to judge
        }
    }

    /** Deletes a file or a directory tree; nothing when it does not exist. */
    public static void deleteRecursively(final Path path) throws IOException
    {
        if (null == path || !Files.exists(path))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(path))
        {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
