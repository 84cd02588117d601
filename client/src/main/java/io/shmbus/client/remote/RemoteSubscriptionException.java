package io.shmbus.client.remote;

import io.shmbus.client.ShmbusException;

/**
 * A network subscription failed: the broker refused it or stopped its stream ({@link #errorCode()} is one of the
 * {@link RemoteProtocol} codes), or the broker's bytes broke the protocol (code 0). Thrown by
 * {@link RemoteConsumer#poll} when the consumer cannot go on; reported to the error handler when it reconnects.
 */
public class RemoteSubscriptionException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    private final int errorCode;

    public RemoteSubscriptionException(final int errorCode, final String message)
    {
        super(message);
        this.errorCode = errorCode;
    }

    /** A {@link RemoteProtocol} error code, or 0 when the client found the problem itself. */
    public int errorCode()
    {
        return errorCode;
    }
}
