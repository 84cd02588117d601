package io.shmbus.client.remote;

import io.shmbus.client.ShmbusException;

/**
 * A connection to the broker could not be made or broke: refused, closed by the broker, an I/O error, or silent
 * for longer than the liveness timeout. Reported to the error handler; the consumer then reconnects.
 */
public class ConnectionLostException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(final String message)
    {
        super(message);
    }

    public ConnectionLostException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
