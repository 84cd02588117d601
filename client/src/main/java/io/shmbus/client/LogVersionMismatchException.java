package io.shmbus.client;

/**
 * A shared-memory file was written by another version of shmbus, or is not a shmbus file at all.
 */
public class LogVersionMismatchException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public LogVersionMismatchException(final String message)
    {
        super(message);
    }
}
