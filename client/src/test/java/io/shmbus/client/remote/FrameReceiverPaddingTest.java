package io.shmbus.client.remote;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.log.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code includePadding}: PAD frames reach the handler too, so that whole frames copied from {@code offset - 32}
 * rebuild the stored stream byte for byte.
 */
@Timeout(30)
class FrameReceiverPaddingTest
{
    private static final long START = 8192;
    private static final int MAX_FRAME = 1024 + 32;

    @Test
    void deliversPaddingSoThatWholeFramesRebuildTheStoredStream()
    {
        final byte[] stored = new StreamBuilder(START).data("one").pad(96).data("x".repeat(500)).pad(32).data("end")
            .toBytes();
        final byte[] sent = new StreamBuilder(START).data("one").heartbeat().pad(96).data("x".repeat(500))
            .pad(32).heartbeat().data("end").toBytes();
        for (int cut = 1; cut < sent.length; cut += 7)
        {
            final FrameReceiver receiver = new FrameReceiver(true, true);
            receiver.reset(START, MAX_FRAME);
            final ByteArrayOutputStream copy = new ByteArrayOutputStream();
            final List<Short> types = new ArrayList<>();
            final List<Long> positions = new ArrayList<>();
            final FragmentHandler handler = (buffer, offset, length, header) ->
            {
                final byte[] frame = new byte[FrameDescriptor.alignedLength(header.frameLength())];
                buffer.getBytes(offset - FrameDescriptor.HEADER_LENGTH, frame);
                copy.writeBytes(frame);
                types.add(header.type());
                positions.add(header.position());
            };
            final ChunkedChannel channel = ChunkedChannel.cutAt(sent, cut);
            for (int i = 0; i < 100 && receiver.position() < START + stored.length; i++)
            {
                receiver.receive(channel, handler, 10);
            }
            assertArrayEquals(stored, copy.toByteArray(), "cut at byte " + cut);
            assertEquals(List.of(FrameDescriptor.TYPE_DATA, FrameDescriptor.TYPE_PAD, FrameDescriptor.TYPE_DATA,
                FrameDescriptor.TYPE_PAD, FrameDescriptor.TYPE_DATA), types);
            assertEquals(List.of(START, START + 64, START + 160, START + 160 + 544, START + 160 + 544 + 32),
                positions);
        }
    }

    @Test
    void skipsPaddingByDefault()
    {
        final byte[] sent = new StreamBuilder(START).data("one").pad(96).data("two").toBytes();
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(START, MAX_FRAME);
        final Received received = new Received();
        receiver.receive(ChunkedChannel.cutAt(sent, sent.length), received, 10);
        assertEquals(List.of("one", "two"), received.payloads);
        assertEquals(START + sent.length, receiver.position());
    }

    @Test
    void contextDefaultsToNoPadding()
    {
        final RemoteConsumer.Context ctx = new RemoteConsumer.Context();
        assertFalse(ctx.includePadding());
        assertTrue(ctx.includePadding(true).includePadding());
    }
}
