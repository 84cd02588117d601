package io.shmbus.client.remote;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The request and response layouts pinned to the tables and the example of docs/protocol.md.
 */
class RemoteLayoutTest
{
    @Test
    void requestOffsetsAreThoseOfTheDocument()
    {
        assertEquals(0, SubscribeRequestDescriptor.MAGIC_OFFSET);
        assertEquals(4, SubscribeRequestDescriptor.VERSION_OFFSET);
        assertEquals(6, SubscribeRequestDescriptor.REQUEST_TYPE_OFFSET);
        assertEquals(8, SubscribeRequestDescriptor.REQUEST_LENGTH_OFFSET);
        assertEquals(12, SubscribeRequestDescriptor.START_KIND_OFFSET);
        assertEquals(13, SubscribeRequestDescriptor.FLAGS_OFFSET);
        assertEquals(14, SubscribeRequestDescriptor.TOPIC_LENGTH_OFFSET);
        assertEquals(16, SubscribeRequestDescriptor.START_VALUE_OFFSET);
        assertEquals(24, SubscribeRequestDescriptor.END_POSITION_OFFSET);
        assertEquals(32, SubscribeRequestDescriptor.TOKEN_LENGTH_OFFSET);
        assertEquals(34, SubscribeRequestDescriptor.CONSUMER_NAME_LENGTH_OFFSET);
        assertEquals(36, SubscribeRequestDescriptor.RESERVED_OFFSET);
        assertEquals(40, SubscribeRequestDescriptor.HEADER_LENGTH);
    }

    @Test
    void commitOffsetsAreThoseOfTheDocument()
    {
        assertEquals(0, CommitMessageDescriptor.LENGTH_OFFSET);
        assertEquals(4, CommitMessageDescriptor.TYPE_OFFSET);
        assertEquals(6, CommitMessageDescriptor.RESERVED_OFFSET);
        assertEquals(8, CommitMessageDescriptor.POSITION_OFFSET);
        assertEquals(16, CommitMessageDescriptor.LENGTH);
    }

    @Test
    void encodesTheExampleNamedRequestAndCommit()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        buffer.setMemory(0, 128, (byte)0x77);
        final int length = SubscribeRequestDescriptor.encode(buffer, 0, RemoteProtocol.VERSION_NAMED,
            RemoteProtocol.FLAG_RESUME_NAMED, RemoteProtocol.START_EARLIEST, 0, RemoteProtocol.END_LIVE,
            "orders".getBytes(StandardCharsets.US_ASCII), new byte[0], "billing".getBytes(StandardCharsets.US_ASCII));
        assertEquals(53, length);
        final byte[] expected = {
            0x53, 0x48, 0x4d, 0x42, 2, 0, 1, 0, 53, 0, 0, 0, 0, 1, 6, 0,
            0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1,
            0, 0, 7, 0, 0, 0, 0, 0, 'o', 'r', 'd', 'e', 'r', 's', 'b', 'i', 'l', 'l', 'i', 'n', 'g'};
        final byte[] actual = new byte[length];
        buffer.getBytes(0, actual);
        assertArrayEquals(expected, actual);

