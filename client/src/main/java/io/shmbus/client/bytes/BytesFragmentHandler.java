package io.shmbus.client.bytes;

import io.shmbus.client.Header;
import net.openhft.chronicle.bytes.BytesIn;

/**
 * Receives each message as a Chronicle Bytes view over its payload in place, through a {@link BytesFragmentAdapter}:
 * read fields with {@code readLong}, {@code readStopBit}, {@code readUtf8(StringBuilder)} or a marshallable's
 * {@code readMarshallable(in)}. The view and the header are reused and valid only during the call; called on the
 * polling thread.
 */
@FunctionalInterface
public interface BytesFragmentHandler
{
    /**
     * @param in     the payload, read position 0, read limit its length.
     * @param header of the frame.
     */
    void onMessage(BytesIn<?> in, Header header);
}
