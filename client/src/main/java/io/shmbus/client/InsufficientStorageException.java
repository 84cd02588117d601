package io.shmbus.client;

/**
 * A shared-memory file could not be created because its filesystem lacks the space. Raised when the file is
 * created, never later: files are pre-allocated, so a full tmpfs cannot turn into a SIGBUS while running.
 */
public class InsufficientStorageException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public InsufficientStorageException(final String message)
    {
        super(message);
    }

    public InsufficientStorageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
