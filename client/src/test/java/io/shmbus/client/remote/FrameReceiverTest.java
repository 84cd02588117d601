package io.shmbus.client.remote;

import io.shmbus.client.log.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stream parser on its own, fed through channels that cut the stream where the test says.
 */
@Timeout(30)
class FrameReceiverTest
{
    private static final long START = 4096;
    private static final int MAX_FRAME = 1024 + 32;

    private static byte[] mixedStream()
    {
        return new StreamBuilder(START)
            .data("one")
            .pad(96)
            .heartbeat()
            .data("a message of 33 bytes exactly....")
            .data("")
            .heartbeat()
            .data("x".repeat(1000))
            .pad(32)
            .data("last")
            .toBytes();
    }

    private static final List<String> EXPECTED = List.of("one", "a message of 33 bytes exactly....", "",
        "x".repeat(1000), "last");

    @Test
    void deliversWholeFramesWhereverTheStreamIsCut()
    {
        final byte[] stream = mixedStream();
        for (int cut = 1; cut < stream.length; cut++)
        {
            final FrameReceiver receiver = new FrameReceiver(true);
            receiver.reset(START, MAX_FRAME);
            final Received received = drain(receiver, ChunkedChannel.cutAt(stream, cut));
            assertEquals(EXPECTED, received.payloads, "cut at byte " + cut);
            assertEquals(FrameReceiver.STREAMING, receiver.status(), "cut at byte " + cut);
        }
    }

    @Test
    void deliversFramesArrivingOneByteAtATime()
    {
        final byte[] stream = mixedStream();
        final ChunkedChannel channel = new ChunkedChannel(false);
        for (final byte b : stream)
        {
            channel.add(new byte[]{b});
        }
        final FrameReceiver receiver = new FrameReceiver(true);
        receiver.reset(START, MAX_FRAME);
        final Received received = drain(receiver, channel);
        assertEquals(EXPECTED, received.payloads);
        assertEquals(List.of(START, START + 64 + 96, START + 64 + 96 + 96, START + 64 + 96 + 96 + 32,
            START + 64 + 96 + 96 + 32 + 1056 + 32), received.positions);
        assertEquals(START + 64 + 96 + 96 + 32 + 1056 + 32 + 64, receiver.position(), "past PAD and the last DATA");
    }

    @Test
    void respectsTheFragmentLimitAndKeepsTheRestForTheNextCall()
    {
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(START, MAX_FRAME);
        final ChunkedChannel channel = new ChunkedChannel(false).add(mixedStream());
        final Received received = new Received();
        assertEquals(2, receiver.receive(channel, received, 2));
        assertEquals(3, receiver.receive(channel, received, 10));
        assertEquals(EXPECTED, received.payloads);
    }

    @Test
    void remembersThePositionOfTheLastHeartbeatUntilTheNextConnection()
    {
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(START, MAX_FRAME);
        assertEquals(-1, receiver.heartbeatPosition(), "none yet");
        final ChunkedChannel channel = new ChunkedChannel(false).add(new StreamBuilder(START).data("one").heartbeat()
            .data("two").toBytes());
        final Received received = new Received();
        assertEquals(1, receiver.receive(channel, received, 1));
        assertEquals(-1, receiver.heartbeatPosition(), "not read yet");
        assertEquals(1, receiver.receive(channel, received, 1));
        assertEquals(START + 64, receiver.heartbeatPosition(), "where the heartbeat said the next frame is");
        receiver.reset(START + 192, MAX_FRAME);
        assertEquals(-1, receiver.heartbeatPosition(), "a new connection has had none");
    }

