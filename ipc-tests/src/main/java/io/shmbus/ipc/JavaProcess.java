package io.shmbus.ipc;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class of the test classpath, with the JVM flag Agrona needs and a small heap.
 * Its stdout and stderr are drained by two threads from the start, so its pipes never fill: every line goes to a
 * log file, the last {@link #RECENT_LINES} of both streams are kept for failure messages, and stdout lines are kept
 * to wait on (children print a few protocol lines, e.g. {@code READY}), and so are stderr lines (a broker daemon logs
 * there). Lines sent with {@link #send} arrive on the child's stdin.
 * <p>
 * Normally started through a {@link ProcessGroup} (in tests its JUnit form, {@code ChildProcesses}), which kills it
 * at the end of the run. Waits that fail throw an {@link AssertionError} that names the child and shows its recent
 * output: a test reports it as a failure, the soak prints its message. Thread-safe.
 */
public final class JavaProcess implements AutoCloseable
{
    /** The timestamp and level that begin each broker log line in the text format. */
    private static final java.util.regex.Pattern LOG_STAMP =
        java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO|WARN|ERROR) ");

    static final int RECENT_LINES = 60;
    private static final long DRAIN_JOIN_MS = 5_000;
    private static final String DEFAULT_EXPORTS = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    /** The JVM options of a child unless told otherwise: a small heap and the serial collector. */
    public static final List<String> DEFAULT_JVM_OPTIONS =
        List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:+PerfDisableSharedMem");

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Writer log;
    private final Writer stdin;
    private final List<String> stdoutLines = new ArrayList<>();
    private final List<String> stderrLines = new ArrayList<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final Thread stdoutDrainer;
    private final Thread stderrDrainer;
    private final long startedNs = System.nanoTime();

    private JavaProcess(final String name, final Process process, final Path logFile) throws IOException
    {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.stdoutDrainer = drainer(process.getInputStream(), false);
        this.stderrDrainer = drainer(process.getErrorStream(), true);
    }

    /**
     * Starts {@code mainClass} in a new JVM.
     *
     * @param logDir where {@code <name>.log} gets both output streams.
     */
    public static JavaProcess start(
        final String name, final Path logDir, final Class<?> mainClass, final List<String> args)
    {
        return start(name, logDir, List.of(), mainClass, args);
    }

    /**
     * Starts {@code mainClass} in a new JVM launched through {@code wrapper}, a command that runs the rest of its
     * command line (e.g. {@code setpriv ... --}); an empty wrapper starts the JVM directly.
     *
     * @param logDir where {@code <name>.log} gets both output streams.
     */
    public static JavaProcess start(
        final String name,
        final Path logDir,
        final List<String> wrapper,
        final Class<?> mainClass,
        final List<String> args)
    {
        return start(name, logDir, wrapper, DEFAULT_JVM_OPTIONS, System.getProperty("java.class.path"), mainClass,
            args);
    }

    /**
     * Starts {@code mainClass} in a new JVM with these JVM options (the export Agrona needs is always added) and
     * class path, through {@code wrapper} (empty: none).
     *
     * @param logDir where {@code <name>.log} gets both output streams.
     */
    public static JavaProcess start(
        final String name,
        final Path logDir,
        final List<String> wrapper,
        final List<String> jvmOptions,
        final String classPath,
        final Class<?> mainClass,
        final List<String> args)
    {
        final List<String> command = new ArrayList<>(wrapper);
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classPath);
        command.addAll(Arrays.asList(System.getProperty("shmbus.test.exports", DEFAULT_EXPORTS).trim().split("\\s+")));
        command.addAll(jvmOptions);
        command.add("-Dshmbus.child.name=" + name);
        command.add(mainClass.getName());
        command.addAll(args);
        try
        {
            Files.createDirectories(logDir);
            final Path logFile = logDir.resolve(name + ".log");
            final Process process = new ProcessBuilder(command).start();
            final JavaProcess child = new JavaProcess(name, process, logFile);
            child.logLine("# " + String.join(" ", command));
            return child;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not start " + name + ": " + String.join(" ", command), ex);
        }
    }

    private Thread drainer(final InputStream stream, final boolean isStderr)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    onLine(line, isStderr);
                }
            }
            catch (final IOException ignore)
            {
                // the stream closes when the process dies or is closed: nothing more to read
            }
        }, name + (isStderr ? "-stderr" : "-stdout"));
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private synchronized void onLine(final String line, final boolean isStderr)
    {
        final String tagged = isStderr ? "[err] " + line : line;
        if (recent.size() == RECENT_LINES)
        {
            recent.removeFirst();
        }
        recent.addLast(tagged);
        (isStderr ? stderrLines : stdoutLines).add(line);
        notifyAll();
        logLine(tagged);
    }

    private synchronized void logLine(final String line)
    {
        try
        {
            log.write(line);
            log.write('\n');
            log.flush();
        }
        catch (final IOException ignore)
        {
            // the log is a convenience: the recent lines still hold the output
        }
    }

    public String name()
    {
        return name;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** Milliseconds since the process was started. */
    public long ageMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNs);
    }

    public Path logFile()
    {
        return logFile;
    }

    /**
     * Waits for the first stdout line that starts with {@code prefix}, printed at any time since the start.
     *
     * @throws AssertionError with the child's recent output when the child exits first or the time runs out.
     */
    public String awaitLine(final String prefix, final Duration timeout)
    {
        return awaitLine(stdoutLines, stdoutDrainer, prefix, timeout);
    }

    /**
     * Waits for the first stderr line that starts with {@code prefix}, printed at any time since the start. A broker
     * log line is matched without its timestamp and level ({@code 2026-12-06T20:01:02.345Z INFO }), so the prefix
     * starts at its component ({@code broker: pid }), and is returned from there.
     *
     * @throws AssertionError with the child's recent output when the child exits first or the time runs out.
     */
    public String awaitErrLine(final String prefix, final Duration timeout)
    {
        return awaitLine(stderrLines, stderrDrainer, prefix, timeout);
    }

    /** A broker log line from its component on; any other line as it is. */
    static String withoutLogStamp(final String line)
    {
        final java.util.regex.Matcher stamp = LOG_STAMP.matcher(line);
        return stamp.lookingAt() ? line.substring(stamp.end()) : line;
    }

    private String awaitLine(
        final List<String> lines, final Thread drainer, final String prefix, final Duration timeout)
    {
        final String stream = lines == stderrLines ? "stderr" : "stdout";
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (this)
        {
            int checked = 0;
            while (true)
            {
                for (; checked < lines.size(); checked++)
                {
                    final String line = lines == stderrLines ? withoutLogStamp(lines.get(checked)) :
                        lines.get(checked);
                    if (line.startsWith(prefix))
                    {
                        return line;
                    }
                }
                if (!process.isAlive() && !drainer.isAlive())
                {
                    throw failure("exited with status " + process.exitValue() + " before printing '" + prefix +
                        "' on " + stream);
                }
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    throw failure("printed no '" + prefix + "' line on " + stream + " within " +
                        timeout.toMillis() + " ms");
                }
                try
                {
                    // wakes on each line; the short cap notices an exit that prints nothing more
                    wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(remainingNs), 100)));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw failure("interrupted while waiting for '" + prefix + "'");
                }
            }
        }
    }

    /** Every stdout line so far, in order. */
    public synchronized List<String> stdoutLines()
    {
        return new ArrayList<>(stdoutLines);
    }

    /** The latest stdout line that starts with {@code prefix}, or null when there is none yet. */
    public synchronized String lastLine(final String prefix)
    {
        for (int i = stdoutLines.size() - 1; i >= 0; i--)
        {
            if (stdoutLines.get(i).startsWith(prefix))
            {
                return stdoutLines.get(i);
            }
        }
        return null;
    }

    /** Every stderr line so far, in order. */
    public synchronized List<String> stderrLines()
    {
        return new ArrayList<>(stderrLines);
    }

    /** Sends one line to the child's stdin. */
    public void send(final String line)
    {
        try
        {
            synchronized (stdin)
            {
                stdin.write(line);
                stdin.write('\n');
                stdin.flush();
            }
        }
        catch (final IOException ex)
        {
            throw failure("could not send '" + line + "': " + ex);
        }
    }

    /**
     * Waits for the child to exit and for its output to be read to the end.
     *
     * @return the exit status.
     * @throws AssertionError with the child's recent output when it is still running after the timeout.
     */
    public int awaitExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw failure("still running after " + timeout.toMillis() + " ms");
            }
            stdoutDrainer.join(DRAIN_JOIN_MS);
            stderrDrainer.join(DRAIN_JOIN_MS);
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for the exit");
        }
    }

    /** Waits for the child to exit with status 0. */
    public void awaitSuccess(final Duration timeout)
    {
        final int status = awaitExit(timeout);
        if (0 != status)
        {
            throw failure("exited with status " + status);
        }
    }

    /**
     * Kills the child and its descendants with SIGKILL, waits for it to be gone and then for its output to be read to
     * the end (at most {@link #DRAIN_JOIN_MS} more), so every line it wrote before it died is seen.
     *
     * @return true when the process is gone.
     */
    public boolean kill(final Duration timeout)
    {
        // Through the handles, not Process.destroyForcibly(): that also closes our ends of the pipes, and the lines
        // still unread in them would be lost. The kernel closes the child's ends when it dies: the readers see EOF.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                return false;
            }
            // a descendant that outlived the kill may hold the pipes open: then give up on the rest after the wait
            stdoutDrainer.join(DRAIN_JOIN_MS);
            stderrDrainer.join(DRAIN_JOIN_MS);
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * Sends SIGTERM (a JVM runs its shutdown hooks) and waits for the child to exit and its output to be read.
     *
     * @return the exit status.
     * @throws AssertionError with the child's recent output when it is still running after the timeout.
     */
    public int terminate(final Duration timeout)
    {
        // Not Process.destroy(): it also closes our ends of the pipes, so the child would see its stdin end (and
        // halt, see ChildIo) and its last output lines would be lost. The handle only sends the signal.
        process.toHandle().destroy();
        return awaitExit(timeout);
    }

    /** The last lines of stdout and stderr (marked {@code [err]}), oldest first. */
    public synchronized String recentOutput()
    {
        return recent.isEmpty() ? "    (no output)" : "    " + String.join("\n    ", recent);
    }

    /** An assertion failure that names this child and shows its recent output. */
    public AssertionError failure(final String what)
    {
        return new AssertionError(name + " (pid " + process.pid() + ") " + what + "; recent output (all in " +
            logFile.toAbsolutePath() + "):\n" + recentOutput());
    }

    /** Kills the child if it still runs and closes its streams. Safe to call twice. */
    public void close()
    {
        if (process.isAlive())
        {
            kill(Duration.ofSeconds(10));
        }
        try
        {
            stdin.close();
        }
        catch (final IOException ignore)
        {
            // the child is gone
        }
        try
        {
            stdoutDrainer.join(DRAIN_JOIN_MS);
            stderrDrainer.join(DRAIN_JOIN_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        synchronized (this)
        {
            try
            {
                log.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to write
            }
        }
    }

    public String toString()
    {
        return name + "(pid " + process.pid() +
            (process.isAlive() ? ", running)" : ", exit status " + process.exitValue() + ")");
    }
}
