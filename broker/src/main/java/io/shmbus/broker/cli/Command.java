package io.shmbus.broker.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of {@code shmbus}. Implementations run on the main thread and return the process exit code.
 */
interface Command
{
    String name();

    /** One line for the command list. */
    String summary();

    /** The full help text, options included. */
    String usage();

    /**
     * @return the exit code: 0 success, 1 failure.
     * @throws UsageException for a command line that cannot be run.
     */
    int run(List<String> args, InputStream in, PrintStream out, PrintStream err) throws Exception;
}
