package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerCounterValues;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A mirrored-out topic's live stream read by a bare Aeron subscription on its own media driver over loopback UDP:
 * whole frames, contiguous, byte for byte the topic's segment files; starting at the live edge; and never holding
 * the topic's producers back, whether nobody listens or the one subscriber stops reading.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorOutStreamTest
{
    private static final String TOPIC = "m";
    /** The largest payload of a 64 KiB ring: its largest frame fills a message of a 64 KiB term exactly. */
    private static final int MAX_PAYLOAD = 64 * 1024 / 8 - 32;
    private static final long WAIT_MS = 15_000;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-stream-");
    private final Random random = new Random(7);
    private BareAeronSubscriber subscriber;
    private ShmBus bus;
    private String channel;
    /** The end of the last message published. */
    private long published;

    @AfterEach
    void closeClients()
    {
        if (null != bus)
        {
            bus.close();
        }
        if (null != subscriber)
        {
            subscriber.close();
        }
    }

    @Test
    void everyFrameArrivesWholeInOrderAndAsStored() throws Exception
    {
        launch();
        subscribe();
        final int perProducer = 300;
        final Thread[] producers = new Thread[2];
        final List<Throwable> failures = new ArrayList<>();
        for (int p = 0; p < producers.length; p++)
        {
            final int id = p;
            final Producer producer = bus.addProducer(TOPIC);
            producers[p] = new Thread(() ->
            {
                try
                {
                    final Random sizes = new Random(id);
                    for (int i = 0; i < perProducer; i++)
                    {
                        // now and then a message far longer than one Aeron message's payload, and the longest
                        final int length = 0 == i % 50 ? MAX_PAYLOAD : 0 == i % 7 ? 2000 + sizes.nextInt(4000) :
                            8 + sizes.nextInt(300);
                        publish(producer, message(id, i, length));
                    }
                }
                catch (final Throwable t)
                {
                    synchronized (failures)
                    {
                        failures.add(t);
                    }
                }
            });
            producers[p].start();
        }
        for (final Thread producer : producers)
        {
            producer.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        final long archived = awaitArchived();
        subscriber.pollUntil(archived, WAIT_MS);

        assertEquals(List.of(), subscriber.problems());
        assertEquals(0, subscriber.firstPosition);
        assertEquals(archived, subscriber.nextPosition);
        assertEquals(2 * perProducer, subscriber.payloads.size());
        final int[] next = new int[producers.length];
        for (final byte[] payload : subscriber.payloads)
        {
            final ByteBuffer header = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(next[header.getInt(0)]++, header.getInt(4), "producer " + header.getInt(0) + "'s order");
        }
        assertTrue(subscriber.largestMessage > 1500, "a message longer than a UDP datagram arrived whole (largest " +
            subscriber.largestMessage + ")");
        assertArrayEquals(segmentBytes(0, archived), subscriber.bytes(), "the stream is the segment files' bytes");
        assertEquals(archived, counter("mirror-out m: position"));
        assertEquals(1, counter("mirror-out m: connected"));
    }

    @Test
    void startsAtTheLiveEdge() throws Exception
    {
        launch();
        final Producer producer = bus.addProducer(TOPIC);
        for (int i = 0; i < 100; i++)
        {
            publish(producer, message(0, i, 100));
        }
        final long edge = awaitArchived();
        await(() -> counter("mirror-out m: position") == edge, "the mirror to stay at the live edge " + edge);

        subscribe();
        for (int i = 100; i < 150; i++)
        {
            publish(producer, message(0, i, 100));
        }
        final long archived = awaitArchived();
        subscriber.pollUntil(archived, WAIT_MS);

        assertEquals(List.of(), subscriber.problems());
        assertEquals(edge, subscriber.firstPosition, "the first frame sent is the one at the live edge");
        assertEquals(50, subscriber.payloads.size());
        assertEquals(100, ByteBuffer.wrap(subscriber.payloads.get(0)).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        assertArrayEquals(segmentBytes(edge, archived), subscriber.bytes());
    }

    @Test
    void nobodyListeningNeverHoldsTheProducers() throws Exception
    {
        launch();
        final Producer producer = bus.addProducer(TOPIC);
        final int messages = 4096; // 4 MiB through a 64 KiB ring
        for (int i = 0; i < messages; i++)
        {
            publish(producer, message(0, i, 1000));
        }
        final long archived = awaitArchived();
        await(() -> counter("mirror-out m: position") == archived, "the mirror to stay at the live edge");
        assertEquals(0, counter("mirror-out m: connected"));
    }

    @Test
    void aSubscriberThatStopsReadingNeverHoldsTheProducers() throws Exception
    {
        launch();
        subscribe();
        final Producer producer = bus.addProducer(TOPIC);
        for (int i = 0; i < 20; i++)
        {
            publish(producer, message(0, i, 100));
        }
        subscriber.pollUntil(awaitArchived(), WAIT_MS);

        // the subscriber stops polling: its image fills, Aeron's flow control holds the publication
        final int messages = 4096;
        for (int i = 20; i < messages; i++)
        {
            publish(producer, message(0, i, 1000));
        }
        final long archived = awaitArchived();
        assertTrue(counter("mirror-out m: back pressured") > 0, "the mirror was held back");
        assertTrue(counter("mirror-out m: position") < archived, "the mirror fell behind the archive");

        subscriber.pollUntil(archived, WAIT_MS); // and then it sends every frame, from where it was
        assertEquals(List.of(), subscriber.problems());
        assertEquals(messages, subscriber.payloads.size());
        assertArrayEquals(segmentBytes(0, archived), subscriber.bytes());
    }

    private void launch() throws IOException
    {
        channel = "aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() + "|term-length=64k";
        fixture.launchSmall(fixture.dataDir(), "[topic " + TOPIC + "]\nmirror.channel = " + channel + "\n");
        bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
    }

    private void subscribe()
    {
        subscriber = new BareAeronSubscriber(fixture.root().resolve("receiver-aeron"), channel,
            MirrorStreamIds.defaultStreamId(TOPIC));
        subscriber.awaitPolling(subscriber::isConnected, WAIT_MS, "the subscription to connect");
        await(() -> counter("mirror-out m: connected") == 1, "the mirror's publication to be connected");
    }

    private static byte[] message(final int producer, final int sequence, final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(sequence).nextBytes(bytes);
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, producer).putInt(4, sequence);
        return bytes;
    }

    /** Publishes, waiting while the producer is back pressured; returns the position after the message. */
    private long publish(final Producer producer, final byte[] payload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1000, TimeUnit.MILLISECONDS.toNanos(1));
        long result;
        while ((result = producer.offer(buffer, 0, payload.length)) < 0)
        {
            if (Producer.BACK_PRESSURED != result || System.nanoTime() > deadline)
            {
                fail("offer failed: " + result + " (producers held back?)");
            }
            idle.idle();
        }
        synchronized (this)
        {
            published = Math.max(published, result);
        }
        return result;
    }

    /** Waits until the archive holds everything published, and returns its position. */
    private long awaitArchived()
    {
        final long end;
        synchronized (this)
        {
            end = published;
        }
        await(() -> counter("topic m: archived position") >= end, "the archive to reach " + end);
        final long archived = counter("topic m: archived position");
        assertEquals(end, archived, "the archive holds every message published, and no more");
        return archived;
    }

    private long counter(final String label)
    {
        return BrokerCounterValues.value(fixture.shm(), label);
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** The topic's stream [from, to) as its segment files hold it. */
    private byte[] segmentBytes(final long from, final long to) throws IOException
    {
        final Path topicDir = fixture.dataDir().resolve(TOPIC);
        final long segmentLength = 64 * 1024;
        final byte[] bytes = new byte[(int)(to - from)];
        for (long position = from; position < to; )
        {
            final long base = SegmentDescriptor.basePosition(position, segmentLength);
            final int length = (int)Math.min(to, base + segmentLength) - (int)position;
            try (RandomAccessFile file = new RandomAccessFile(SegmentDescriptor.file(topicDir, base).toFile(), "r"))
            {
                file.seek(position - base);
                file.readFully(bytes, (int)(position - from), length);
            }
            position += length;
        }
        return bytes;
    }
}
