package io.shmbus.broker;

import io.shmbus.client.ShmbusException;

/**
 * Another live broker owns the shared-memory directory: one broker per directory.
 */
public class BrokerAlreadyRunningException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public BrokerAlreadyRunningException(final String message)
    {
        super(message);
    }
}
