package io.shmbus.client;

/**
 * A consumer was dropped: the broker revoked it after its client was silent for longer than the client timeout,
 * or producers overtook it. Reported to the error handler on the polling thread; the consumer delivers nothing more.
 */
public class ConsumerRevokedException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public ConsumerRevokedException(final String message)
    {
        super(message);
    }
}
