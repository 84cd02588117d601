package io.shmbus.broker.net;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.log.TopicLog;
import io.shmbus.client.remote.RemoteProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.shmbus.broker.net.RawSubscriber.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The edges of docs/protocol.md that a subscriber written from the document alone runs into: bytes after the
 * request (one rule, counted, with the exact count), an end position that is not a frame boundary (every whole
 * frame before it, then END), the topic name limits, and what the stream looks like to a subscriber then. Frames
 * of 64 bytes (24-byte payloads) on a topic that holds nothing else make every frame start a multiple of 64.
 */
@Timeout(60)
class NetProtocolEdgesTest
{
    private static final int READ_TIMEOUT_MS = 10_000;
    private NetFixture fixture;
    private Producer producer;
    private long archived;

    @BeforeEach
    void setUp() throws Exception
    {
        fixture = new NetFixture(ctx -> ctx.netHeartbeatIntervalNs(50_000_000L));
        producer = fixture.bus.addProducer("fixed");
        archived = fixture.publishFixed(producer, 100);
        fixture.awaitArchived("fixed", archived);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        fixture.close();
    }

    @Test
    void aByteSentWithTheRequestOfAShortReplayGetsAProtocolViolationInsteadOfEnd() throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(concat(request(KIND_EARLIEST, 0, 128, "fixed", null), new byte[] {'x'}));
            assertTrue(subscriber.readResponse().isOk(), "the request itself is valid");
            final RawSubscriber.Stream stream = subscriber.readStream(0, Long.MAX_VALUE);
            assertNotNull(stream.last, "the stream stops");
            assertEquals(5, stream.last.type(), "STREAM ERROR, never END, after a byte that followed the request");
            assertEquals(RemoteProtocol.PROTOCOL_VIOLATION, stream.last.producerId());
            assertEquals(stream.bytes.size(), stream.last.position(), "at the next frame boundary");
            assertTrue(stream.last.payloadText().contains("sent 1 byte(s) after its request"),
                stream.last.payloadText());
            assertTrue(subscriber.isClosedByBroker());
        }
        fixture.awaitCounter("net: protocol violations", 1);
        fixture.awaitCounter("net: stream errors", 1);
    }

    @Test
    void theProtocolViolationSaysExactlyHowManyBytesArrived() throws Exception
    {
        final byte[] extra = new byte[1000];
        Arrays.fill(extra, (byte)'y');
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(concat(request(KIND_LATEST, 0, -1, "fixed", null), extra));
            assertTrue(subscriber.readResponse().isOk());
            final RawSubscriber.Frame frame = subscriber.readFrame();
            assertEquals(5, frame.type(), "a live subscription stops at once: " + frame);
            assertEquals(archived, frame.position());
            assertTrue(frame.payloadText().contains("sent 1000 byte(s) after its request"), frame.payloadText());
            assertTrue(subscriber.isClosedByBroker());
        }
        fixture.awaitCounter("net: protocol violations", 1);
    }

    @Test
    void anEndInsideAFrameBeyondTheArchiveGetsEveryWholeFrameBeforeItThenEnd() throws Exception
    {
        final long end = archived + 352; // 5 whole 64-byte frames, then the middle of the sixth
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(KIND_POSITION, archived, end, "fixed", null);
            assertTrue(response.isOk(), response.toString());
            final long tail = fixture.publishFixed(producer, 10);
            fixture.awaitArchived("fixed", tail);
            final RawSubscriber.Stream stream = subscriber.readStream(archived, Long.MAX_VALUE);
            assertEquals(5, stream.frames, "every whole frame before the end");
            assertArrayEquals(fixture.segmentBytes("fixed", archived, archived + 320), stream.bytes.toByteArray());
            assertNotNull(stream.last);
            assertEquals(4, stream.last.type(), "END: " + stream.last);
            assertEquals(archived + 320, stream.last.position(), "END at the last frame boundary before the end");
            assertTrue(subscriber.isClosedByBroker());
        }
        assertEquals(0, fixture.counter("net: stream errors"));
    }

    @Test
    void anEndInsideAFrameOfTheArchiveIsTheSameRule() throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(KIND_EARLIEST, 0, archived - 32, "fixed",
                null);
            assertTrue(response.isOk(), response.toString());
            final RawSubscriber.Stream stream = subscriber.readStream(0, Long.MAX_VALUE);
            assertEquals(99, stream.frames);
            assertEquals(4, stream.last.type(), "END: " + stream.last);
            assertEquals(archived - 64, stream.last.position());
        }
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(KIND_POSITION, 64, 96, "fixed", null);
            assertTrue(response.isOk(), response.toString());
            final RawSubscriber.Frame end = subscriber.readFrame();
            assertEquals(4, end.type(), "no whole frame before the end: END at once, " + end);
            assertEquals(64, end.position());
        }
    }

    @Test
    void anEndThatIsNoMultipleOf32IsRefusedAtTheHandshakeWhereverItLies() throws Exception
    {
        for (final long end : new long[] {100, archived + 100})
        {
            try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
            {
                final RawSubscriber.Response response = subscriber.subscribe(KIND_EARLIEST, 0, end, "fixed", null);
                assertEquals(RemoteProtocol.NOT_FRAME_BOUNDARY, response.errorCode(), response.toString());
                assertTrue(response.message().contains("multiple of 32"), response.message());
                assertTrue(subscriber.isClosedByBroker());
            }
        }
    }

    @Test
    void topicNamesAreOneTo128BytesWithoutTwoDots() throws Exception
    {
        final String longest = "t".repeat(128);
        fixture.publishFixed(fixture.bus.addProducer(longest), 3);
        fixture.awaitArchived(longest, 3 * 64);
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(KIND_EARLIEST, 0, 192, longest, null);
            assertTrue(response.isOk(), response.toString());
            assertEquals(3, subscriber.readStream(0, Long.MAX_VALUE).frames);
        }
        expectMalformed(request(KIND_EARLIEST, 0, -1, "a".repeat(129), null), "topic length 129 is not 1 to 128");
        expectMalformed(request(KIND_EARLIEST, 0, -1, "a".repeat(200), null), "topic length 200 is not 1 to 128");
        expectMalformed(request(KIND_EARLIEST, 0, -1, "a..b", null), "must not contain '..'");
        expectMalformed(request(KIND_EARLIEST, 0, -1, "..", null), "must not contain '..'");
    }

    @Test
    void aRequestFollowedByTheEndOfTheSubscribersSideGetsItsResponseThenTheClose() throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(request(KIND_EARLIEST, 0, -1, "fixed", null));
            subscriber.shutdownOutput();
            assertTrue(subscriber.readResponse().isOk(), "a complete request still gets its one response");
            // then the subscription has ended: what the broker sent before it saw the end of the subscriber's side
            // may come (here frames, or a heartbeat if it were slow to see it), never a STREAM ERROR, then the close
            long position = 0;
            while (true)
            {
                final RawSubscriber.Frame frame;
                try
                {
                    frame = subscriber.readFrame();
                }
                catch (final EOFException closed)
                {
                    break;
                }
                assertTrue(2 == frame.type() || 3 == frame.type(), () -> "only what comes before the close: " + frame);
                assertEquals(position, frame.position());
                position += 2 == frame.type() ? frame.wire().length : 0;
            }
            assertTrue(position <= archived);
        }
        assertEquals(0, fixture.counter("net: protocol violations"));
    }

    @Test
    void anotherVersionIsToldSoAfterEightBytesWhateverItsHeaderLength() throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(new byte[] {'S', 'H', 'M', 'B', 3, 0, 1, 0}); // and nothing more, the socket open
            final RawSubscriber.Response response = subscriber.readResponse();
            assertEquals(RemoteProtocol.UNSUPPORTED_VERSION, response.errorCode(), "not a handshake timeout: " +
                response);
            assertTrue(response.message().contains("version 3"), response.message());
            assertEquals(RemoteProtocol.VERSION_1, response.version(), "answered in the version every client reads");
            assertTrue(subscriber.isClosedByBroker());
        }
    }

    /**
     * Padding comes from four places, and only two of them leave zeros in the header: the end of the ring and
     * space claimed but never given a header (padded by the broker in 32-byte slots) carry time stamp 0 and producer
     * id 0; an aborted claim and a claim the broker padded after its header keep the producer's time stamp and id.
     * Flags and checksum are 0 in all of them, and a start at a time never lands on padding.
     */
    @Test
    void paddingOnTheWireIsWhatTheDocumentSays() throws Exception
    {
        fixture.close();
        fixture = new NetFixture(ctx -> ctx.unblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100)));
        final Producer pads = fixture.bus.addProducer("pads");
        final BufferClaim claim = new BufferClaim();
        fixture.publishFixed(pads, 2);
        fixture.awaitBrokerClockMovedOn("pads"); // the aborted claim is stamped later than every message before it
        final long aborted = pads.tryClaim(100, claim) - 160;
        claim.abort();
        fixture.publishFixed(pads, 1);
        final long abandoned = pads.tryClaim(60, claim) - 96; // never committed: the broker pads it
        fixture.publishFixed(pads, 1);
        final long headerless;
        try (TopicLog log = TopicLog.open(
            TopicLog.fileOf(fixture.shm, "pads"), "pads", 5_000))
        {
            headerless = log.tailVolatile();
            assertTrue(log.casTail(headerless, headerless + 96), "a claim whose producer died before its header");
        }
        fixture.publishFixed(pads, 1);
        final long tail = fixture.publish(pads, 0, 300); // random lengths: the ring's end needs padding
        fixture.awaitArchived("pads", tail);

        final Map<Long, RawSubscriber.Frame> padding = new TreeMap<>();
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            assertTrue(subscriber.subscribe(KIND_EARLIEST, 0, tail, "pads", null).isOk());
            long position = 0;
            for (RawSubscriber.Frame frame = subscriber.readFrame(); frame.type() != 4; frame = subscriber.readFrame())
            {
                assertEquals(position, frame.position());
                if (1 == frame.type())
                {
                    padding.put(position, frame);
                    assertEquals(0, frame.wire()[6], "flags");
                    assertEquals(0, ByteBuffer.wrap(frame.wire()).order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(28), "checksum");
                }
                position += frame.wire().length;
            }
        }
        assertEquals(132, padding.get(aborted).length(), "the aborted claim's frame");
        assertEquals(pads.producerId(), padding.get(aborted).producerId());
        assertNotEquals(0, padding.get(aborted).timestamp(), "the claim's time stamp stays");
        assertEquals(92, padding.get(abandoned).length(), "the abandoned claim, padded whole");
        assertEquals(pads.producerId(), padding.get(abandoned).producerId());
        assertNotEquals(0, padding.get(abandoned).timestamp());
        for (long slot = headerless; slot < headerless + 96; slot += 32)
        {
            final RawSubscriber.Frame frame = padding.get(slot);
            assertNotNull(frame, "a 32-byte padding slot at " + slot + ": " + padding.keySet());
            assertEquals(32, frame.length());
            assertEquals(0, frame.timestamp());
            assertEquals(0, frame.producerId());
        }
        final RawSubscriber.Frame ringEnd = padding.values().stream()
            .filter(f -> (f.position() + f.wire().length) % (64 * 1024) == 0).findFirst().orElseThrow(() ->
                new AssertionError("no padding up to the ring's end in " + padding.keySet()));
        assertEquals(0, ringEnd.timestamp());
        assertEquals(0, ringEnd.producerId());

        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(KIND_TIME, padding.get(aborted).timestamp(),
                -1, "pads", null);
            assertTrue(response.isOk(), response.toString());
            assertEquals(aborted + 160, response.startPosition(),
                "the message after the aborted claim, the first one stamped at or after its time: " + response);
        }
    }

    private void expectMalformed(final byte[] request, final String messagePart) throws IOException
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.sendQuietly(request);
            final RawSubscriber.Response response = subscriber.readResponse();
            assertEquals(RemoteProtocol.MALFORMED_REQUEST, response.errorCode(), response.toString());
            assertTrue(response.message().contains(messagePart), response.message());
            assertTrue(subscriber.isClosedByBroker());
        }
    }

    static byte[] concat(final byte[] a, final byte[] b)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(a, 0, a.length);
        out.write(b, 0, b.length);
        return out.toByteArray();
    }
}
