package io.shmbus.client;

/**
 * No broker answers on the directory: none was started, it died, it stopped heart-beating, or it did not reply
 * within the request timeout. A client can connect again once a broker is back.
 */
public class BrokerUnavailableException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(final String message)
    {
        super(message);
    }
}
