package io.shmbus.ipc;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

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
 * The child JVMs and the shared-memory directory of one test. Register it as a field,
 * {@code @RegisterExtension final ChildProcesses children = new ChildProcesses();}: before each test it creates
 * a unique directory under {@code /dev/shm}; after each test, pass or fail, it kills every child it started
 * (SIGKILL, descendants too), prints their recent output when the test failed, and deletes the directory. A JVM
 * shutdown hook does the same for anything left when the test JVM exits early; a child whose test JVM dies without
 * running it halts by itself when its stdin closes ({@link ChildIo}), and the next test to open removes the
 * directories of test JVMs that are gone (each directory names its owner in {@value #OWNER_FILE}).
 * <p>
 * Child output goes to {@code target/ipc-logs/<TestClass>.<method>/<child>.log}, kept after the test.
 * Thread-safe.
 */
public final class ChildProcesses implements BeforeEachCallback, AfterEachCallback, AutoCloseable
{
    static final String DIRECTORY_PREFIX = "shmbus-ipc-";
    static final String OWNER_FILE = "owner.pid";
    private static final Path SHM_ROOT = Paths.get("/dev/shm");
    private static final long UNOWNED_GRACE_MS = 60_000;
    private static final Set<ChildProcesses> OPEN = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(
            () -> OPEN.forEach(ChildProcesses::close), "shmbus-ipc-children-cleanup"));
    }

    private final List<JavaProcess> children = new ArrayList<>();
    private Path shmDirectory;
    private Path logDirectory;

    public void beforeEach(final ExtensionContext context)
    {
        open(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName());
    }

    public void afterEach(final ExtensionContext context)
    {
        final List<JavaProcess> started = snapshot();
        close();
        if (context.getExecutionException().isPresent())
        {
            for (final JavaProcess child : started)
            {
                System.err.println("---- " + child + ", log " + child.logFile().toAbsolutePath() + ":");
                System.err.println(child.recentOutput());
            }
        }
    }

    /** Creates the shared-memory directory and clears the log directory of {@code testName}. */
    public synchronized void open(final String testName)
    {
        try
        {
            final Path root = Files.isDirectory(SHM_ROOT) ? SHM_ROOT : Paths.get(System.getProperty("java.io.tmpdir"));
            removeAbandonedDirectories(root);
            shmDirectory = Files.createTempDirectory(root, DIRECTORY_PREFIX);
            Files.writeString(shmDirectory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            logDirectory = Paths.get(System.getProperty("basedir", "."), "target", "ipc-logs", testName);
            deleteRecursively(logDirectory);
            Files.createDirectories(logDirectory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        OPEN.add(this);
    }

    /** This test's own directory under {@code /dev/shm}, for the topics of its children. */
    public synchronized Path shmDirectory()
    {
        return shmDirectory;
    }

    public synchronized Path logDirectory()
    {
        return logDirectory;
    }

    /** Starts a child JVM running {@code mainClass} with the test classpath. */
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
        synchronized (this)
        {
            if (null == shmDirectory)
            {
                throw new IllegalStateException("not open: register with @RegisterExtension or call open()");
            }
        }
        final JavaProcess child = JavaProcess.start(name, logDirectory(), wrapper, mainClass, Arrays.asList(args));
        synchronized (this)
        {
            children.add(child);
        }
        return child;
    }

    private synchronized List<JavaProcess> snapshot()
    {
        return new ArrayList<>(children);
    }

    /** Kills every child and deletes the shared-memory directory. Safe to call twice. */
    public void close()
    {
        final List<JavaProcess> toClose;
        final Path dir;
        synchronized (this)
        {
            toClose = new ArrayList<>(children);
            children.clear();
            dir = shmDirectory;
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
        try
        {
            deleteRecursively(dir);
        }
        catch (final IOException ex)
        {
            System.err.println("could not delete " + dir + ": " + ex);
        }
        OPEN.remove(this);
    }

    /**
     * Deletes the directories left by test JVMs that died without running their shutdown hook (SIGKILL), which
     * no other cleanup reaches. A directory is only taken when its owner process is gone, so concurrent test runs
     * keep theirs.
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

    private static void deleteRecursively(final Path dir) throws IOException
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
