package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerCounterValues;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.broker.status.CounterFinder;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One mirrored-out topic, {@value #TOPIC}, on a broker of a {@link BrokerFixture} (64 KiB ring and segments, a data
 * directory) over loopback UDP with 64 KiB terms, with what the mirror tests do to it: publish numbered messages,
 * wait for the archive, read counters and the segment files, and subscribe with a {@link BareAeronSubscriber}.
 * {@link #close()} closes the client and the subscriber; the fixture stops the broker. Test thread only, except
 * {@link #publish}, which producers' threads may call.
 */
final class MirroredTopic implements AutoCloseable
{
    static final String TOPIC = "m";
    /** The largest payload of a 64 KiB ring: its largest frame fills a message of a 64 KiB term exactly. */
    static final int MAX_PAYLOAD = 64 * 1024 / 8 - 32;
    static final long SEGMENT_LENGTH = 64 * 1024;
    static final long WAIT_MS = 15_000;

    private final BrokerFixture fixture;
    final String channel;
    final ShmBus bus;
    BareAeronSubscriber subscriber;
    /** The end of the last message published. */
    private long published;

    MirroredTopic(final BrokerFixture fixture) throws IOException
    {
        this(fixture, "");
    }

    /** @param topicSettings more lines of the topic's config section. */
    MirroredTopic(final BrokerFixture fixture, final String topicSettings) throws IOException
    {
        this.fixture = fixture;
        channel = "aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() + "|term-length=64k";
        fixture.launchSmall(fixture.dataDir(), "[topic " + TOPIC + "]\nmirror.channel = " + channel + "\n" +
            topicSettings);
        bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
    }

    /** A bare subscriber on its own driver, once it and the mirror's publication are connected. */
    BareAeronSubscriber subscribe()
    {
        subscriber = new BareAeronSubscriber(fixture.root().resolve("receiver-aeron"), channel,
            MirrorStreamIds.defaultStreamId(TOPIC));
        subscriber.awaitPolling(subscriber::isConnected, WAIT_MS, "the subscription to connect");
        await(() -> counter("mirror-out m: connected") == 1, "the mirror's publication to be connected");
        return subscriber;
    }

    /** A payload of {@code length} bytes: the producer and sequence number, then bytes made from the sequence. */
    static byte[] message(final int producer, final int sequence, final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(sequence).nextBytes(bytes);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0, producer).putInt(4, sequence);
        return bytes;
    }

    /** Publishes, waiting while the producer is back pressured; returns the position after the message. */
    long publish(final Producer producer, final byte[] payload)
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
    long awaitArchived()
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

    long counter(final String label)
    {
        return BrokerCounterValues.value(fixture.shm(), label);
    }

    /** The value of the topic's counter of this type, found as tools find it: by type id and key. */
    long counter(final int typeId)
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(fixture.shm())))
        {
            final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
            final int id = CounterFinder.find(reader, typeId, TOPIC);
            return id < 0 ? -1 : reader.getCounterValue(id);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + WAIT_MS + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    Path topicDir()
    {
        return fixture.dataDir().resolve(TOPIC);
    }

    /** The topic's stream [from, to) as its segment files hold it. */
    byte[] segmentBytes(final long from, final long to) throws IOException
    {
        final byte[] bytes = new byte[(int)(to - from)];
        for (long position = from; position < to; )
        {
            final long base = SegmentDescriptor.basePosition(position, SEGMENT_LENGTH);
            final int length = (int)(Math.min(to, base + SEGMENT_LENGTH) - position);
            try (RandomAccessFile file = new RandomAccessFile(SegmentDescriptor.file(topicDir(), base).toFile(), "r"))
            {
                file.seek(position - base);
                file.readFully(bytes, (int)(position - from), length);
            }
            position += length;
        }
        return bytes;
    }

    public void close()
    {
        bus.close();
        if (null != subscriber)
        {
            subscriber.close();
        }
    }
}
