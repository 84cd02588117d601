package io.shmbus.broker.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One in-process run of the {@code shmbus} command line, as a user runs it: its exit code and what it printed.
 */
public final class CliRun
{
    public final int code;
    public final String stdout;
    public final String stderr;

    private CliRun(final int code, final String stdout, final String stderr)
    {
        this.code = code;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs {@code shmbus ARGS...} with {@code stdin} as its standard input. */
    public static CliRun run(final String stdin, final String... args)
    {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    /**
     * Runs {@code shmbus ARGS... --dir DIR} with {@code stdin} as its standard input: a command for the broker whose
     * shared-memory directory is {@code dir}.
     */
    public static CliRun runOn(final Path dir, final String stdin, final String... args)
    {
        return run(stdin, withOption(args, "--dir", dir.toString()));
    }

    /** {@code args} followed by {@code option value}. */
    public static String[] withOption(final String[] args, final String option, final String value)
    {
        final String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = option;
        all[args.length + 1] = value;
        return all;
    }

    /** Runs {@code shmbus ARGS...} with these bytes as its standard input. */
    public static CliRun run(final byte[] stdin, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(args, new ByteArrayInputStream(stdin),
            new PrintStream(out, true), new PrintStream(err, true));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
