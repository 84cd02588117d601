package io.shmbus.broker.net;

import io.shmbus.client.Producer;
import io.shmbus.client.remote.RemoteProtocol;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Property-based tests of the broker's answer to a SUBSCRIBE request: every field at and past its edges (magic,
 * version, type, lengths, reserved bytes, start kinds, topic names at and past the limits, positions negative,
 * huge, unaligned or inside a frame, ends before the start, tokens), requests cut short and bytes after the
 * request. For each, an oracle written from docs/protocol.md alone (its order of checks, its end rule, its
 * violation rule) says what the one answer must be, and the test checks the broker gives exactly that and nothing
 * more: the ERROR and the close, or OK and the exact stream (END, a HEARTBEAT when it waits for the archive, or a
 * STREAM ERROR). After each property no connection or subscription is left open, the broker counted no error of
 * its own and still serves a good subscriber. A failure shrinks to a minimal request, printed with its bytes.
 * <p>
 * One broker for all tries: topic {@code fixed} holds 100 frames of 64 bytes (positions 0 to 6400), so the frame
 * boundaries are the multiples of 64; {@code scratch} exists but is not persistent.
 */
class NetRequestPropertiesTest
{
    private static final String TOKEN = "s3cret";
    private static final String TOPIC = "fixed";
    private static final int FRAMES = 100;
    private static final long ARCHIVED = FRAMES * 64L;
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    private static NetFixture fixture;
    private static byte[] archive;
    private static long[] timestamps;
    private static int maxFrameLength;

