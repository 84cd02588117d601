package io.shmbus.client.remote;

import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.ControlledFragmentHandler.Action;
import io.shmbus.client.Header;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.shmbus.client.ControlledFragmentHandler.Action.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FrameReceiver#controlledReceive} wherever the stream is cut: every message is aborted once and then
 * delivered again at the same position, BREAK and the fragment limit end a call, PAD and HEARTBEAT between are
 * skipped once.
 */
@Timeout(30)
class FrameReceiverControlledTest
{
    private static final long START = 4096;
    private static final int MAX_FRAME = 1024 + 32;
    private static final List<String> EXPECTED = List.of("one", "a message of 33 bytes exactly....", "",
        "x".repeat(1000), "last");

    private static byte[] stream()
    {
        return new StreamBuilder(START).data("one").pad(96).heartbeat().data("a message of 33 bytes exactly....")
            .data("").heartbeat().data("x".repeat(1000)).pad(32).data("last").toBytes();
    }

    @Test
    void everyAbortedMessageComesAgainAtTheSamePositionWhereverTheStreamIsCut()
    {
        final byte[] stream = stream();
        for (int cut = 1; cut < stream.length; cut++)
        {
            final FrameReceiver receiver = new FrameReceiver(true);
            receiver.reset(START, MAX_FRAME);
            final ChunkedChannel channel = ChunkedChannel.cutAt(stream, cut);
            final Recorder recorder = new Recorder();
            int consumed = 0;
            for (int call = 0; call < 100 && recorder.consumed.size() < EXPECTED.size(); call++)
            {
                final int before = recorder.deliveries.size();
                final int taken = receiver.controlledReceive(channel, recorder, 10);
                consumed += taken;
                final List<Object[]> delivered = recorder.deliveries.subList(before, recorder.deliveries.size());
                if (!delivered.isEmpty() && ABORT == delivered.get(delivered.size() - 1)[2])
                {
                    assertTrue(receiver.isAborted(), "cut at " + cut);
                    assertEquals(delivered.get(delivered.size() - 1)[1], receiver.position(), "cut at " + cut);
                }
                else
                {
                    assertFalse(receiver.isAborted(), "cut at " + cut);
                }
            }
            assertEquals(EXPECTED, recorder.consumed, "cut at byte " + cut);
            assertEquals(EXPECTED.size(), consumed, "cut at byte " + cut);
            assertEquals(2 * EXPECTED.size(), recorder.deliveries.size(), "each delivered twice, cut at " + cut);
            for (int i = 0; i < recorder.deliveries.size(); i += 2)
            {
                assertEquals(recorder.deliveries.get(i)[0], recorder.deliveries.get(i + 1)[0], "cut at " + cut);
                assertEquals(recorder.deliveries.get(i)[1], recorder.deliveries.get(i + 1)[1], "same position");
            }
            assertEquals(FrameReceiver.STREAMING, receiver.status(), "cut at byte " + cut);
            assertEquals(START + 64 + 96 + 96 + 32 + 1056 + 32 + 64, receiver.position());
        }
    }

    @Test
    void breakAndTheFragmentLimitEndACallAndTheRestWaits()
    {
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(START, MAX_FRAME);
        final ChunkedChannel channel = new ChunkedChannel(false).add(stream());
        final List<String> payloads = new ArrayList<>();
        final ControlledFragmentHandler breakOnEmpty = (buffer, offset, length, header) ->
        {
            payloads.add(buffer.getStringWithoutLengthAscii(offset, length));
            return 0 == length ? BREAK : COMMIT;
        };
        assertEquals(3, receiver.controlledReceive(channel, breakOnEmpty, 10), "up to and with the BREAK");
        assertEquals(EXPECTED.subList(0, 3), payloads);
        assertEquals(1, receiver.controlledReceive(channel, breakOnEmpty, 1), "the limit");
        assertEquals(1, receiver.controlledReceive(channel, breakOnEmpty, 10));
        assertEquals(0, receiver.controlledReceive(channel, breakOnEmpty, 10));
        assertEquals(EXPECTED, payloads);
    }

    /** Aborts each message the first time, takes it the second; records (payload, position, action). */
    private static final class Recorder implements ControlledFragmentHandler
    {
        final List<Object[]> deliveries = new ArrayList<>();
        final List<String> consumed = new ArrayList<>();
        private long lastAborted = -1;

        public Action onFragment(
            final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final String payload = buffer.getStringWithoutLengthAscii(offset, length);
            final Action action = header.position() == lastAborted ? CONTINUE : ABORT;
            if (ABORT == action)
            {
                lastAborted = header.position();
            }
            else
            {
                consumed.add(payload);
            }
            deliveries.add(new Object[]{payload, header.position(), action});
            return action;
        }
    }
}
