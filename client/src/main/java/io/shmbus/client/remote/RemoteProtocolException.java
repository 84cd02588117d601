package io.shmbus.client.remote;

/**
 * The peer sent bytes that break the protocol: not a shmbus broker, a frame of impossible length or type, a frame
 * at an unexpected position, or a checksum that does not match the payload. The error code is 0.
 */
public class RemoteProtocolException extends RemoteSubscriptionException
{
    private static final long serialVersionUID = 1L;

    public RemoteProtocolException(final String message)
    {
        super(0, message);
    }
}
