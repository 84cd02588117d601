package io.shmbus.client;

import io.shmbus.client.cnc.ControlProtocol;

/**
 * The broker refused a request; {@link #errorCode()} is one of the {@link ControlProtocol} error codes.
 */
public class BrokerErrorException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    private final int errorCode;

    public BrokerErrorException(final int errorCode, final String message)
    {
        super(message);
        this.errorCode = errorCode;
    }

    public int errorCode()
    {
        return errorCode;
    }
}
