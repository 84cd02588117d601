package io.shmbus.ipc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The child side of the test protocol: commands arrive as lines on stdin, reports leave as lines on stdout. When
 * stdin reaches its end the parent test JVM has gone (even by SIGKILL, when no shutdown hook runs), so the child
 * halts at once rather than live on as an orphan holding shared memory.
 * <p>
 * Thread-safe.
 */
public final class ChildIo
{
    /** Exit status of a child whose parent went away. */
    public static final int ORPHANED_EXIT_STATUS = 3;

    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    private final String name;

    private ChildIo(final String name)
    {
        this.name = name;
    }

    /** Starts reading stdin on a daemon thread. */
    public static ChildIo start(final String name)
    {
        final ChildIo io = new ChildIo(name);
        final Thread reader = new Thread(io::readCommands, name + "-stdin");
        reader.setDaemon(true);
        reader.start();
        return io;
    }

    private void readCommands()
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                commands.add(line.trim());
            }
        }
        catch (final IOException ex)
        {
            System.err.println(name + ": reading stdin failed: " + ex);
        }
        System.err.println(name + ": stdin closed, the parent is gone: halting");
        System.err.flush();
        Runtime.getRuntime().halt(ORPHANED_EXIT_STATUS);
    }

    /** The next command, or null when none is waiting. */
    public String poll()
    {
        return commands.poll();
    }

    /** Waits for a command that starts with {@code prefix}, dropping others; null after the timeout. */
    public String await(final String prefix, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final String command = commands.poll(deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (null == command || command.startsWith(prefix))
            {
                return command;
            }
            System.err.println(name + ": ignored command '" + command + "' while waiting for " + prefix);
        }
    }

    /** Prints one report line to stdout, where the parent reads it. */
    public void report(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
