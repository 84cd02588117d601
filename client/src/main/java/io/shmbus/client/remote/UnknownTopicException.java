package io.shmbus.client.remote;

/**
 * The broker has no persistent topic of that name (a topic that is not persistent cannot be read remotely).
 */
public class UnknownTopicException extends RemoteSubscriptionException
{
    private static final long serialVersionUID = 1L;

    public UnknownTopicException(final String message)
    {
        super(RemoteProtocol.UNKNOWN_TOPIC, message);
    }
}
