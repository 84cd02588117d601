package io.shmbus.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code strace -f -c -o FILE -p PID} attached to a running process (every thread, and any it starts), or
 * {@code strace -c -o FILE -p TID} to one of its threads alone, for one window: {@link #attach} returns once strace says it is attached, {@link #detach} ends it with SIGTERM, on which
 * strace detaches and writes its summary table, and parses that table. Tracing stops the tracee at every system
 * call, so a traced window measures calls, never time.
 * <p>
 * Used by one thread; a reader thread only watches strace's messages.
 */
final class StraceSession
{
    private static final long DETACH_TIMEOUT_MS = 30_000;

    private final Process strace;
    private final Path output;
    private final CountDownLatch attached = new CountDownLatch(1);
    private final StringBuilder messages = new StringBuilder();

    private StraceSession(final Process strace, final Path output)
    {
        this.strace = strace;
        this.output = output;
    }

    /** Why strace cannot be used here, or null when {@code strace -V} runs. */
    static String unavailableReason()
    {
        try
        {
            final Process probe = new ProcessBuilder("strace", "-V").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && 0 == probe.exitValue() ? null :
                "strace -V failed";
        }
        catch (final IOException ex)
        {
            return "no strace on the PATH (" + ex.getMessage() + ")";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Attaches to every thread of {@code pid} ({@code strace -f -c -p PID}), writing the summary to {@code output}
     * at detach.
     *
     * @throws BenchException when strace cannot start or does not attach within the timeout.
     */
    static StraceSession attach(final long pid, final Path output, final long timeoutMs)
    {
        return start(List.of("strace", "-f", "-c", "-o", output.toString(), "-p", Long.toString(pid)), pid, output,
            timeoutMs);
    }

    /**
     * Attaches to the one thread {@code tid} alone ({@code strace -c -p TID}, no {@code -f}): the calls that
     * thread makes, none of its process's other threads'.
     *
     * @throws BenchException when strace cannot start or does not attach within the timeout.
     */
    static StraceSession attachThread(final long tid, final Path output, final long timeoutMs)
    {
        return start(List.of("strace", "-c", "-o", output.toString(), "-p", Long.toString(tid)), tid, output,
            timeoutMs);
    }

    private static StraceSession start(final List<String> command, final long pid, final Path output,
        final long timeoutMs)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot start strace: " + ex.getMessage(), ex);
        }
        final StraceSession session = new StraceSession(process, output);
        session.watchMessages();
        try
        {
            if (!session.attached.await(timeoutMs, TimeUnit.MILLISECONDS) || !process.isAlive())
            {
                process.destroyForcibly();
                throw new BenchException("strace did not attach to process " + pid + " within " + timeoutMs +
                    " ms: " + session.messages());
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted attaching strace to process " + pid);
        }
        return session;
    }

    /**
     * Detaches and parses the summary.
     *
     * @throws BenchException when strace does not finish or writes no table.
     */
    StraceSummary detach()
    {
        strace.destroy(); // SIGTERM: strace detaches from every thread and writes the table
        try
        {
            if (!strace.waitFor(DETACH_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                strace.destroyForcibly();
                throw new BenchException("strace did not detach within " + DETACH_TIMEOUT_MS + " ms");
            }
            return StraceSummary.parse(Files.readString(output));
        }
        catch (final InterruptedException ex)
        {
            strace.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted waiting for strace to detach");
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new BenchException("no strace summary in " + output + ": " + ex.getMessage() + "; strace said: " +
                messages(), ex);
        }
    }

    /** Ends strace at once, e.g. after a failed run; the summary is dropped. */
    void kill()
    {
        strace.destroyForcibly();
    }

    private String messages()
    {
        synchronized (messages)
        {
            return messages.toString().trim();
        }
    }

    private void watchMessages()
    {
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(strace.getErrorStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    synchronized (messages)
                    {
                        messages.append(line).append('\n');
                    }
                    // "strace: Process N attached" (with -f after every thread of N is attached)
                    if (line.contains(" attached"))
                    {
                        attached.countDown();
                    }
                }
            }
            catch (final IOException ignore)
            {
                // strace exited
            }
        }, "strace-messages");
        reader.setDaemon(true);
        reader.start();
    }
}
