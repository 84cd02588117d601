package io.shmbus.broker.cli;

/**
 * A command line that cannot be run as written: unknown command or option, missing or malformed value.
 */
final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String command;

    UsageException(final String command, final String message)
    {
        super(message);
        this.command = command;
    }

    String command()
    {
        return command;
    }
}
