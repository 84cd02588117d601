package io.shmbus.client;

/**
 * Base of every failure shmbus reports by exception. Hot-path calls never throw: they return negative codes.
 */
public class ShmbusException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ShmbusException(final String message)
    {
        super(message);
    }

    public ShmbusException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
