package io.shmbus.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM seen from the parent: its protocol lines ({@code READY}, {@code RESULT}, {@code ERROR}) arrive on a
 * queue, every wait has a deadline, and the last lines of its output are kept for error messages.
 * <p>
 * Used by the parent's main thread; the two reader threads only feed the queue and the tail.
 */
final class ChildProcess
{
    private static final String EOF = "\u0000EOF";
    private static final int TAIL_LINES = 15;

    private final String name;
    private final Process process;
    private final BlockingQueue<String> protocolLines = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final PrintStream echo;

    ChildProcess(final String name, final Process process, final PrintStream echo)
    {
        this.name = name;
        this.process = process;
        this.echo = echo;
        startReader(process.getInputStream(), "", true);
        startReader(process.getErrorStream(), "stderr: ", false);
    }

    String name()
    {
        return name;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Waits for the next protocol line starting with {@code prefix}.
     *
     * @return the rest of the line after the prefix, trimmed.
     * @throws BenchException when the child reports an error, exits, or the timeout passes first.
     */
    String await(final String prefix, final long timeoutMs, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final long remainingNs = deadline - System.nanoTime();
            final String line;
            try
            {
                line = remainingNs > 0 ? protocolLines.poll(remainingNs, TimeUnit.NANOSECONDS) : null;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted waiting for " + what + " from " + name);
            }
            if (null == line)
            {
                throw new BenchException("timed out after " + timeoutMs / 1000.0 + " s waiting for " + what +
                    " from " + name + " (pid " + pid() + ")" + tailText());
            }
            if (EOF.equals(line))
            {
                protocolLines.add(EOF); // later waits fail the same way
                throw new BenchException(name + " exited" + exitCodeText() + " before " + what + tailText());
            }
            if (line.startsWith("ERROR"))
            {
                throw new BenchException(name + " failed: " + line.substring(5).trim() + tailText());
            }
            if (line.startsWith(prefix))
            {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** Waits for {@code RESULT} and parses its {@code key=value} fields. */
    Map<String, String> awaitResult(final long timeoutMs, final String what)
    {
        return parseFields(await("RESULT", timeoutMs, what));
    }

    static Map<String, String> parseFields(final String text)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String token : text.trim().split("\\s+"))
        {
            final int eq = token.indexOf('=');
            if (eq > 0)
            {
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return fields;
    }

    /**
     * Lets a child waiting in {@link BenchChild#awaitGo} start its next measured step: one newline on its stdin, so
     * the parent can read the child's counters or attach a tracer first.
     *
     * @throws BenchException when the child's stdin is closed (it exited).
     */
    void go()
    {
        try
        {
            process.getOutputStream().write('\n');
            process.getOutputStream().flush();
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot signal " + name + " to go: " + ex.getMessage() + tailText());
        }
    }

    /** Asks the child to finish: it sees the end of its stdin. */
    void requestStop()
    {
        try
        {
            process.getOutputStream().close();
        }
        catch (final IOException ignore)
        {
            // already gone
        }
    }

    /** Asks the child to stop and waits for it to exit, killing it if it does not within the timeout. */
    boolean stop(final long timeoutMs)
    {
        requestStop();
        try
        {
            if (process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
            {
                return true;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        kill();
        return false;
    }

    /** Kills the child and anything it started, at once. */
    void kill()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines the child printed, for error messages. */
    String tailText()
    {
        synchronized (tail)
        {
            if (tail.isEmpty())
            {
                return "";
            }
            final StringBuilder sb = new StringBuilder("\n    last output of ").append(name).append(':');
            for (final String line : tail)
            {
                sb.append("\n      | ").append(line);
            }
            return sb.toString();
        }
    }

    private String exitCodeText()
    {
        try
        {
            if (process.waitFor(2, TimeUnit.SECONDS))
            {
                final int code = process.exitValue();
                return " with code " + code + (code > 128 ? " (killed by signal " + (code - 128) + ")" : "");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private void startReader(final InputStream in, final String label, final boolean protocol)
    {
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    synchronized (tail)
                    {
                        tail.addLast(label + line);
                        if (tail.size() > TAIL_LINES)
                        {
                            tail.removeFirst();
                        }
                    }
                    if (null != echo)
                    {
                        echo.println("[" + name + "] " + label + line);
                    }
                    if (protocol && (line.startsWith("READY") || line.startsWith("RESULT") ||
                        line.startsWith("ERROR")))
                    {
                        protocolLines.add(line);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process went away
            }
            finally
            {
                if (protocol)
                {
                    protocolLines.add(EOF);
                }
            }
        }, name + (protocol ? "-stdout" : "-stderr"));
        reader.setDaemon(true);
        reader.start();
    }
}
