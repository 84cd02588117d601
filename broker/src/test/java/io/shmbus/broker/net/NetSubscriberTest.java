package io.shmbus.broker.net;

import io.shmbus.client.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A subscriber that speaks only docs/protocol.md receives, through the broker's network server, byte for byte
 * what the segment files hold: bounded replays end with END and a close; a live subscription follows the archive
 * across segment boundaries while a producer publishes.
 */
@Timeout(60)
class NetSubscriberTest
{
    private static final int READ_TIMEOUT_MS = 10_000;
    private NetFixture fixture;

    @BeforeEach
    void setUp() throws Exception
    {
        fixture = new NetFixture(ctx -> ctx.netHeartbeatIntervalNs(50_000_000L));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        fixture.close();
    }

    @Test
    void boundedReplayIsTheSegmentBytesThenEndAndClose() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("orders");
        final long tail = fixture.publish(producer, 0, 2_000);
        assertTrue(tail > 6 * NetFixture.SEGMENT_LENGTH, "spans several segments: " + tail);
        fixture.awaitArchived("orders", tail);
        assertTrue(fixture.brokerLog.toString().contains("serving network subscribers on 127.0.0.1:" +
            fixture.port()), fixture.brokerLog.toString());

        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_EARLIEST, 0, tail,
                "orders", null);
            assertTrue(response.isOk(), response.toString());
            assertEquals(0, response.startPosition());
            assertEquals(fixture.bus.addProducer("orders").maxMessageLength() + 32, response.maxFrameLength());
            final RawSubscriber.Stream stream = subscriber.readStream(0, Long.MAX_VALUE);
            assertArrayEquals(fixture.segmentBytes("orders", 0, tail), stream.bytes.toByteArray(),
                "the stream is the segment files, byte for byte");
            assertNotNull(stream.last, "ends with a control frame");
            assertEquals(4, stream.last.type(), "END");
            assertEquals(tail, stream.last.position());
            assertEquals(32, stream.last.length());
            assertTrue(subscriber.isClosedByBroker(), "the broker closes after END");
        }

        // from a frame boundary in the middle to another: exactly those bytes
        final List<Long> starts = fixture.frameStarts("orders", 0, tail);
        final long from = starts.get(starts.size() / 3);
        final long to = starts.get(2 * starts.size() / 3);
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_POSITION, from, to,
                "orders", null);
            assertTrue(response.isOk(), response.toString());
            assertEquals(from, response.startPosition());
            final RawSubscriber.Stream stream = subscriber.readStream(from, Long.MAX_VALUE);
            assertArrayEquals(fixture.segmentBytes("orders", from, to), stream.bytes.toByteArray());
            assertEquals(to, stream.last.position());
            assertTrue(subscriber.isClosedByBroker());
        }
        fixture.awaitCounter("net: subscriptions started", 2);
        assertTrue(fixture.counter("net: bytes sent") >= tail + (to - from), "bytes sent counted");
    }

    @Test
    void liveSubscriptionFollowsTheArchiveAcrossSegmentsWhileProducersPublish() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("orders");
        final long before = fixture.publish(producer, 0, 100);
        fixture.awaitArchived("orders", before);
        final AtomicLong tail = new AtomicLong(-1);
        final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_EARLIEST, 0, -1,
                "orders", null);
            assertTrue(response.isOk(), response.toString());
            final Thread publisher = new Thread(() ->
            {
                try
                {
                    long end = 0;
                    for (int batch = 0; batch < 20; batch++)
                    {
                        end = fixture.publish(producer, 100 + batch * 200, 200);
                        NetFixture.sleep(5);
                    }
                    tail.set(end);
                }
                catch (final Throwable t)
                {
                    producerFailure.set(t);
                }
            }, "test-producer");
            publisher.start();
            publisher.join(30_000);
            assertNull(producerFailure.get(), () -> "producer failed: " + producerFailure.get());
            assertTrue(tail.get() > 8 * NetFixture.SEGMENT_LENGTH, "spans many segments: " + tail.get());

            final RawSubscriber.Stream stream = subscriber.readStream(0, tail.get());
            assertNull(stream.last, () -> "no END or STREAM ERROR on a live subscription: " + stream.last);
            fixture.awaitArchived("orders", tail.get());
            assertArrayEquals(fixture.segmentBytes("orders", 0, tail.get()), stream.bytes.toByteArray(),
                "the live stream is the segment files, byte for byte");

            // caught up and idle: heartbeats carry the next position
            final RawSubscriber.Frame heartbeat = subscriber.readFrame();
            assertEquals(3, heartbeat.type(), "HEARTBEAT when idle");
            assertEquals(tail.get(), heartbeat.position());
            assertEquals(1, fixture.counter("net: subscriptions active"));
        }
        fixture.awaitCounter("net: connections accepted", 1);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (fixture.counter("net: connections open") != 0)
        {
            assertTrue(System.nanoTime() < deadline, "the broker frees a connection the subscriber closed");
            NetFixture.sleep(2);
        }
        assertEquals(0, fixture.counter("net: subscriptions active"));
    }

    @Test
    void boundedReplayBeyondTheArchiveStreamsUntilTheArchiveReachesItsEnd() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("fixed");
        final long archived = fixture.publishFixed(producer, 100);
        assertEquals(100 * 64, archived);
        fixture.awaitArchived("fixed", archived);
        final long end = archived + 64 * 1_500; // a frame boundary not written yet, two segments on
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS);
            RawSubscriber notBoundary = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            assertTrue(subscriber.subscribe(RawSubscriber.KIND_EARLIEST, 0, end, "fixed", null).isOk());
            assertTrue(notBoundary.subscribe(RawSubscriber.KIND_LATEST, 0, archived + 32, "fixed", null).isOk());
            final RawSubscriber.Stream before = subscriber.readStream(0, archived);
            assertNull(before.last, "no END before the archive reaches the end");

            fixture.publishFixed(producer, 2_000);
            final RawSubscriber.Stream rest = subscriber.readStream(archived, Long.MAX_VALUE);
            assertEquals(4, rest.last.type(), "END once the archive reached the end");
            assertEquals(end, rest.last.position());
            final byte[] received = new byte[(int)end];
            System.arraycopy(before.bytes.toByteArray(), 0, received, 0, (int)archived);
            System.arraycopy(rest.bytes.toByteArray(), 0, received, (int)archived, (int)(end - archived));
            assertArrayEquals(fixture.segmentBytes("fixed", 0, end), received);
            assertTrue(subscriber.isClosedByBroker());

            final RawSubscriber.Stream stopped = notBoundary.readStream(archived, Long.MAX_VALUE);
            assertEquals(0, stopped.frames, "no part of the frame the end falls in");
            assertEquals(4, stopped.last.type(), "END at the last frame start before the end: " + stopped.last);
            assertEquals(archived, stopped.last.position());
            assertTrue(notBoundary.isClosedByBroker());
        }
    }

    /**
     * Frames carry the broker's clock (refreshed about every millisecond), not the wall clock, so the times asked
     * for are taken from the stored frames' own time stamps. The broker clock is seen to move past the first 300
     * messages before the next 300 are offered, so the first message after them is stamped strictly later than the
     * last one before; its own stamp and the instant after the earlier message's must both start exactly there.
     */
    @Test
    void startAtATimeIsTheFirstMessageStampedAtOrAfterIt() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("orders");
        final long before = fixture.publish(producer, 0, 300);
        fixture.awaitBrokerClockMovedOn("orders");
        final long tail = fixture.publish(producer, 300, 300);
        fixture.awaitArchived("orders", tail);
        final List<Long> data = fixture.frameStarts("orders", 0, tail).stream().filter(p -> isData(p)).toList();
        final long lastBefore = data.stream().filter(p -> p < before).reduce((a, b) -> b).orElseThrow();
        final long firstAfter = data.stream().filter(p -> p >= before).findFirst().orElseThrow();
        final long lastBeforeStamp = fixture.timestamp("orders", lastBefore);
        final long firstAfterStamp = fixture.timestamp("orders", firstAfter);
        assertTrue(lastBeforeStamp < firstAfterStamp, "stamped in order: " + lastBeforeStamp + ", " + firstAfterStamp);
        for (final long time : new long[] {lastBeforeStamp + 1, firstAfterStamp})
        {
            try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
            {
                final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_TIME, time, tail,
                    "orders", null);
                assertTrue(response.isOk(), response.toString());
                assertEquals(firstAfter, response.startPosition(), "the first message stamped at or after " + time);
                final RawSubscriber.Stream stream = subscriber.readStream(firstAfter, Long.MAX_VALUE);
                assertArrayEquals(fixture.segmentBytes("orders", firstAfter, tail), stream.bytes.toByteArray());
                assertEquals(4, stream.last.type());
            }
        }
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final long newestStamp = fixture.timestamp("orders", data.get(data.size() - 1));
            final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_TIME, newestStamp + 1, -1,
                "orders", null);
            assertEquals(tail, response.startPosition(), "a time after every message: the archived position");
        }
    }

    @Test
    void aRequestArrivingByteByByteIsServed() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("orders");
        final long tail = fixture.publish(producer, 0, 50);
        fixture.awaitArchived("orders", tail);
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            for (final byte b : RawSubscriber.request(RawSubscriber.KIND_EARLIEST, 0, tail, "orders", null))
            {
                subscriber.send(new byte[] {b});
                NetFixture.sleep(1);
            }
            final RawSubscriber.Response response = subscriber.readResponse();
            assertTrue(response.isOk(), response.toString());
            final RawSubscriber.Stream stream = subscriber.readStream(0, Long.MAX_VALUE);
            assertArrayEquals(fixture.segmentBytes("orders", 0, tail), stream.bytes.toByteArray());
            assertEquals(4, stream.last.type());
        }
    }

    private boolean isData(final long position)
    {
        try
        {
            final byte[] header = fixture.segmentBytes("orders", position, position + 32);
            return java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(4) == 2;
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
