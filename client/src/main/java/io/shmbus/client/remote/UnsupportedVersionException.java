package io.shmbus.client.remote;

/**
 * The broker and this client speak different versions of the network protocol: the broker refused ours
 * ({@link RemoteProtocol#UNSUPPORTED_VERSION}) or answered in another (error code 0).
 */
public class UnsupportedVersionException extends RemoteSubscriptionException
{
    private static final long serialVersionUID = 1L;

    public UnsupportedVersionException(final int errorCode, final String message)
    {
        super(errorCode, message);
    }
}
