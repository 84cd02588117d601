package io.shmbus.client.bytes;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.ShmbusException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import org.agrona.DirectBuffer;

/**
 * A {@link FragmentHandler} that points one reusable Chronicle Bytes view at each message's payload, in the ring or
 * the remote consumer's receive buffer, and passes it to a {@link BytesFragmentHandler}: no copy, no allocation.
 * Use it with {@code Consumer.poll} or {@code RemoteConsumer.poll}. One per polling thread: not thread-safe.
 * Constructing one checks the JVM options Chronicle needs ({@link ChronicleJvmRequirements}).
 */
public final class BytesFragmentAdapter implements FragmentHandler
{
    private final BytesFragmentHandler handler;
    private final PointerBytesStore store;
    private final Bytes<Void> bytes;

    public BytesFragmentAdapter(final BytesFragmentHandler handler)
    {
        ChronicleJvmRequirements.check(); // before the first Chronicle class initialises
        this.handler = handler;
        store = new PointerBytesStore();
        bytes = store.bytesForWrite(); // a view with a moving read limit; the handler gets it as read-only BytesIn
        bytes.singleThreadedCheckDisabled(true); // owned by whichever thread polls, one at a time
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (null != buffer.byteArray())
        {
            throw new ShmbusException("BytesFragmentAdapter reads messages in place in off-heap memory; " +
                "this message is in a heap buffer");
        }
        store.set(buffer.addressOffset() + offset, length);
        bytes.writeLimit(length);
        bytes.readPositionRemaining(0, length);
        handler.onMessage(bytes, header);
    }
}
