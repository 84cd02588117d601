package io.shmbus.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts benchmark child JVMs with the parent's classpath, the export Agrona 2.x needs and the same JVM options
 * for every child, and keeps track of them so that none outlives the parent: a shutdown hook kills whatever is
 * still running, and no child starts after it ran.
 */
final class ChildLauncher implements AutoCloseable
{
    static final String AGRONA_EXPORTS = "java.base/jdk.internal.misc=ALL-UNNAMED";

    /**
     * What Chronicle Queue needs on Java 17, for its children only ({@code system=chronicle}): it maps files through
     * {@code FileChannelImpl.map0} and unmaps them through {@code jdk.internal.ref.Cleaner}, reads private fields of
     * {@code java.lang}/{@code java.util}/{@code java.io} classes, and would otherwise send usage analytics home.
     */
    static final List<String> CHRONICLE_JVM_OPTIONS = List.of(
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true");

    /**
     * What {@code scripts/shmbus} gives its short-lived commands ({@code replay}, {@code verify}, {@code topics},
     * {@code stat}): the client compiler only, compiling methods ten times hotter than by default, and the serial
     * collector. The {@code replay-cli} role gets them too, so the benchmark measures the command as users run it.
     */
    static final List<String> CLI_JVM_OPTIONS =
        List.of("-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=10", "-XX:+UseSerialGC");

    private final List<String> baseCommand = new ArrayList<>();
    private final Set<ChildProcess> live = ConcurrentHashMap.newKeySet();
    private final List<Runnable> cleanups = new CopyOnWriteArrayList<>();
    private final PrintStream echo;
    private final Thread shutdownHook = new Thread(this::killAllAndCleanUp, "kill-bench-children");
    private boolean closed;

    ChildLauncher(final List<String> jvmOptions, final PrintStream echo)
    {
        this.echo = echo;
        baseCommand.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        baseCommand.add("--add-exports");
        baseCommand.add(AGRONA_EXPORTS);
        baseCommand.addAll(jvmOptions);
        baseCommand.add("-cp");
        baseCommand.add(System.getProperty("java.class.path"));
        baseCommand.add(BenchChild.class.getName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The JVM options and classpath every child gets, for the report. */
    List<String> baseCommand()
    {
        return baseCommand;
    }

    /**
     * Starts a child in a role with {@code key=value} arguments; a child of {@code system=chronicle} also gets
     * {@link #CHRONICLE_JVM_OPTIONS}, the {@code replay-cli} role {@link #CLI_JVM_OPTIONS}.
     *
     * @throws BenchException when the JVM cannot be started.
     */
    synchronized ChildProcess start(final String name, final String role, final Map<String, String> args)
    {
        if (closed)
        {
            // the shutdown hook already ran: a child started now would outlive its cleanup
            throw new BenchException("not starting " + name + ": the benchmark is shutting down");
        }
        final List<String> command = new ArrayList<>(baseCommand);
        if (ChronicleTransport.SYSTEM_ID.equals(args.get("system")))
        {
            command.addAll(command.size() - 3, CHRONICLE_JVM_OPTIONS); // before -cp CLASSPATH MAIN
        }
        if ("replay-cli".equals(role))
        {
            command.addAll(command.size() - 3, CLI_JVM_OPTIONS);
        }
        command.add(role);
        args.forEach((key, value) -> command.add(key + "=" + value));
        final ProcessBuilder builder = new ProcessBuilder(command);
        try
        {
            final ChildProcess child = new ChildProcess(name, builder.start(), echo);
            live.add(child);
            return child;
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot start " + name + ": " + ex.getMessage(), ex);
        }
    }

    /** Stops a child politely, killing it after the timeout, and forgets it. */
    void stop(final ChildProcess child, final long timeoutMs)
    {
        if (null != child)
        {
            child.stop(timeoutMs);
            live.remove(child);
        }
    }

    /** Kills a child at once and forgets it. */
    void kill(final ChildProcess child)
    {
        if (null != child)
        {
            child.kill();
            live.remove(child);
        }
    }

    /**
     * Ends a run's children: stops them politely after a run that succeeded (each within the timeout), kills them
     * at once after one that failed, so a stuck child never delays the next run.
     */
    void finish(final boolean ok, final long stopTimeoutMs, final ChildProcess... children)
    {
        for (final ChildProcess child : children)
        {
            if (ok)
            {
                stop(child, stopTimeoutMs);
            }
            else
            {
                kill(child);
            }
        }
    }

    void killAll()
    {
        for (final ChildProcess child : live)
        {
            child.kill();
        }
        live.clear();
    }

    /** Runs after every child is killed, at {@link #close()} or on shutdown: e.g. removes shared-memory files. */
    void addCleanup(final Runnable cleanup)
    {
        cleanups.add(cleanup);
    }

    private synchronized void killAllAndCleanUp()
    {
        closed = true;
        killAll();
        for (final Runnable cleanup : cleanups)
        {
            try
            {
                cleanup.run();
            }
            catch (final RuntimeException ex)
            {
                System.err.println("cleanup failed: " + ex);
            }
        }
        cleanups.clear();
    }

    public void close()
    {
        killAllAndCleanUp();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook runs anyway
        }
    }
}