    @BeforeContainer
    static void startBroker() throws Exception
    {
        fixture = new NetFixture(ctx -> ctx.netAuthToken(TOKEN).netMaxConnections(64)
            .netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)));
        final Producer producer = fixture.bus.addProducer(TOPIC);
        fixture.bus.addProducer("scratch");
        maxFrameLength = producer.maxMessageLength() + 32;
        assertEquals(ARCHIVED, fixture.publishFixed(producer, FRAMES));
        fixture.awaitArchived(TOPIC, ARCHIVED);
        archive = fixture.segmentBytes(TOPIC, 0, ARCHIVED);
        timestamps = new long[FRAMES];
        final ByteBuffer frames = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < FRAMES; i++)
        {
            timestamps[i] = frames.getLong(i * 64 + 16);
        }
    }

    @AfterContainer
    static void stopBroker() throws Exception
    {
        fixture.close();
    }

    /** Every request gets exactly the one answer docs/protocol.md gives for it, then the stream it promises. */
    @Property(tries = 4000, shrinking = ShrinkingMode.FULL)
    void everyRequestGetsTheDocumentedAnswerAndNothingElse(@ForAll("requests") final Request request)
        throws IOException
    {
        check(request, 0);
    }

    /**
     * The same answers when a request arrives in pieces (the broker reads it incrementally and checks each part as
     * soon as it is in). Bytes after the request are left out here: sent in a later piece, they may arrive after
     * the broker sent frames, which the first property pins down exactly.
     */
    @Property(tries = 1000, shrinking = ShrinkingMode.FULL)
    void aRequestInPiecesGetsTheSameAnswer(
        @ForAll("requests") final Request request, @ForAll @IntRange(min = 1, max = 48) final int pieceLength)
        throws IOException
    {
        request.extra = 0;
        check(request, pieceLength);
    }

    private static void check(final Request request, final int pieceLength) throws IOException
    {
        final Expected expected = Expected.of(request);
        Statistics.label("answer").collect(expected.describe());
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final byte[] bytes = request.bytes();
            for (int at = 0; at < bytes.length; at += pieceLength > 0 ? pieceLength : bytes.length)
            {
                subscriber.sendQuietly(Arrays.copyOfRange(bytes, at,
                    pieceLength > 0 ? Math.min(bytes.length, at + pieceLength) : bytes.length));
            }
            if (request.isCut())
            {
                try
                {
                    subscriber.shutdownOutput(); // a request cut short: the broker must not wait for the rest
                }
                catch (final IOException ignore)
                {
                    // the broker refused it already
                }
            }
            final RawSubscriber.Response response = subscriber.readResponse();
            if (0 != expected.errorCode)
            {
                assertEquals(2, response.type(), () -> "an ERROR: " + response);
                assertEquals(expected.errorCode, response.errorCode(), () -> "the first failing check's code, " +
                    RemoteProtocol.errorCodeName(expected.errorCode) + ": " + response);
                assertFalse(response.message().isEmpty(), "says why");
                assertTrue(response.message().getBytes(StandardCharsets.UTF_8).length <= 480, response.message());
                assertEquals(0, response.startPosition());
                assertEquals(0, response.maxFrameLength());
                assertTrue(subscriber.isClosedByBroker(), "nothing after the ERROR but the close");
                return;
            }
            assertTrue(response.isOk(), () -> "OK: " + response);
            assertEquals(expected.start, response.startPosition());
            assertEquals(maxFrameLength, response.maxFrameLength());
            if (expected.violation > 0)
            {
                final RawSubscriber.Frame stop = subscriber.readFrame();
                assertEquals(5, stop.type(), () -> "a STREAM ERROR before any frame: " + stop);
                assertEquals(RemoteProtocol.PROTOCOL_VIOLATION, stop.producerId());
                assertEquals(expected.start, stop.position());
                assertTrue(stop.payloadText().contains("sent " + expected.violation + " byte(s) after its request"),
                    stop.payloadText());
                assertTrue(subscriber.isClosedByBroker(), "nothing after the STREAM ERROR but the close");
                return;
            }
            final long until = expected.stop >= 0 ? expected.stop : ARCHIVED;
            final RawSubscriber.Stream stream = subscriber.readStream(expected.start, until);
            assertNull(stream.last, () -> "no END or STREAM ERROR before " + until + ": " + stream.last);
            assertArrayEquals(Arrays.copyOfRange(archive, (int)expected.start, (int)until), stream.bytes.toByteArray(),
                "the frames as stored");
            final RawSubscriber.Frame next = subscriber.readFrame();
            if (expected.stop >= 0)
            {
                assertEquals(4, next.type(), () -> "END: " + next);
                assertEquals(expected.stop, next.position());
                assertTrue(subscriber.isClosedByBroker(), "nothing after END but the close");
            }
            else
            {
                assertEquals(3, next.type(), () -> "a HEARTBEAT while it waits for the archive: " + next);
                assertEquals(ARCHIVED, next.position());
            }
        }
    }

    @AfterProperty
    void noConnectionIsLeftAndTheBrokerStillServes() throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.counter("net: connections open") != 0 || fixture.counter("net: subscriptions active") != 0)
        {
            assertTrue(System.nanoTime() < deadline, "every connection is freed within 10 s: " +
                fixture.counter("net: connections open") + " open, " +
                fixture.counter("net: subscriptions active") + " subscriptions active");
            NetFixture.sleep(2);
        }
        assertEquals(0, fixture.counter("broker: errors"), fixture.brokerLog.toString());
        try (RawSubscriber good = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            assertTrue(good.subscribe(RawSubscriber.KIND_EARLIEST, 0, ARCHIVED, TOPIC, TOKEN).isOk());
            assertEquals(FRAMES, good.readStream(0, Long.MAX_VALUE).frames);
        }
    }

    @Provide
    Arbitrary<Request> requests()
    {
        return Builders.withBuilder(Request::new)
            .use(usually(Arbitraries.just(RemoteProtocol.MAGIC),
                Arbitraries.of(0, 0x20544547 /* "GET " */, 0x424D4854, 0x53484D42 /* byte-swapped */)))
            .inSetter((r, v) -> r.magic = v)
            .use(usually(Arbitraries.just(1), Arbitraries.of(0, 2, 3, 0xFFFF))).inSetter((r, v) -> r.version = v)
            .use(usually(Arbitraries.just(1), Arbitraries.of(0, 2, 0xFFFF))).inSetter((r, v) -> r.type = v)
            .use(starts()).inSetter((r, v) ->
            {
                r.kind = (int)v[0];
                r.startValue = v[1];
            })
            .use(usually(Arbitraries.just(0), Arbitraries.of(1, 0x80, 0xFF))).inSetter((r, v) -> r.reserved1 = v)
            .use(usually(Arbitraries.just(-1), Arbitraries.integers().between(0, 5)))
            .inSetter((r, v) -> r.reserved2Index = v)
            .use(topics()).inSetter((r, v) -> r.topic = v)
            .use(tokens()).inSetter((r, v) -> r.token = v)
            .use(usually(Arbitraries.just(0), Arbitraries.of(-1, 1, -40, 5000, Integer.MIN_VALUE, Integer.MAX_VALUE)))
            .inSetter((r, v) -> r.lengthDelta = v)
            .use(ends()).inSetter((r, v) -> r.end = v)
            .use(usually(Arbitraries.just(-1), Arbitraries.integers().between(0, 1400)))
            .inSetter((r, v) -> r.truncateAt = v)
            .use(usually(Arbitraries.just(0), Arbitraries.integers().between(1, 600))).inSetter((r, v) -> r.extra = v)
            .build();
    }

    /** The common value most of the time, so that later checks are reached; an edge value otherwise. */
    private static <T> Arbitrary<T> usually(final Arbitrary<T> common, final Arbitrary<T> edge)
    {
        return Arbitraries.frequencyOf(Tuple.of(20, common), Tuple.of(1, edge));
    }

    private static Arbitrary<String> topics()
    {
        final Arbitrary<String> names = Arbitraries.strings().withChars("abz09._-").ofMinLength(1).ofMaxLength(130);
        return Arbitraries.frequencyOf(
            Tuple.of(20, Arbitraries.just(TOPIC)),
            Tuple.of(1, Arbitraries.of("scratch", "nosuch", "t".repeat(128), "t".repeat(129),
                "t".repeat(200), "a..b", "..", "a/b", "nul\u0000", "caf\u00e9", "")),
            Tuple.of(1, names));
    }

    private static Arbitrary<String> tokens()
    {
        return usually(Arbitraries.just(TOKEN),
            Arbitraries.of("", "wrong!", "s3cre", "s3cret\u0000", "x".repeat(1024), "x".repeat(1025)));
    }

    /** A start kind with a start value for it, usually one that passes the header's checks. */
    private static Arbitrary<long[]> starts()
    {
        final Arbitrary<Long> positions = Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(0, FRAMES).map(i -> i * 64)), // frame starts, the archived one
            Tuple.of(1, Arbitraries.longs().between(0, ARCHIVED + 128)),
            Tuple.of(1, Arbitraries.of(-1L, -64L, ARCHIVED + 64, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE)));
        final Arbitrary<Long> times = Arbitraries.oneOf(
            Arbitraries.integers().between(0, FRAMES - 1).map(i -> timestamps[i]),
            Arbitraries.integers().between(0, FRAMES - 1).map(i -> timestamps[i] + 1),
            Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
        final Arbitrary<Long> zero = usually(Arbitraries.just(0L), Arbitraries.of(1L, -1L, 64L, Long.MIN_VALUE));
        return usually(Arbitraries.integers().between(0, 3), Arbitraries.of(4, 0xFF)).flatMap(kind ->
        {
            switch (kind)
            {
                case 0:
                case 1: return zero.map(v -> new long[] {kind, v});
                case 2: return positions.map(v -> new long[] {2, v});
                case 3: return times.map(v -> new long[] {3, v});
                default: return Arbitraries.just(new long[] {kind, 0});
            }
        });
    }

    private static Arbitrary<Long> ends()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just(RemoteProtocol.END_LIVE)),
            Tuple.of(4, Arbitraries.longs().between(-4, ARCHIVED / 32 + 8).map(i -> i * 32)), // also inside frames
            Tuple.of(1, Arbitraries.longs().between(-64, ARCHIVED + 256)),
            Tuple.of(1, Arbitraries.of(-2L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 31, 1L << 40)));
    }

    /** One request as generated: its fields, possibly wrong, and how it is sent. */
    static final class Request
    {
        int magic;
        int version;
        int type;
        int kind;
        int reserved1;
        int reserved2Index;
        String topic;
        String token;
        int lengthDelta;
        long startValue;
        long end;
        int truncateAt;
        int extra;

        byte[] topicBytes()
        {
            return topic.getBytes(StandardCharsets.UTF_8);
        }

        byte[] tokenBytes()
        {
            return token.getBytes(StandardCharsets.UTF_8);
        }

        int wholeLength()
        {
            return 40 + topicBytes().length + tokenBytes().length;
        }

        int requestLengthField()
        {
            return wholeLength() + lengthDelta;
        }

        /** Exactly what the test sends: the request, cut or followed by bytes as generated. */
        byte[] bytes()
        {
            final byte[] name = topicBytes();
            final byte[] secret = tokenBytes();
            final ByteBuffer b = ByteBuffer.allocate(wholeLength() + extra).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(magic).putShort((short)version).putShort((short)type).putInt(requestLengthField());
            b.put((byte)kind).put((byte)reserved1).putShort((short)name.length);
            b.putLong(startValue).putLong(end);
            b.putShort((short)secret.length);
            for (int i = 0; i < 6; i++)
            {
                b.put((byte)(i == reserved2Index ? 0x01 : 0));
            }
            b.put(name).put(secret);
            for (int i = 0; i < extra; i++)
            {
                b.put((byte)('a' + i % 26));
            }
            final byte[] all = b.array();
            return isCut() ? Arrays.copyOf(all, truncateAt) : all;
        }

        /** Cut short (then the sending side is shut down); a cut at or past the whole length is no cut. */
        boolean isCut()
        {
            return truncateAt >= 0 && truncateAt < wholeLength();
        }

        public String toString()
        {
            final byte[] sent = bytes();
            return "Request{magic=0x" + Integer.toHexString(magic) + ", version=" + version + ", type=" + type +
                ", kind=" + kind + ", reserved1=" + reserved1 + ", reserved2Index=" + reserved2Index + ", topic='" +
                topic + "' (" + topicBytes().length + " bytes), token='" + token + "' (" + tokenBytes().length +
                " bytes), requestLength=" + requestLengthField() + ", startValue=" + startValue + ", end=" + end +
                ", truncateAt=" + truncateAt + ", extra=" + extra + ", " + sent.length + " bytes sent: " +
                HEX.formatHex(sent, 0, Math.min(sent.length, 64)) + (sent.length > 64 ? " ..." : "") + "}";
        }
    }

    /**
     * What docs/protocol.md says the answer to a request is: an error code (the first check that fails, in the
     * document's order), or OK with the start position and then a STREAM ERROR for bytes after the request, END
     * at {@code stop}, or (stop -1) the archive followed by a HEARTBEAT.
     */
    record Expected(int errorCode, long start, long stop, int violation)
    {
        static Expected error(final int code)
        {
            return new Expected(code, 0, 0, 0);
        }

        String describe()
        {
            return 0 != errorCode ? "ERROR " + RemoteProtocol.errorCodeName(errorCode) : violation > 0 ?
                "OK, STREAM ERROR PROTOCOL_VIOLATION" : stop >= 0 ? "OK, frames, END" : "OK, frames, HEARTBEAT";
        }

        static Expected of(final Request r)
        {
            final int sent = r.isCut() ? r.truncateAt : r.wholeLength();
            final int malformed = RemoteProtocol.MALFORMED_REQUEST;
            if (sent < 4 || r.magic != RemoteProtocol.MAGIC)
            {
                return error(malformed); // closed within the magic, or not the magic
            }
            if (sent < 8)
            {
                return error(malformed);
            }
            // version 2 reads byte 13 as flags (1 needs a consumer name, which these requests never have) and
            // bytes 34-35 as the name length (one set byte makes it 1 or 256: a wrong request length or over 64),
            // so every request generated here gets the same answer in both versions
            if (r.version != 1 && r.version != 2)
            {
                return error(RemoteProtocol.UNSUPPORTED_VERSION);
            }
            final int topicLength = r.topicBytes().length;
            final int tokenLength = r.tokenBytes().length;
            if (r.type != 1 || sent < 40 || topicLength < 1 || topicLength > 128 || tokenLength > 1024 ||
                r.requestLengthField() != 40 + topicLength + tokenLength || r.reserved1 != 0 ||
                r.reserved2Index >= 0 || r.kind > 3 || (r.kind <= 1 && r.startValue != 0) ||
                sent < r.requestLengthField())
            {
                return error(malformed);
            }
            if (!r.token.equals(TOKEN))
            {
                return error(RemoteProtocol.AUTHENTICATION_FAILED);
            }
            if (!isTopicName(r.topicBytes()))
            {
                return error(malformed);
            }
            if (!r.topic.equals(TOPIC))
            {
                return error(RemoteProtocol.UNKNOWN_TOPIC);
            }
            final long start;
            switch (r.kind)
            {
                case 0 -> start = 0;
                case 1 -> start = ARCHIVED;
                case 2 ->
                {
                    if (r.startValue < 0 || r.startValue > ARCHIVED)
                    {
                        return error(RemoteProtocol.POSITION_UNAVAILABLE);
                    }
                    if (r.startValue % 64 != 0)
                    {
                        return error(RemoteProtocol.NOT_FRAME_BOUNDARY);
                    }
                    start = r.startValue;
                }
                default -> start = firstStampedAtOrAfter(r.startValue);
            }
            long stop = -1;
            if (RemoteProtocol.END_LIVE != r.end)
            {
                if (r.end <= start)
                {
                    return error(RemoteProtocol.POSITION_UNAVAILABLE);
                }
                if (r.end % 32 != 0)
                {
                    return error(RemoteProtocol.NOT_FRAME_BOUNDARY);
                }
                if (r.end <= ARCHIVED)
                {
                    stop = r.end - r.end % 64; // the last frame start at or before the end
                }
            }
            return new Expected(0, start, stop, r.isCut() ? 0 : r.extra);
        }

        private static boolean isTopicName(final byte[] name)
        {
            for (final byte c : name)
            {
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-'))
                {
                    return false;
                }
            }
            return !new String(name, StandardCharsets.US_ASCII).contains("..");
        }

        private static long firstStampedAtOrAfter(final long time)
        {
            for (int i = 0; i < FRAMES; i++)
            {
                if (timestamps[i] >= time)
                {
                    return i * 64L;
                }
            }
            return ARCHIVED;
        }
    }
}
