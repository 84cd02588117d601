package io.shmbus.broker.net;

import io.shmbus.client.Producer;
import io.shmbus.client.remote.RemoteProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.shmbus.broker.net.RawSubscriber.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input on the network port gets an ERROR (or a STREAM ERROR once streaming), a close and a count, and the
 * broker goes on serving a good subscriber: garbage, truncated and oversized requests, a slow sender, unknown
 * topics, positions outside the archive or inside a frame, wrong tokens, too many connections, a deleted
 * segment, bytes after the request, and a seeded fuzz of random and mutated requests.
 */
@Timeout(60)
class NetBadInputTest
{
    private static final String TOKEN = "s3cret-token";
    private static final int READ_TIMEOUT_MS = 10_000;
    private NetFixture fixture;
    private long tail;

    @BeforeEach
    void setUp() throws Exception
    {
        fixture = new NetFixture(ctx -> ctx.netAuthToken(TOKEN).netMaxConnections(32)
            .netHandshakeTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300)));
        final Producer producer = fixture.bus.addProducer("orders");
        fixture.bus.addProducer("scratch"); // not persistent
        tail = fixture.publish(producer, 0, 1_000);
        fixture.awaitArchived("orders", tail);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        fixture.close();
    }

    @Test
    void eachBadRequestGetsItsErrorAndACloseAndIsCounted() throws Exception
    {
        final List<Long> starts = fixture.frameStarts("orders", 0, tail);
        long insideFrame = -1;
        for (int i = 0; i + 1 < starts.size() && insideFrame < 0; i++)
        {
            if (starts.get(i + 1) - starts.get(i) > 64)
            {
                insideFrame = starts.get(i) + 32; // aligned, but payload
            }
        }

        expectError(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), RemoteProtocol.MALFORMED_REQUEST, "magic");
        expectError(Arrays.copyOf(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), 20), RemoteProtocol.MALFORMED_REQUEST,
            "closed after 20 bytes");
        expectError(with(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), b -> b.putInt(8, 5000)),
            RemoteProtocol.MALFORMED_REQUEST, "request length 5000");
        expectError(with(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), b -> b.putShort(32, (short)2000)),
            RemoteProtocol.MALFORMED_REQUEST, "token length 2000");
        expectError(request(KIND_EARLIEST, 0, -1, "x".repeat(300), TOKEN), RemoteProtocol.MALFORMED_REQUEST,
            "topic length 300");
        expectError(with(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), b -> b.putShort(4, (short)3)),
            RemoteProtocol.UNSUPPORTED_VERSION, "version 3");
        expectError(with(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), b -> b.put(37, (byte)1)),
            RemoteProtocol.MALFORMED_REQUEST, "reserved");
        expectError(with(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), b -> b.put(12, (byte)9)),
            RemoteProtocol.MALFORMED_REQUEST, "start kind 9");
        expectError(request(KIND_EARLIEST, 0, -1, "../etc", TOKEN), RemoteProtocol.MALFORMED_REQUEST, "topic name");
        expectError(request(KIND_EARLIEST, 0, -1, "nosuch", TOKEN), RemoteProtocol.UNKNOWN_TOPIC, "nosuch");
        expectError(request(KIND_EARLIEST, 0, -1, "scratch", TOKEN), RemoteProtocol.UNKNOWN_TOPIC, "not persistent");
        expectError(request(KIND_EARLIEST, 0, -1, "orders", "wrong"), RemoteProtocol.AUTHENTICATION_FAILED, "token");
        expectError(request(KIND_EARLIEST, 0, -1, "orders", null), RemoteProtocol.AUTHENTICATION_FAILED, "token");
        expectError(request(KIND_POSITION, tail + 4096, -1, "orders", TOKEN), RemoteProtocol.POSITION_UNAVAILABLE,
            "outside the retained range");
        expectError(request(KIND_POSITION, -64, -1, "orders", TOKEN), RemoteProtocol.POSITION_UNAVAILABLE,
            "outside the retained range");
        expectError(request(KIND_POSITION, insideFrame, -1, "orders", TOKEN), RemoteProtocol.NOT_FRAME_BOUNDARY,
            "not the first byte of a frame");
        expectError(request(KIND_POSITION, starts.get(3) + 8, -1, "orders", TOKEN), RemoteProtocol.NOT_FRAME_BOUNDARY,
            "not the first byte of a frame");
        expectError(request(KIND_EARLIEST, 0, starts.get(3) + 8, "orders", TOKEN), RemoteProtocol.NOT_FRAME_BOUNDARY,
            "not a multiple of 32");
        expectError(request(KIND_POSITION, starts.get(5), starts.get(2), "orders", TOKEN),
            RemoteProtocol.POSITION_UNAVAILABLE, "not after the start");
        expectError(request(KIND_EARLIEST, 0, -2, "orders", TOKEN), RemoteProtocol.POSITION_UNAVAILABLE,
            "not after the start");
        expectError(request(KIND_LATEST, 0, starts.get(2), "orders", TOKEN), RemoteProtocol.POSITION_UNAVAILABLE,
            "not after the start");
        final int errors = 21;
        fixture.awaitCounter("net: handshake errors", errors);

        // a slow sender: part of a request, then nothing, is timed out; the clock starts before the connection, so
        // the broker's handshake timer cannot have started before it
        final long startNs = System.nanoTime();
        try (RawSubscriber slow = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            slow.send(Arrays.copyOf(request(KIND_EARLIEST, 0, -1, "orders", TOKEN), 30));
            final RawSubscriber.Response response = slow.readResponse();
            assertEquals(RemoteProtocol.HANDSHAKE_TIMEOUT, response.errorCode(), response.toString());
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(250), "not before the timeout");
            assertTrue(slow.isClosedByBroker());
        }
        fixture.awaitCounter("net: handshake errors", errors + 1);
        assertTrue(fixture.brokerLog.toString().contains("net: refused /127.0.0.1:"), fixture.brokerLog.toString());
        assertGoodSubscriberServed();
        assertEquals(0, fixture.counter("broker: errors"), fixture.brokerLog.toString());
    }

    @Test
    void bytesAfterTheRequestStopTheStreamWithAProtocolViolation() throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            assertTrue(subscriber.subscribe(KIND_LATEST, 0, -1, "orders", TOKEN).isOk());
            subscriber.send(ascii("more"));
            final RawSubscriber.Stream stream = subscriber.readStream(tail, Long.MAX_VALUE);
            assertNotNull(stream.last);
            assertEquals(5, stream.last.type(), "STREAM ERROR");
            assertEquals(RemoteProtocol.PROTOCOL_VIOLATION, stream.last.producerId());
            assertEquals(tail, stream.last.position());
            assertTrue(stream.last.payloadText().contains("after its request"), stream.last.payloadText());
            assertTrue(subscriber.isClosedByBroker());
        }
        fixture.awaitCounter("net: stream errors", 1);
        assertGoodSubscriberServed();
    }

    @Test
    void aSegmentDeletedBeforeTheStreamReachesItIsAStreamError() throws Exception
    {
        final long deletedBase = 3L * NetFixture.SEGMENT_LENGTH;
        assertTrue(tail > deletedBase + NetFixture.SEGMENT_LENGTH);
        Files.delete(io.shmbus.client.log.SegmentDescriptor.file(fixture.dataDir.resolve("orders"), deletedBase));
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            assertTrue(subscriber.subscribe(KIND_EARLIEST, 0, tail, "orders", TOKEN).isOk());
            final RawSubscriber.Stream stream = subscriber.readStream(0, Long.MAX_VALUE);
            assertArrayEquals(fixture.segmentBytes("orders", 0, deletedBase), stream.bytes.toByteArray());
            assertEquals(5, stream.last.type(), "STREAM ERROR");
            assertEquals(RemoteProtocol.POSITION_UNAVAILABLE, stream.last.producerId());
            assertEquals(deletedBase, stream.last.position());
            assertTrue(subscriber.isClosedByBroker());
        }
        fixture.awaitCounter("net: stream errors", 1);
    }

    @Test
    void aSubscriberThatLagsPastRetentionGetsAStreamError() throws Exception
    {
        fixture.close();
        fixture = new NetFixture("[topic kept]\nretention.bytes = 256k\n", ctx -> { });
        final Producer producer = fixture.bus.addProducer("kept");
        try (RawSubscriber lagging = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS, 4096))
        {
            final RawSubscriber.Response response = lagging.subscribe(KIND_EARLIEST, 0, -1, "kept", null);
            assertTrue(response.isOk(), response.toString());
            long published = 0;
            for (int batch = 0; batch < 100 && fixture.counter("topic kept: segments deleted by retention") < 100;
                batch++)
            {
                published = fixture.publish(producer, batch * 1000, 1000); // it does not read meanwhile
            }
            fixture.awaitArchived("kept", published);
            assertTrue(fixture.counter("topic kept: segments deleted by retention") >= 100,
                "retention deleted segments far past what the subscriber's socket can hold: " + published);

            final RawSubscriber.Stream stream = lagging.readStream(0, Long.MAX_VALUE);
            assertNotNull(stream.last, "the stream stops");
            assertEquals(5, stream.last.type(), "STREAM ERROR");
            assertEquals(RemoteProtocol.POSITION_UNAVAILABLE, stream.last.producerId(), stream.last.payloadText());
            assertEquals(0, stream.last.position() % NetFixture.SEGMENT_LENGTH, "at the start of a deleted segment");
            assertEquals(stream.last.position(), stream.bytes.size(), "every frame before it, contiguous");
            assertTrue(lagging.isClosedByBroker());
        }
        fixture.awaitCounter("net: stream errors", 1);
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception
    {
        fixture.close();
        fixture = new NetFixture(ctx -> ctx.netMaxConnections(3));
        final Producer producer = fixture.bus.addProducer("orders");
        tail = fixture.publish(producer, 0, 100);
        fixture.awaitArchived("orders", tail);
        final RawSubscriber[] held = new RawSubscriber[3];
        try
        {
            for (int i = 0; i < held.length; i++)
            {
                held[i] = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS);
            }
            fixture.awaitCounter("net: connections open", 3);
            try (RawSubscriber refused = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
            {
                refused.sendQuietly(request(KIND_EARLIEST, 0, -1, "orders", null));
                final RawSubscriber.Response response = refused.readResponse();
                assertEquals(RemoteProtocol.TOO_MANY_CONNECTIONS, response.errorCode(), response.toString());
                assertTrue(refused.isClosedByBroker());
            }
            assertEquals(1, fixture.counter("net: connections refused (limit)"));
            assertEquals(0, fixture.counter("net: handshake errors"), "a refusal is counted once, as a refusal");
            // the held connections still work
            final RawSubscriber.Response ok = held[0].subscribe(KIND_EARLIEST, 0, tail, "orders", null);
            assertTrue(ok.isOk(), ok.toString());
            assertEquals(4, held[0].readStream(0, Long.MAX_VALUE).last.type());
        }
        finally
        {
            for (final RawSubscriber subscriber : held)
            {
                if (null != subscriber)
                {
                    subscriber.close();
                }
            }
        }
        fixture.awaitCounter("net: connections accepted", 4);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.counter("net: connections open") != 0)
        {
            assertTrue(System.nanoTime() < deadline, "closed connections are freed");
            NetFixture.sleep(2);
        }
        try (RawSubscriber again = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            assertTrue(again.subscribe(KIND_EARLIEST, 0, tail, "orders", null).isOk(), "room again");
        }
    }

    @Test
    void fuzzedRequestsNeverHurtTheBroker() throws Exception
    {
        final Random random = new Random(20261126L);
        final byte[] valid = request(KIND_EARLIEST, 0, -1, "orders", TOKEN);
        int ok = 0;
        for (int i = 0; i < 300; i++)
        {
            final byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.nextInt(120)];
                random.nextBytes(input);
            }
            else
            {
                input = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--)
                {
                    input[random.nextInt(i % 3 == 1 ? 40 : input.length)] = (byte)random.nextInt(256);
                }
            }
            try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
            {
                subscriber.sendQuietly(input);
                subscriber.shutdownOutput();
                final RawSubscriber.Response response = subscriber.readResponse();
                if (response.isOk())
                {
                    ok++; // a harmless mutation (e.g. in the end position's sign bits it did not touch)
                }
                else
                {
                    assertTrue(response.errorCode() >= 1 && response.errorCode() <= 9, "case " + i + ": " + response);
                    assertFalse(response.message().isEmpty(), "case " + i + " says why");
                    assertTrue(subscriber.isClosedByBroker(), "case " + i + ": closed after ERROR");
                }
            }
        }
        fixture.awaitCounter("net: handshake errors", 300 - ok);
        assertGoodSubscriberServed();
        assertEquals(0, fixture.counter("broker: errors"), fixture.brokerLog.toString());
    }

    private void assertGoodSubscriberServed() throws IOException
    {
        try (RawSubscriber good = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = good.subscribe(KIND_EARLIEST, 0, tail, "orders", TOKEN);
            assertTrue(response.isOk(), response.toString());
            final RawSubscriber.Stream stream = good.readStream(0, Long.MAX_VALUE);
            assertArrayEquals(fixture.segmentBytes("orders", 0, tail), stream.bytes.toByteArray());
            assertEquals(4, stream.last.type(), "END");
        }
    }

    private void expectError(final byte[] input, final int errorCode, final String messagePart) throws IOException
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.sendQuietly(input);
            subscriber.shutdownOutput(); // a truncated request must not wait for the handshake timeout
            final RawSubscriber.Response response = subscriber.readResponse();
            assertEquals(2, response.type(), response.toString());
            assertEquals(errorCode, response.errorCode(), response.toString());
            assertTrue(response.message().contains(messagePart), response.message() + " should mention " + messagePart);
            assertEquals(0, response.startPosition());
            assertTrue(subscriber.isClosedByBroker(), "closed after " + response);
        }
    }

    private static byte[] with(final byte[] request, final java.util.function.Consumer<ByteBuffer> change)
    {
        change.accept(ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN));
        return request;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
