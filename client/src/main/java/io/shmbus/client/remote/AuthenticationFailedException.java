package io.shmbus.client.remote;

/**
 * The broker rejected the subscription's token (or its absence).
 */
public class AuthenticationFailedException extends RemoteSubscriptionException
{
    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(final String message)
    {
        super(RemoteProtocol.AUTHENTICATION_FAILED, message);
    }
}
