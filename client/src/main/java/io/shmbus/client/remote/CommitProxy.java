package io.shmbus.client.remote;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Sends a named subscriber's acknowledgements to the broker as COMMIT messages ({@link CommitMessageDescriptor}):
 * it keeps the newest position asked for and writes one COMMIT of it when the connection takes it, so many
 * commits between two polls cost one message. A COMMIT is never interleaved with another: a partly written one is
 * finished first. After a reconnection the newest position is sent again, since the broken connection may have
 * lost it. Allocates nothing after construction.
 * <p>
 * Not thread-safe: owned by the polling thread.
 */
final class CommitProxy
{
    private static final long NONE = -1;

    private final ByteBuffer byteBuffer = ByteBuffer.allocateDirect(CommitMessageDescriptor.LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
    private long requested = NONE;
    private long written = NONE;
    private boolean partlyWritten;

    /** Asks for every message before {@code position} to be acknowledged; a lower position than before is kept. */
    void request(final long position)
    {
        if (position > requested)
        {
            requested = position;
        }
    }

    /** The newest position asked for, or -1. */
    long requested()
    {
        return requested;
    }

    /** The connection is new: nothing was written on it yet. */
    void onNewConnection()
    {
        written = NONE;
        partlyWritten = false;
    }

    /** True when a COMMIT is due or partly written. */
    boolean isPending()
    {
        return partlyWritten || requested != written;
    }

    /**
     * Writes what the channel takes of the pending COMMIT, never blocking.
     *
     * @return true when nothing is left to write.
     */
    boolean send(final WritableByteChannel channel) throws IOException
    {
        if (!partlyWritten)
        {
            if (requested == written)
            {
                return true;
            }
            CommitMessageDescriptor.encode(buffer, 0, requested);
            byteBuffer.clear().limit(CommitMessageDescriptor.LENGTH);
            written = requested;
            partlyWritten = true;
        }
        channel.write(byteBuffer);
        partlyWritten = byteBuffer.hasRemaining();
        return !isPending();
    }
}
