package io.shmbus.broker.net;

import io.shmbus.client.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A hundred live subscribers on loopback, one of which never reads: the others all receive the same bytes as the
 * segment files while the producer publishes unhindered, and the one that did not read still gets everything,
 * from the files, once it starts reading.
 */
@Timeout(120)
class NetManySubscribersTest
{
    private static final int SUBSCRIBERS = 100;
    private static final int READ_TIMEOUT_MS = 20_000;
    private NetFixture fixture;

    @BeforeEach
    void setUp() throws Exception
    {
        fixture = new NetFixture(ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        fixture.close();
    }

    @Test
    void oneSubscriberThatNeverReadsHoldsNobody() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("orders");
        fixture.awaitArchived("orders", fixture.publish(producer, 0, 100));
        final AtomicLong target = new AtomicLong(Long.MAX_VALUE);
        final ExecutorService readers = Executors.newFixedThreadPool(SUBSCRIBERS - 1);
        try (RawSubscriber stalled = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS, 4096))
        {
            stalled.send(RawSubscriber.request(RawSubscriber.KIND_EARLIEST, 0, -1, "orders", null));
            final List<Future<Long>> checksums = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS - 1; i++)
            {
                checksums.add(readers.submit(() -> readLive(target)));
            }
            fixture.awaitCounter("net: subscriptions active", SUBSCRIBERS);

            long tail = 0;
            final long startNs = System.nanoTime();
            for (int batch = 0; batch < 40; batch++)
            {
                tail = fixture.publish(producer, 100 + batch * 250, 250); // fails if held for 10 s
            }
            assertTrue(tail > 40 * NetFixture.SEGMENT_LENGTH, "spans many segments: " + tail);
            fixture.awaitArchived("orders", tail);
            target.set(tail);
            final long publishMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            final CRC32C expected = new CRC32C();
            expected.update(fixture.segmentBytes("orders", 0, tail));
            for (int i = 0; i < checksums.size(); i++)
            {
                assertEquals(expected.getValue(), checksums.get(i).get(60, TimeUnit.SECONDS),
                    "subscriber " + i + " received the segment bytes (publishing took " + publishMs + " ms)");
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (fixture.counter("net: connections open") != 1)
            {
                assertTrue(System.nanoTime() < deadline, "the readers' closed connections are freed, the stalled " +
                    "one stays: " + fixture.counter("net: connections open") + " open");
                NetFixture.sleep(2);
            }

            // the one that never read gets it all too, from the files, when it starts
            final RawSubscriber.Response response = stalled.readResponse();
            assertTrue(response.isOk(), response.toString());
            final RawSubscriber.Stream stream = stalled.readStream(0, tail);
            assertNull(stream.last);
            final CRC32C stalledChecksum = new CRC32C();
            stalledChecksum.update(stream.bytes.toByteArray());
            assertEquals(expected.getValue(), stalledChecksum.getValue());
            assertTrue(fixture.counter("net: waits for a full socket") > 0, "sockets filled up and were waited for");
        }
        finally
        {
            readers.shutdownNow();
            assertTrue(readers.awaitTermination(30, TimeUnit.SECONDS), "readers stop");
        }
        assertEquals(0, fixture.counter("broker: errors"), fixture.brokerLog.toString());
    }

    /** Follows the topic live until the target position; returns the CRC32C of every stored frame received. */
    private long readLive(final AtomicLong target) throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_EARLIEST, 0, -1,
                "orders", null);
            assertTrue(response.isOk(), response.toString());
            final CRC32C checksum = new CRC32C();
            long position = 0;
            while (position < target.get())
            {
                final RawSubscriber.Frame frame = subscriber.readFrame();
                assertEquals(position, frame.position(), "frame position");
                if (frame.type() == 1 || frame.type() == 2)
                {
                    checksum.update(frame.wire());
                    position += frame.wire().length;
                }
                else
                {
                    assertEquals(3, frame.type(), "only heartbeats besides frames: " + frame);
                }
            }
            assertEquals(target.get(), position, "stops exactly at the target");
            return checksum.getValue();
        }
    }
}
