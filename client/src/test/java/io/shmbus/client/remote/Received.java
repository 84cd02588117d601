package io.shmbus.client.remote;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what a handler is given: each payload as text and the position of its frame.
 */
final class Received implements FragmentHandler
{
    final List<String> payloads = new ArrayList<>();
    final List<Long> positions = new ArrayList<>();

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        payloads.add(buffer.getStringWithoutLengthUtf8(offset, length));
        positions.add(header.position());
    }
}
