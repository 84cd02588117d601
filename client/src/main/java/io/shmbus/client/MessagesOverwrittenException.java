package io.shmbus.client;

/**
 * Messages a consumer's handler was reading in place may have been overwritten under it: its poll outlasted the
 * slow-consumer detach timeout, the broker moved it to the archive, and producers reused that part of the ring.
 * Reported to the error handler on the polling thread; the consumer goes on from the archive without a gap.
 */
public class MessagesOverwrittenException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public MessagesOverwrittenException(final String message)
    {
        super(message);
    }
}
