package io.shmbus.client;

/**
 * A requested start position is not available: already overwritten, beyond the tail, or not on a frame boundary.
 */
public class PositionUnavailableException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public PositionUnavailableException(final String message)
    {
        super(message);
    }
}
