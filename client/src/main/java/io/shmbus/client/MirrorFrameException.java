package io.shmbus.client;

/**
 * A {@link MirrorWriter} refused a frame: not at the mirror's tail (it would leave a gap or a duplicate), not a
 * stored frame, or crossing the end of a ring whose capacity is not the source's. Nothing was written.
 */
public final class MirrorFrameException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    public MirrorFrameException(final String message)
    {
        super(message);
    }
}
