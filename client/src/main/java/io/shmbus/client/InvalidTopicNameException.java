package io.shmbus.client;

/**
 * A topic name does not match {@code [A-Za-z0-9._-]{1,128}} or contains {@code ..}.
 */
public class InvalidTopicNameException extends ConfigurationException
{
    private static final long serialVersionUID = 1L;

    public InvalidTopicNameException(final String message)
    {
        super(message);
    }
}
