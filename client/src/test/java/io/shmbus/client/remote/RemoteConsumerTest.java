package io.shmbus.client.remote;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A {@link RemoteConsumer} against a fake broker written from docs/protocol.md, over real loopback sockets.
 */
@Timeout(60)
class RemoteConsumerTest
{
    private static final int MAX_FRAME = 1024 * 1024 + 32;

    private final FakeBroker broker = new FakeBroker();
    private final List<Throwable> errors = new ArrayList<>();
    private final Received received = new Received();
    private RemoteConsumer consumer;

    @AfterEach
    void tearDown() throws IOException
    {
        if (null != consumer)
        {
            consumer.close();
        }
        broker.close();
    }

    private RemoteConsumer.Context context()
    {
        return new RemoteConsumer.Context().host("127.0.0.1").port(broker.port()).topic("orders")
            .start(StartPosition.EARLIEST).reconnectBackoffMs(10).reconnectBackoffMaxMs(20).errorHandler(errors::add);
    }

    private void pollUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.currentTimeMillis() + FakeBroker.DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.currentTimeMillis() < deadline, "not within " + FakeBroker.DEADLINE_MS + " ms: " +
                what + "; consumer " + consumer + ", received " + received.payloads + ", errors " + errors);
            consumer.poll(received, 10);
        }
    }

    private static byte[] hex(final String text)
    {
        final String[] parts = text.trim().split("\\s+");
        final byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    @Test
    void speaksTheExampleOfTheProtocolByteForByte() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        assertEquals(RemoteConsumer.State.CONNECTING, consumer.state());
        final FakeBroker.Session session = broker.accept(consumer, received);
        assertArrayEquals(hex(
            "53 48 4d 42  01 00  01 00  2e 00 00 00  00  00  06 00 " +
            "00 00 00 00 00 00 00 00   ff ff ff ff ff ff ff ff " +
            "00 00  00 00 00 00 00 00   6f 72 64 65 72 73"), session.request);

        session.send(hex(
            "53 48 4d 42  01 00  01 00  20 00 00 00  00 00 00 00 " +
            "00 00 00 00 00 00 00 00   20 00 10 00  00 00 00 00"));
        session.send(new StreamBuilder(0).data("first order").toBytes());
        pollUntil(() -> received.payloads.size() == 1, "the first message");
        assertEquals(List.of("first order"), received.payloads);
        assertEquals(List.of(0L), received.positions);
        assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
        assertEquals(64, consumer.position());
        assertEquals(List.of(), errors);
    }

    @Test
    void encodesEveryStartKindEndAndToken() throws IOException
    {
        final long time = 1_790_000_000_123_456_789L;
        final Object[][] cases = {
            {StartPosition.LATEST, RemoteProtocol.START_LATEST, 0L},
            {StartPosition.at(4096), RemoteProtocol.START_POSITION, 4096L},
            {StartPosition.atTime(time), RemoteProtocol.START_TIME, time},
        };
        for (final Object[] c : cases)
        {
            consumer = RemoteConsumer.subscribe(context().start((StartPosition)c[0]).endPosition(8192)
                .token("s3cret-τ"));
            final FakeBroker.Session session = broker.accept(consumer, received);
            final ByteBuffer request = session.request();
            final byte[] token = "s3cret-τ".getBytes(StandardCharsets.UTF_8);
            assertEquals(40 + 6 + token.length, request.getInt(SubscribeRequestDescriptor.REQUEST_LENGTH_OFFSET));
            assertEquals((byte)c[1], session.startKind(), c[0].toString());
            assertEquals((long)c[2], session.startValue(), c[0].toString());
            assertEquals(8192, session.endPosition());
            assertEquals(token.length, request.getShort(SubscribeRequestDescriptor.TOKEN_LENGTH_OFFSET));
            assertEquals("orders" + "s3cret-τ", new String(session.request, 40, 6 + token.length,
                StandardCharsets.UTF_8));
            session.close();
            consumer.close();
            assertEquals(RemoteConsumer.State.CLOSED, consumer.state());
            consumer.close();
        }
    }

    @Test
    void deliversDataSkipsPaddingAndHeartbeatsEvenOneByteAtATime() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        final FakeBroker.Session session = broker.accept(consumer, received);
        session.channel.socket().setTcpNoDelay(true);
        session.send(StreamBuilder.ok(1024, MAX_FRAME));
        final byte[] stream = new StreamBuilder(1024).data("a").pad(64).heartbeat().data("b".repeat(100))
            .heartbeat().pad(32).data("c").toBytes();
        for (final byte b : stream)
        {
            session.send(new byte[]{b});
            consumer.poll(received, 10);
        }
        pollUntil(() -> received.payloads.size() == 3, "three messages");
        assertEquals(List.of("a", "b".repeat(100), "c"), received.payloads);
        assertEquals(List.of(1024L, 1024L + 64 + 64, 1024L + 64 + 64 + 160 + 32), received.positions);
        assertEquals(1024 + 64 + 64 + 160 + 32 + 64, consumer.position());
        assertEquals(List.of(), errors);
    }

    @Test
    void skipsAFrameOfATypeItDoesNotKnowInsteadOfReconnecting() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        final FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("a")
            .frame(48, (short)9, (byte)0, 64, 0, 0, "a later broker's frame".getBytes(StandardCharsets.US_ASCII))
            .toBytes()).send(new StreamBuilder(64).data("b").toBytes());
        pollUntil(() -> received.payloads.size() == 2, "both messages");
        assertEquals(List.of("a", "b"), received.payloads);
        assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
        assertEquals(List.of(), errors, "no reconnect");
    }

    @Test
    void aBoundedReplayWhoseEndFallsInsideAFrameEndsAtTheFrameBefore() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context().endPosition(96));
        final FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("x").end().toBytes());
        pollUntil(consumer::isEnded, "the end of the replay");
        assertEquals(List.of("x"), received.payloads);
        assertEquals(64, consumer.position(), "the END's position, before the end asked for");
        assertEquals(List.of(), errors);
    }

    @Test
    void endsABoundedReplayCleanly() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context().endPosition(128));
        final FakeBroker.Session session = broker.accept(consumer, received);
        assertEquals(128, session.endPosition());
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("x").data("y").end().toBytes());
        pollUntil(consumer::isEnded, "the end of the replay");
        assertEquals(List.of("x", "y"), received.payloads);
        assertEquals(0, consumer.poll(received, 10));
        assertEquals(128, consumer.position());
        assertTrue(session.isClosedByPeer(), "the consumer closes its socket at the end");
        assertEquals(List.of(), errors);
    }

    @Test
    void aBoundedReplayThatLostOnlyItsEndFrameHasEnded() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context().endPosition(128));
        final FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("x").data("y").toBytes());
        pollUntil(() -> received.payloads.size() == 2, "both messages");
        session.close();
        pollUntil(consumer::isEnded, "the end, without reconnecting");
        assertEquals(List.of(), errors);
    }

    @Test
    void refusalsThatANewConnectionCannotMendAreThrownWithTheBrokersMessage() throws IOException
    {
        final Object[][] cases = {
            {RemoteProtocol.MALFORMED_REQUEST, RemoteSubscriptionException.class},
            {RemoteProtocol.UNSUPPORTED_VERSION, UnsupportedVersionException.class},
            {RemoteProtocol.UNKNOWN_TOPIC, UnknownTopicException.class},
            {RemoteProtocol.POSITION_UNAVAILABLE, PositionUnavailableException.class},
            {RemoteProtocol.NOT_FRAME_BOUNDARY, PositionUnavailableException.class},
            {RemoteProtocol.AUTHENTICATION_FAILED, AuthenticationFailedException.class},
            {RemoteProtocol.STORAGE_ERROR, RemoteSubscriptionException.class},
            {99, RemoteSubscriptionException.class},
        };
        for (final Object[] c : cases)
        {
            final int code = (int)c[0];
            consumer = RemoteConsumer.subscribe(context());
            final FakeBroker.Session session = broker.accept(consumer, received);
            session.send(StreamBuilder.error(code, "the broker says no: " + code)).close();
            final ShmbusException thrown = assertThrows(ShmbusException.class, this::pollUntilThrows);
            assertEquals(c[1], thrown.getClass(), "code " + code);
            assertTrue(thrown.getMessage().contains("the broker says no: " + code), thrown.getMessage());
            assertTrue(thrown.getMessage().contains(RemoteProtocol.errorCodeName(code)), thrown.getMessage());
            if (thrown instanceof RemoteSubscriptionException)
            {
                assertEquals(code, ((RemoteSubscriptionException)thrown).errorCode());
            }
            assertEquals(RemoteConsumer.State.FAILED, consumer.state());
            assertSame(thrown, assertThrows(ShmbusException.class, () -> consumer.poll(received, 10)),
                "a failed consumer keeps throwing its failure");
            assertEquals(List.of(), errors, "code " + code);
            consumer.close();
        }
    }

    private void pollUntilThrows()
    {
        pollUntil(() -> false, "an exception from poll");
    }

    @Test
    void busyOrLateRefusalsAreReportedAndRetried() throws IOException
    {
        for (final int code : new int[]{RemoteProtocol.TOO_MANY_CONNECTIONS, RemoteProtocol.HANDSHAKE_TIMEOUT,
            RemoteProtocol.PROTOCOL_VIOLATION})
        {
            errors.clear();
            received.payloads.clear();
            consumer = RemoteConsumer.subscribe(context());
            broker.accept(consumer, received).send(StreamBuilder.error(code, "busy " + code)).close();
            final FakeBroker.Session retry = broker.accept(consumer, received);
            assertEquals(1, errors.size(), errors.toString());
            final RemoteSubscriptionException reported = (RemoteSubscriptionException)errors.get(0);
            assertEquals(code, reported.errorCode());
            assertTrue(reported.getMessage().contains("busy " + code), reported.getMessage());
            assertEquals(RemoteProtocol.START_EARLIEST, retry.startKind(), "never subscribed: the same start");
            retry.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("in").toBytes());
            pollUntil(() -> received.payloads.size() == 1, "a message after the retry");
            consumer.close();
        }
    }

    @Test
    void streamErrorsReconnectOrFailByCode() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("one")
            .streamError(RemoteProtocol.PROTOCOL_VIOLATION, "you sent bytes").toBytes());
        session = broker.accept(consumer, received);
        assertEquals(RemoteProtocol.START_POSITION, session.startKind());
        assertEquals(64, session.startValue());
        assertEquals(RemoteConsumer.State.RECONNECTING, consumer.state());
        assertEquals(RemoteProtocol.PROTOCOL_VIOLATION, ((RemoteSubscriptionException)errors.get(0)).errorCode());

        session.send(StreamBuilder.ok(64, MAX_FRAME)).send(new StreamBuilder(64).data("two")
            .streamError(RemoteProtocol.POSITION_UNAVAILABLE, "segment deleted by retention").toBytes());
        final PositionUnavailableException thrown = assertThrows(PositionUnavailableException.class,
            this::pollUntilThrows);
        assertTrue(thrown.getMessage().contains("segment deleted by retention"), thrown.getMessage());
        assertEquals(List.of("one", "two"), received.payloads);
        assertEquals(128, consumer.position());
    }

    @Test
    void resumesAfterADropWithNoGapAndNoDuplicate() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context().start(StartPosition.LATEST));
        FakeBroker.Session session = broker.accept(consumer, received);
        assertEquals(RemoteProtocol.START_LATEST, session.startKind());
        final StreamBuilder stream = new StreamBuilder(2048);
        for (int i = 0; i < 5; i++)
        {
            stream.data("m" + i);
        }
        final byte[] first = stream.toBytes();
        final long resumeAt = stream.position();
        final StreamBuilder rest = new StreamBuilder(resumeAt);
        for (int i = 5; i < 10; i++)
        {
            rest.data("m" + i);
        }
        final byte[] second = rest.toBytes();
        // the connection breaks in the middle of message 5
        session.send(StreamBuilder.ok(2048, MAX_FRAME)).send(first).send(java.util.Arrays.copyOf(second, 40)).close();

        session = broker.accept(consumer, received);
        assertEquals(RemoteProtocol.START_POSITION, session.startKind());
        assertEquals(resumeAt, session.startValue());
        assertEquals(1, errors.size(), errors.toString());
        assertInstanceOf(ConnectionLostException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("closed the connection at position " + resumeAt),
            errors.get(0).getMessage());
        session.send(StreamBuilder.ok(resumeAt, MAX_FRAME)).send(second);
        pollUntil(() -> received.payloads.size() >= 10, "ten messages");
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            expected.add("m" + i);
        }
        assertEquals(expected, received.payloads);
        assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
    }

    @Test
    void silenceLongerThanTheLivenessTimeoutReconnectsButHeartbeatsKeepItAlive() throws Exception
    {
        consumer = RemoteConsumer.subscribe(context().livenessTimeoutMs(400));
        FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("a").toBytes());
        pollUntil(() -> received.payloads.size() == 1, "a message");
        final long keepAliveUntil = System.currentTimeMillis() + 1_000;
        long nextHeartbeat = 0;
        while (System.currentTimeMillis() < keepAliveUntil)
        {
            if (System.currentTimeMillis() >= nextHeartbeat)
            {
                session.send(new StreamBuilder(64).heartbeat().toBytes());
                nextHeartbeat = System.currentTimeMillis() + 50;
            }
            consumer.poll(received, 10);
            Thread.sleep(1);
        }
        assertEquals(List.of(), errors, "heartbeats every 50 ms keep a 400 ms liveness timeout happy");
        assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());

        session = broker.accept(consumer, received); // the old session stays open but silent
        assertInstanceOf(ConnectionLostException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("nothing received for 400 ms"), errors.get(0).getMessage());
        assertEquals(RemoteProtocol.START_POSITION, session.startKind());
        assertEquals(64, session.startValue());
    }

    @Test
    void garbageInTheStreamIsReportedAndTheConsumerResumesWhereItWas() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("good").toBytes())
            .send("GET / HTTP/1.1\r\nHost: nowhere\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        session = broker.accept(consumer, received);
        assertInstanceOf(RemoteProtocolException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("impossible frame at position 64"), errors.get(0).getMessage());
        assertEquals(64, session.startValue());

        session.send(StreamBuilder.ok(64, MAX_FRAME)).send(new StreamBuilder(64).data("next").toBytes());
        pollUntil(() -> received.payloads.size() == 2, "the next message");
        assertEquals(List.of("good", "next"), received.payloads);
    }

    @Test
    void aFrameAtTheWrongPositionIsReportedAndTheConsumerReconnects() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        FakeBroker.Session session = broker.accept(consumer, received);
        session.send(StreamBuilder.ok(0, MAX_FRAME)).send(new StreamBuilder(0).data("a").toBytes())
            .send(new StreamBuilder(96).data("skipped ahead").toBytes());
        session = broker.accept(consumer, received);
        assertTrue(errors.get(0).getMessage().contains("says position 96 where 64 was expected"),
            errors.get(0).getMessage());
        assertEquals(64, session.startValue());
        assertEquals(List.of("a"), received.payloads);
    }

    @Test
    void aDamagedMessageFailsTheConsumerWhenChecksumsAreVerified() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context().verifyChecksums(true));
        final byte[] stream = new StreamBuilder(0).data("intact".getBytes(StandardCharsets.UTF_8), true)
            .data("damaged".getBytes(StandardCharsets.UTF_8), true).toBytes();
        stream[64 + 33] ^= 0x10;
        broker.accept(consumer, received).send(StreamBuilder.ok(0, MAX_FRAME)).send(stream);
        final RemoteProtocolException thrown = assertThrows(RemoteProtocolException.class, this::pollUntilThrows);
        assertTrue(thrown.getMessage().contains("CRC32C mismatch in the frame at position 64"), thrown.getMessage());
        assertEquals(List.of("intact"), received.payloads);
        assertEquals(64, consumer.position());
    }

    @Test
    void aResponseThatIsNotShmbusIsAClearError() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context());
        broker.accept(consumer, received)
            .send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        final RemoteProtocolException thrown = assertThrows(RemoteProtocolException.class, this::pollUntilThrows);
        assertTrue(thrown.getMessage().contains("not a shmbus broker"), thrown.getMessage());

        consumer = RemoteConsumer.subscribe(context());
        final byte[] version3 = StreamBuilder.ok(0, MAX_FRAME);
        ByteBuffer.wrap(version3).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short)3);
        broker.accept(consumer, received).send(version3);
        final UnsupportedVersionException wrongVersion = assertThrows(UnsupportedVersionException.class,
            this::pollUntilThrows);
        assertTrue(wrongVersion.getMessage().contains("version 3"), wrongVersion.getMessage());

        consumer = RemoteConsumer.subscribe(context());
        broker.accept(consumer, received).send(StreamBuilder.ok(0, 7));
        assertThrows(RemoteProtocolException.class, this::pollUntilThrows);
    }

    @Test
    void aBrokerThatIsNotThereIsReportedAndRetried() throws IOException
    {
        final int port = broker.port();
        broker.close();
        consumer = RemoteConsumer.subscribe(context().port(port));
        pollUntil(() -> errors.size() >= 2, "two failed attempts");
        assertInstanceOf(ConnectionLostException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("cannot subscribe to topic 'orders' at 127.0.0.1:" + port),
            errors.get(0).getMessage());
        assertEquals(RemoteConsumer.State.CONNECTING, consumer.state());
    }

    @Test
    void aBrokerThatNeverAnswersTimesOut() throws IOException
    {
        consumer = RemoteConsumer.subscribe(context().connectTimeoutMs(200));
        final FakeBroker.Session silent = broker.accept(consumer, received);
        broker.accept(consumer, received);
        assertTrue(errors.get(0).getMessage().contains("no answer within the connect timeout of 200 ms"),
            errors.get(0).getMessage());
        silent.close();
    }

    @Test
    void rejectsBadSettings()
    {
        assertThrows(InvalidTopicNameException.class, () -> new RemoteConsumer.Context().topic("a/b").conclude());
        assertThrows(InvalidTopicNameException.class, () -> new RemoteConsumer.Context().conclude());
        assertThrows(InvalidTopicNameException.class,
            () -> new RemoteConsumer.Context().topic("t".repeat(129)).conclude());
        assertThrows(InvalidTopicNameException.class, () -> new RemoteConsumer.Context().topic("a..b").conclude(),
            "the broker would refuse it");
        new RemoteConsumer.Context().topic("t".repeat(128)).conclude();
        for (final String address : new String[]{"host", "host:", ":7440", "host:port", "host:0", "host:65536"})
        {
            assertThrows(ConfigurationException.class, () -> new RemoteConsumer.Context().address(address), address);
        }
        final RemoteConsumer.Context v6 = new RemoteConsumer.Context().address("[::1]:7441");
        assertEquals("::1", v6.host());
        assertEquals(7441, v6.port());
        assertThrows(ConfigurationException.class, () -> new RemoteConsumer.Context().topic("t")
            .start(StartPosition.at(128)).endPosition(128).conclude());
        assertThrows(ConfigurationException.class, () -> new RemoteConsumer.Context().topic("t").endPosition(100)
            .conclude());
        assertThrows(ConfigurationException.class, () -> new RemoteConsumer.Context().topic("t")
            .token("x".repeat(1025)).conclude());
        assertThrows(ConfigurationException.class, () -> new RemoteConsumer.Context().topic("t")
            .livenessTimeoutMs(0).conclude());
    }
}
