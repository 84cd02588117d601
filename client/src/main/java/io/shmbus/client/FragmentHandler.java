package io.shmbus.client;

import org.agrona.DirectBuffer;

/**
 * Receives messages from {@link Consumer#poll(FragmentHandler, int)} or
 * {@link io.shmbus.client.remote.RemoteConsumer#poll(FragmentHandler, int)}. The buffer points into shared memory
 * (or the remote consumer's receive buffer) and is valid only during the call: copy what must outlive it.
 */
@FunctionalInterface
public interface FragmentHandler
{
    /**
     * @param buffer holding the message, in place.
     * @param offset of the payload in the buffer.
     * @param length of the payload.
     * @param header of the frame, valid only during the call.
     */
    void onFragment(DirectBuffer buffer, int offset, int length, Header header);
}
