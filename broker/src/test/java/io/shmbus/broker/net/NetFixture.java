package io.shmbus.broker.net;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerCounterValues;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An embedded broker with a network port and a data directory under a fresh directory in /dev/shm, 64 KiB rings
 * and 64 KiB segments (so a few hundred KiB of messages span many segments), plus helpers to publish, to wait for
 * the archive and to read the segment files. {@link #close()} stops everything and deletes the directory.
 */
public final class NetFixture implements AutoCloseable
{
    public static final int SEGMENT_LENGTH = 64 * 1024;

    public final Path root;
    public final Path shm;
    public final Path dataDir;
    public final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();
    private final Consumer<BrokerContext> settings;
    public Broker broker;
    public ShmBus bus;
    private final Random random = new Random(42);

    NetFixture(final Consumer<BrokerContext> settings) throws IOException
    {
        this("", settings);
    }

    /** @param topicConfig more config file lines, e.g. a {@code [topic NAME]} section. */
    public NetFixture(final String topicConfig, final Consumer<BrokerContext> settings) throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-net-test-");
        shm = root.resolve("shm");
        dataDir = root.resolve("data");
        this.settings = settings;
        try
        {
            Files.writeString(root.resolve("broker.conf"), "[topic.defaults]\ncapacity = 64k\n[topic scratch]\n" +
                "persistent = false\n" + topicConfig);
            launch();
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteTree(root);
            throw ex;
        }
    }

    private void launch()
    {
        Broker started = null;
        ShmBus connected = null;
        try
        {
            final BrokerContext ctx = new BrokerContext().dir(shm).dataDir(dataDir)
                .configFile(root.resolve("broker.conf")).segmentLength(SEGMENT_LENGTH).netPort(0)
                .log(new PrintStream(brokerLog, true));
            settings.accept(ctx);
            started = Broker.launch(ctx);
            connected = ShmBus.connect(new ShmBus.Context().dir(shm));
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(connected, started);
            throw ex;
        }
        broker = started;
        bus = connected;
    }

    /** Stops the broker (and this fixture's client) and starts a new one on the same directories (a new port). */
    public void restartBroker()
    {
        closeQuietly(bus, broker);
        bus = null;
        broker = null;
        launch();
    }

    public int port()
    {
        return broker.netPort();
    }

    /** Publishes messages of random length (seeded) numbered from {@code first}; returns the tail after them. */
    public long publish(final Producer producer, final int first, final int count)
    {
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1024]);
        long end = 0;
        for (int i = first; i < first + count; i++)
        {
            final int length = 8 + random.nextInt(600);
            msg.putInt(0, i);
            msg.putInt(4, length);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((end = producer.offer(msg, 0, length)) < 0)
            {
                assertEquals(Producer.BACK_PRESSURED, end, Producer.resultName(end));
                assertTrue(System.nanoTime() < deadline, "producer held for 10 s at message " + i);
                Thread.yield();
            }
        }
        return end;
    }

    /**
     * Publishes messages whose frames all take 64 bytes (24-byte payloads), so that on a topic that holds nothing
     * else every frame starts at a multiple of 64 and no padding is ever needed (64 divides the ring).
     */
    long publishFixed(final Producer producer, final int count)
    {
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[24]);
        long end = 0;
        for (int i = 0; i < count; i++)
        {
            msg.putInt(0, i);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((end = producer.offer(msg, 0, msg.capacity())) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "producer held for 10 s: " + Producer.resultName(end));
                Thread.yield();
            }
        }
        return end;
    }

    public void awaitArchived(final String topic, final long position)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long archived;
        while ((archived = counter("topic " + topic + ": archived position")) < position)
        {
            if (System.nanoTime() > deadline)
            {
                fail("topic " + topic + " archived only up to " + archived + " of " + position + " in 10 s");
            }
            sleep(2);
        }
    }

    /** The bytes of the segment files from {@code from} to {@code to}. */
    public byte[] segmentBytes(final String topic, final long from, final long to) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long position = from;
        while (position < to)
        {
            final long base = SegmentDescriptor.basePosition(position, SEGMENT_LENGTH);
            final int length = (int)(Math.min(to, base + SEGMENT_LENGTH) - position);
            try (RandomAccessFile file = new RandomAccessFile(
                SegmentDescriptor.file(dataDir.resolve(topic), base).toFile(), "r"))
            {
                final byte[] chunk = new byte[length];
                file.seek(position - base);
                file.readFully(chunk);
                bytes.write(chunk);
            }
            position += length;
        }
        return bytes.toByteArray();
    }

    /** The frame start positions in {@code [from, to)}, walking the segment files. */
    List<Long> frameStarts(final String topic, final long from, final long to) throws IOException
    {
        final byte[] bytes = segmentBytes(topic, from, to);
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final List<Long> starts = new ArrayList<>();
        int at = 0;
        while (at < bytes.length)
        {
            starts.add(from + at);
            at += FrameDescriptor.alignedLength(buffer.getInt(at));
        }
        return starts;
    }

    /** The time stamp in the header of the frame stored at {@code position}. */
    long timestamp(final String topic, final long position) throws IOException
    {
        return ByteBuffer.wrap(segmentBytes(topic, position, position + FrameDescriptor.HEADER_LENGTH))
            .order(ByteOrder.LITTLE_ENDIAN).getLong(FrameDescriptor.TIMESTAMP_OFFSET);
    }

    /**
     * Waits until the broker clock in the topic's log is past its value now. Frames carry that clock, not the wall
     * clock: every message offered before this call is stamped at or before the value, so the next one is stamped
     * strictly later.
     */
    void awaitBrokerClockMovedOn(final String topic)
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, topic), topic, 5_000))
        {
            final long seen = log.brokerEpochNsVolatile();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.brokerEpochNsVolatile() <= seen)
            {
                if (System.nanoTime() > deadline)
                {
                    fail("the broker clock of topic " + topic + " did not move on from " + seen + " in 10 s");
                }
                sleep(1);
            }
        }
    }

    public long counter(final String label)
    {
        return BrokerCounterValues.value(shm, label);
    }

    /** Waits until a counter reaches a value, failing with the broker's log after 10 s. */
    public void awaitCounter(final String label, final long atLeast)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter(label) < atLeast)
        {
            if (System.nanoTime() > deadline)
            {
                fail("counter '" + label + "' is " + counter(label) + ", expected at least " + atLeast +
                    "; broker log:\n" + brokerLog);
            }
            sleep(2);
        }
    }

    public static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public void close() throws IOException
    {
        closeQuietly(bus, broker);
        deleteTree(root);
    }

    private static void closeQuietly(final AutoCloseable... closeables)
    {
        for (final AutoCloseable closeable : closeables)
        {
            try
            {
                if (null != closeable)
                {
                    closeable.close();
                }
            }
            catch (final Exception ignore)
            {
                // cleaning up
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