        assertEquals(16, CommitMessageDescriptor.encode(buffer, 0, 0x1240));
        final byte[] commit = new byte[16];
        buffer.getBytes(0, commit);
        assertArrayEquals(new byte[]{16, 0, 0, 0, 1, 0, 0, 0, 0x40, 0x12, 0, 0, 0, 0, 0, 0}, commit);
        assertNull(CommitMessageDescriptor.checkHeader(buffer, 0));
        assertEquals(0x1240, CommitMessageDescriptor.position(buffer, 0));
        buffer.putShort(CommitMessageDescriptor.TYPE_OFFSET, (short)2);
        assertEquals("unknown message type 2 after the request (1 = COMMIT)",
            CommitMessageDescriptor.checkHeader(buffer, 0));
    }

    @Test
    void responseOffsetsAreThoseOfTheDocument()
    {
        assertEquals(0, SubscribeResponseDescriptor.MAGIC_OFFSET);
        assertEquals(4, SubscribeResponseDescriptor.VERSION_OFFSET);
        assertEquals(6, SubscribeResponseDescriptor.RESPONSE_TYPE_OFFSET);
        assertEquals(8, SubscribeResponseDescriptor.RESPONSE_LENGTH_OFFSET);
        assertEquals(12, SubscribeResponseDescriptor.ERROR_CODE_OFFSET);
        assertEquals(16, SubscribeResponseDescriptor.START_POSITION_OFFSET);
        assertEquals(24, SubscribeResponseDescriptor.MAX_FRAME_LENGTH_OFFSET);
        assertEquals(28, SubscribeResponseDescriptor.RESERVED_OFFSET);
        assertEquals(32, SubscribeResponseDescriptor.HEADER_LENGTH);
    }

    @Test
    void encodesTheExampleRequestWithATokenAfterTheTopic()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        buffer.setMemory(0, 128, (byte)0x77); // encode must clear the reserved bytes itself
        final int length = SubscribeRequestDescriptor.encode(buffer, 0, RemoteProtocol.START_POSITION, 4096, 8192,
            "orders".getBytes(StandardCharsets.US_ASCII), "tok".getBytes(StandardCharsets.US_ASCII));
        assertEquals(49, length);
        final byte[] expected = {
            0x53, 0x48, 0x4d, 0x42, 1, 0, 1, 0, 49, 0, 0, 0, 2, 0, 6, 0,
            0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0,
            3, 0, 0, 0, 0, 0, 0, 0, 'o', 'r', 'd', 'e', 'r', 's', 't', 'o', 'k'};
        final byte[] actual = new byte[length];
        buffer.getBytes(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void decodesTheExampleOkAndAnError()
    {
        final byte[] ok = {
            0x53, 0x48, 0x4d, 0x42, 1, 0, 1, 0, 0x20, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x10, 0, 0, 0, 0, 0};
        final UnsafeBuffer response = new UnsafeBuffer(ok);
        assertNull(SubscribeResponseDescriptor.checkHeader(response));
        assertEquals(RemoteProtocol.MAGIC, SubscribeResponseDescriptor.magic(response));
        assertEquals(1, SubscribeResponseDescriptor.version(response));
        assertEquals(RemoteProtocol.RESPONSE_OK, SubscribeResponseDescriptor.responseType(response));
        assertEquals(32, SubscribeResponseDescriptor.responseLength(response));
        assertEquals(0, SubscribeResponseDescriptor.errorCode(response));
        assertEquals(0, SubscribeResponseDescriptor.startPosition(response));
        assertEquals(1048608, SubscribeResponseDescriptor.maxFrameLength(response));
        assertEquals("", SubscribeResponseDescriptor.message(response, 32));

        final UnsafeBuffer error = new UnsafeBuffer(StreamBuilder.error(RemoteProtocol.UNKNOWN_TOPIC, "no 'x'"));
        assertEquals(RemoteProtocol.RESPONSE_ERROR, SubscribeResponseDescriptor.responseType(error));
        assertEquals(RemoteProtocol.UNKNOWN_TOPIC, SubscribeResponseDescriptor.errorCode(error));
        assertEquals("no 'x'", SubscribeResponseDescriptor.message(error, 38));

        final UnsafeBuffer tooLong = new UnsafeBuffer(ok.clone());
        tooLong.putInt(8, 4097);
        assertTrue(SubscribeResponseDescriptor.checkHeader(tooLong).contains("response length 4097"));
        final UnsafeBuffer notShmbus = new UnsafeBuffer("HTTP/1.1 200 OK\r\n\r\n.............".getBytes(
            StandardCharsets.US_ASCII));
        assertTrue(SubscribeResponseDescriptor.checkHeader(notShmbus).contains("0x48545450"),
            SubscribeResponseDescriptor.checkHeader(notShmbus));
    }
}
