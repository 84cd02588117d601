package io.shmbus.client;

import io.shmbus.client.cnc.ControlProtocol;

/**
 * A durable named consumer is held by another live process; the message names its pid. The name is free again
 * once that consumer closes or its process exits.
 */
public final class ConsumerNameInUseException extends BrokerErrorException
{
    private static final long serialVersionUID = 1L;

    public ConsumerNameInUseException(final String message)
    {
        super(ControlProtocol.ERROR_CONSUMER_NAME_IN_USE, message);
    }
}
