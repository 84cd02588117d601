package io.shmbus.client.bytes;

import io.shmbus.client.ShmbusException;

/**
 * A message written through {@link BytesClaim} did not fit the length it was claimed with. The claim was aborted
 * (consumers skip it as padding): nothing of the message was published.
 */
public class MessageTooLongException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public MessageTooLongException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