    @Test
    void stopsAtEnd()
    {
        final byte[] stream = new StreamBuilder(0).data("a").end().data("after the end").toBytes();
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, MAX_FRAME);
        final Received received = drain(receiver, new ChunkedChannel(false).add(stream));
        assertEquals(List.of("a"), received.payloads);
        assertEquals(FrameReceiver.END, receiver.status());
        assertEquals(64, receiver.position());
    }

    @Test
    void stopsAtAStreamErrorWithItsCodeAndMessage()
    {
        final byte[] stream = new StreamBuilder(0).data("a")
            .streamError(RemoteProtocol.POSITION_UNAVAILABLE, "segment 0 was deleted by retention").toBytes();
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, MAX_FRAME);
        drain(receiver, new ChunkedChannel(false).add(stream));
        assertEquals(FrameReceiver.STREAM_ERROR, receiver.status());
        assertEquals(RemoteProtocol.POSITION_UNAVAILABLE, receiver.errorCode());
        assertEquals("segment 0 was deleted by retention", receiver.problem());
        assertEquals(64, receiver.position());
    }

    @Test
    void reportsAFrameAtTheWrongPosition()
    {
        final byte[] stream = new StreamBuilder(0).data("a")
            .frame(40, FrameDescriptor.TYPE_DATA, (byte)0, 128, 1, 0, "12345678".getBytes(StandardCharsets.UTF_8))
            .toBytes();
        assertBadFrame(stream, "says position 128 where 64 was expected");
    }

    @Test
    void reportsImpossibleLengthsAndTypes()
    {
        assertBadFrame(new StreamBuilder(0).frame(8, FrameDescriptor.TYPE_DATA, (byte)0, 0, 0, 0, new byte[0])
            .toBytes(), "length 8");
        assertBadFrame(new StreamBuilder(0).frame(MAX_FRAME + 1, FrameDescriptor.TYPE_DATA, (byte)0, 0, 0, 0,
            new byte[0]).toBytes(), "length " + (MAX_FRAME + 1));
        assertBadFrame(new StreamBuilder(0).frame(64, (short)0, (byte)0, 0, 0, 0, new byte[0]).toBytes(),
            "type 0");
        assertBadFrame(new StreamBuilder(0).frame(RemoteProtocol.MAX_CONTROL_FRAME_LENGTH + 1, (short)99, (byte)0, 0,
            0, 0, new byte[0]).toBytes(), "type 99, length 4097");
        assertBadFrame(new StreamBuilder(0).frame(64, FrameDescriptor.TYPE_HEARTBEAT, (byte)0, 0, 0, 0, new byte[0])
            .toBytes(), "type 3, length 64");
        final byte[] garbage = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertBadFrame(garbage, "impossible frame at position 0");
    }

    @Test
    void skipsFramesOfTypesItDoesNotKnowWithoutAdvancingThePosition()
    {
        final byte[] stream = new StreamBuilder(0).data("a")
            .frame(40, (short)6, (byte)0, 64, 0, 0, "8 bytes!".getBytes(StandardCharsets.UTF_8))
            .frame(RemoteProtocol.MAX_CONTROL_FRAME_LENGTH, (short)0xFFFF, (byte)0, 64, 0, 0, new byte[0])
            .toBytes();
        final byte[] rest = new StreamBuilder(64).data("b").end().toBytes();
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, MAX_FRAME);
        final Received received = drain(receiver, new ChunkedChannel(false).add(stream).add(rest));
        assertEquals(List.of("a", "b"), received.payloads);
        assertEquals(FrameReceiver.END, receiver.status(), String.valueOf(receiver.problem()));
        assertEquals(128, receiver.position());

        assertBadFrame(new StreamBuilder(0).data("a").frame(32, (short)7, (byte)0, 96, 0, 0, new byte[0]).toBytes(),
            "says position 96 where 64 was expected");
    }

    @Test
    void checksFlaggedChecksumsWhenAsked()
    {
        final byte[] stream = new StreamBuilder(0).data("fine".getBytes(StandardCharsets.UTF_8), true)
            .data("damaged".getBytes(StandardCharsets.UTF_8), true).toBytes();
        stream[64 + 32] ^= 1; // a bit flip in the second payload
        final FrameReceiver checking = new FrameReceiver(true);
        checking.reset(0, MAX_FRAME);
        final Received received = drain(checking, new ChunkedChannel(false).add(stream));
        assertEquals(List.of("fine"), received.payloads);
        assertEquals(FrameReceiver.BAD_CHECKSUM, checking.status());
        assertTrue(checking.problem().contains("CRC32C mismatch in the frame at position 64"), checking.problem());

        final FrameReceiver trusting = new FrameReceiver(false);
        trusting.reset(0, MAX_FRAME);
        assertEquals(2, drain(trusting, new ChunkedChannel(false).add(stream)).payloads.size());
    }

    @Test
    void reportsTheEndOfTheStream()
    {
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, MAX_FRAME);
        final byte[] stream = new StreamBuilder(0).data("a").data("cut short").toBytes();
        final ChunkedChannel channel = new ChunkedChannel(true).add(java.util.Arrays.copyOf(stream, 64 + 40));
        assertEquals(List.of("a"), drain(receiver, channel).payloads);
        assertEquals(FrameReceiver.END_OF_STREAM, receiver.status());
        assertEquals(64, receiver.position(), "the next position is that of the partial frame");
    }

    @Test
    void sizesItsBufferFromTheMaxFrameLength()
    {
        assertEquals(64 * 1024, FrameReceiver.capacityFor(1024));
        assertEquals(2 * 1048608, FrameReceiver.capacityFor(1048608));
        assertEquals(2 * 1048640, FrameReceiver.capacityFor(1048609), "aligned to 32 first");
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, 1048608);
        assertEquals(2 * 1048608, receiver.capacity());
    }

    @Test
    void movesPartialFramesToTheFrontWhenTheBufferEnds()
    {
        final int maxFrame = 20_000;
        final StreamBuilder builder = new StreamBuilder(0);
        final byte[] big = new byte[maxFrame - 32];
        java.util.Arrays.fill(big, (byte)'b');
        for (int i = 0; i < 40; i++)
        {
            builder.data(i % 3 == 0 ? new String(big, StandardCharsets.US_ASCII) : "small " + i);
        }
        final byte[] stream = builder.toBytes();
        final ChunkedChannel channel = new ChunkedChannel(false);
        for (int from = 0; from < stream.length; from += 7001)
        {
            channel.add(java.util.Arrays.copyOfRange(stream, from, Math.min(stream.length, from + 7001)));
        }
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, maxFrame);
        final Received received = drain(receiver, channel);
        assertEquals(40, received.payloads.size());
        for (int i = 0; i < 40; i++)
        {
            assertEquals(i % 3 == 0 ? maxFrame - 32 : ("small " + i).length(), received.payloads.get(i).length());
        }
        assertEquals(FrameReceiver.STREAMING, receiver.status());
    }

    private static void assertBadFrame(final byte[] stream, final String expected)
    {
        final FrameReceiver receiver = new FrameReceiver(false);
        receiver.reset(0, MAX_FRAME);
        drain(receiver, new ChunkedChannel(false).add(stream));
        assertEquals(FrameReceiver.BAD_FRAME, receiver.status());
        assertTrue(receiver.problem().contains(expected), receiver.problem());
    }

    private static Received drain(final FrameReceiver receiver, final ChunkedChannel channel)
    {
        final Received received = new Received();
        for (int i = 0; i < 100_000; i++)
        {
            final long before = receiver.bytesReceived();
            final int fragments = receiver.receive(channel, received, 10);
            if (0 == fragments && before == receiver.bytesReceived())
            {
                break;
            }
        }
        return received;
    }
}
