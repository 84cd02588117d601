package io.shmbus.broker.net;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.remote.RemoteProtocol;
import io.shmbus.client.remote.SubscribeResponseDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the broker reads and writes is pinned byte by byte to docs/protocol.md, including its example: the request
 * check, the responses and the control frames. The offsets themselves are the client's layouts, pinned by
 * {@code RemoteLayoutTest}.
 */
class NetLayoutTest
{
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @Test
    void theDocumentsExampleRequestIsAccepted() throws Exception
    {
        final byte[] example = HEX.parseHex(
            "53 48 4d 42 01 00 01 00 2e 00 00 00 00 00 06 00 " +
            "00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff " +
            "00 00 00 00 00 00 00 00 6f 72 64 65 72 73");
        final ByteBuffer request = ByteBuffer.wrap(example).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(46, SubscriptionResolver.checkHeader(request));
        assertArrayEquals(example, RawSubscriber.request(RawSubscriber.KIND_EARLIEST, 0, -1, "orders", null),
            "the test subscriber encodes what the document shows");
    }

    @Test
    void okResponseIsTheDocumentsExample()
    {
        final ByteBuffer response = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        ControlFrames.okResponse(response, RemoteProtocol.VERSION_1, 0, 1048608);
        final byte[] bytes = new byte[response.remaining()];
        response.get(bytes);
        assertEquals("53 48 4d 42 01 00 01 00 20 00 00 00 00 00 00 00 " +
            "00 00 00 00 00 00 00 00 20 00 10 00 00 00 00 00", HEX.formatHex(bytes));
    }

    @Test
    void errorResponseCarriesCodeAndMessage()
    {
        final ByteBuffer response = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        ControlFrames.errorResponse(response, RemoteProtocol.VERSION_1, RemoteProtocol.UNKNOWN_TOPIC, "no 'x'");
        assertEquals(32 + 6, response.remaining());
        assertEquals(RemoteProtocol.RESPONSE_ERROR, response.getShort(6));
        assertEquals(38, response.getInt(8));
        assertEquals(3, response.getInt(12));
        assertEquals(0, response.getLong(16));
        assertEquals(0, response.getInt(24));
        assertEquals("no 'x'", SubscribeResponseDescriptor.message(new UnsafeBuffer(response), 38),
            "the client reads what the broker writes");

        ControlFrames.errorResponse(response, RemoteProtocol.VERSION_1, RemoteProtocol.STORAGE_ERROR, "é".repeat(400));
        assertTrue(response.remaining() <= 32 + ControlFrames.MAX_MESSAGE_LENGTH);
        assertEquals(0, (response.remaining() - 32) % 2, "a long message is cut between characters");
    }

    @Test
    void controlFramesAreAlignedFramesWithTheirTypes()
    {
        final ByteBuffer frame = ByteBuffer.allocate(ControlFrames.MAX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        ControlFrames.heartbeat(frame, 4096, 123);
        assertEquals(32, frame.remaining());
        assertEquals(32, frame.getInt(FrameDescriptor.FRAME_LENGTH_OFFSET));
        assertEquals(FrameDescriptor.TYPE_HEARTBEAT, frame.getShort(FrameDescriptor.TYPE_OFFSET));
        assertEquals(FrameDescriptor.CURRENT_VERSION, frame.get(FrameDescriptor.VERSION_OFFSET));
        assertEquals(4096, frame.getLong(FrameDescriptor.POSITION_OFFSET));
        assertEquals(123, frame.getLong(FrameDescriptor.TIMESTAMP_OFFSET));

        ControlFrames.end(frame, 8192, 5);
        assertEquals(FrameDescriptor.TYPE_END, frame.getShort(FrameDescriptor.TYPE_OFFSET));
        assertEquals(8192, frame.getLong(FrameDescriptor.POSITION_OFFSET));

        ControlFrames.streamError(frame, 64, 7, RemoteProtocol.POSITION_UNAVAILABLE, "gone");
        assertEquals(64, frame.remaining(), "36 bytes padded to 64");
        assertEquals(36, frame.getInt(FrameDescriptor.FRAME_LENGTH_OFFSET));
        assertEquals(FrameDescriptor.TYPE_STREAM_ERROR, frame.getShort(FrameDescriptor.TYPE_OFFSET));
        assertEquals(RemoteProtocol.POSITION_UNAVAILABLE, frame.getInt(FrameDescriptor.PRODUCER_ID_OFFSET));
        assertEquals('g', frame.get(32));
        assertEquals(0, frame.get(36), "padding is zero");
        assertFalse(FrameDescriptor.isKnownType(FrameDescriptor.TYPE_HEARTBEAT), "never stored");
    }
}
