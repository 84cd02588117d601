package io.shmbus.examples;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Reads the numbered messages of {@link ProducerExample} and checks that they arrive in order from 0, each once:
 * the handler that {@link ConsumerExample} and {@link RemoteSubscriberExample} give to {@code poll}. It reads the
 * number in place (no copy, no allocation) and remembers the first message out of order.
 * <p>
 * Not thread-safe: called on the polling thread.
 */
public final class SequenceCheck implements FragmentHandler
{
    private long received;
    private long lastPosition = -1;
    private String failure;

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final long seq = Long.BYTES == length ? buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) : -1;
        if (null == failure && seq != received)
        {
            failure = "expected message " + received + " at position " + header.position() + ", got " +
                (Long.BYTES == length ? "message " + seq : length + " bytes");
        }
        received++;
        lastPosition = header.position();
    }

    /** How many messages arrived. */
    public long received()
    {
        return received;
    }

    /** The stream position of the last message, -1 before the first. */
    public long lastPosition()
    {
        return lastPosition;
    }

    /** What went wrong first, or null while every message came in order. */
    public String failure()
    {
        return failure;
    }
}
