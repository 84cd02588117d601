package io.shmbus.broker.archive;

/**
 * One network subscriber of an archived topic, as other threads see it: who it is, where its range ends, and how
 * far it has been sent. The network server's thread registers it with the topic's {@link ArchiveView} and
 * publishes its position (a volatile store after each send: no allocation, no lock); the conductor reads it to
 * report the topic and to refuse deleting a topic that is being read.
 */
public final class ArchiveSubscriber
{
    private final String remote;
    private final long end;
    private volatile long position;

    /**
     * @param remote   the subscriber's address, as the server logs it.
     * @param start    the first position it is sent.
     * @param end      the exclusive end of a bounded replay, or -1 when it follows the topic live.
     */
    public ArchiveSubscriber(final String remote, final long start, final long end)
    {
        this.remote = remote;
        this.end = end;
        this.position = start;
    }

    public String remote()
    {
        return remote;
    }

    /** The exclusive end of a bounded replay, or -1 for a live subscription. */
    public long end()
    {
        return end;
    }

    /** The position up to which bytes were handed to its socket. */
    public long position()
    {
        return position;
    }

    /** Network server thread only. */
    public void position(final long position)
    {
        if (this.position != position)
        {
            this.position = position;
        }
    }
}
