package io.shmbus.broker;

import io.shmbus.client.ShmbusException;

/**
 * The CnC file has no room for the counters of another topic: the topic is refused before anything of it is made,
 * and the broker goes on serving the topics it has.
 */
public class CountersFullException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public CountersFullException(final String message)
    {
        super(message);
    }
}
