package io.shmbus.ipc;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The child JVMs and the shared-memory directory of one test: a {@link ProcessGroup} opened before each test and
 * closed after it. Register it as a field,
 * {@code @RegisterExtension final ChildProcesses children = new ChildProcesses();}: after each test, pass or fail,
 * every child it started is killed (and its recent output printed when the test failed) and the directory deleted.
 * <p>
 * Child output goes to {@code target/ipc-logs/<TestClass>.<method>/<child>.log}, kept after the test.
 * Thread-safe.
 */
public final class ChildProcesses extends ProcessGroup implements BeforeEachCallback, AfterEachCallback
{
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

    /** Opens the group with a cleared log directory of {@code testName}. */
    public void open(final String testName)
    {
        final Path logDirectory = Paths.get(System.getProperty("basedir", "."), "target", "ipc-logs", testName);
        try
        {
            deleteRecursively(logDirectory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        open(logDirectory);
    }
}
