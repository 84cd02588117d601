package io.shmbus.client;

/**
 * A setting or argument is invalid; the message names it, the value and the accepted range.
 */
public class ConfigurationException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public ConfigurationException(final String message)
    {
        super(message);
    }
}
