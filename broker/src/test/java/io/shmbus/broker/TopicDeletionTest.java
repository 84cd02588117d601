package io.shmbus.broker;

import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker's side of {@code DELETE_TOPIC}: clients that attach while deletions run get a whole topic, old or
 * new, never part of one; what an interrupted deletion left is removed at the next start.
 */
@Timeout(120)
class TopicDeletionTest
{
    private Path root;
    private Path shm;
    private Path dataDir;
    private Broker broker;
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "admin-deletion-");
        shm = root.resolve("shm");
        dataDir = root.resolve("data");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        if (null != broker)
        {
            broker.close();
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void launch() throws IOException
    {
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
        broker = Broker.launch(new BrokerContext().dir(shm).dataDir(dataDir).configFile(config)
            .segmentLength(64 * 1024).log(new PrintStream(brokerLog, true)));
    }

    @Test
    void clientsAttachingWhileTheTopicIsDeletedGetAWholeTopic() throws Exception
    {
        launch();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger attached = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
        final Thread attacher = new Thread(() ->
        {
            try
            {
                while (!stop.get())
                {
                    try (Producer producer = bus.addProducer("churn"))
                    {
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        long result;
                        while ((result = producer.offer(message, 0, message.capacity())) < 0)
                        {
                            assertTrue(System.nanoTime() < deadline, Producer.resultName(result));
                            Thread.yield();
                        }
                    }
                    attached.incrementAndGet();
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "attacher");
        attacher.start();
        int deleted = 0;
        int refused = 0;
        try (ShmBus admin = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((deleted < 20 || attached.get() < 20) && null == failure.get())
            {
                assertTrue(System.nanoTime() < deadline, deleted + " deletions, " + refused + " refused, " +
                    attached.get() + " attachments in 60 s");
                try
                {
                    admin.deleteTopic("churn", true);
                    deleted++;
                }
                catch (final BrokerErrorException ex)
                {
                    assertTrue(ControlProtocol.ERROR_TOPIC_IN_USE == ex.errorCode() ||
                        ControlProtocol.ERROR_UNKNOWN_TOPIC == ex.errorCode(), ex.getMessage());
                    refused++;
                }
                Thread.yield();
            }
        }
        finally
        {
            stop.set(true);
            attacher.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertNull(failure.get(), () -> "the attaching client failed: " + failure.get());
        assertFalse(attacher.isAlive(), "the attaching client did not stop");

        // deleted once more while the attaching client still maps the topic: what it publishes next goes to the
        // new topic, from position 0, with no gap
        try (ShmBus admin = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            admin.deleteTopic("churn", true);
        }
        catch (final BrokerErrorException ex)
        {
            assertEquals(ControlProtocol.ERROR_UNKNOWN_TOPIC, ex.errorCode(), ex.getMessage()); // deleted already
        }
        try (bus; Producer producer = bus.addProducer("churn"))
        {
            for (int i = 0; i < 3; i++)
            {
                assertTrue(producer.offer(message, 0, message.capacity()) > 0);
            }
        }
        try (ShmBus reader = ShmBus.connect(new ShmBus.Context().dir(shm));
            Consumer consumer = reader.addConsumer("churn", StartPosition.EARLIEST))
        {
            final long tail;
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, "churn"), "churn", 5_000))
            {
                tail = log.tailVolatile();
            }
            final List<Long> positions = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (consumer.position() < tail)
            {
                consumer.poll((buffer, offset, length, header) -> positions.add(header.position()), 100);
                assertTrue(System.nanoTime() < deadline, "read up to " + consumer.position() + " of " + tail);
            }
            assertEquals(3, positions.size(), positions.toString());
            assertEquals(0L, positions.get(0), "a new topic starts at 0");
            for (int i = 1; i < positions.size(); i++)
            {
                assertEquals(positions.get(i - 1) + FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + 64),
                    positions.get(i), "gap after " + positions.get(i - 1));
            }
        }
    }

    @Test
    void whatAnInterruptedDeletionLeftIsRemovedAtStart() throws IOException
    {
        final Path tombstone = dataDir.resolve("orders" + TopicDeletion.TOMBSTONE_MARK + "12345");
        Files.createDirectories(tombstone);
        Files.write(tombstone.resolve("00000000000000000000.seg"), new byte[4096]);
        launch();
        assertFalse(Files.exists(tombstone));
        final String log = brokerLog.toString();
        assertTrue(log.contains("removed " + tombstone + ", left by a topic deletion that did not finish"), log);
        assertFalse(log.contains("not recovered"), log);
        assertFalse(Files.exists(TopicLog.fileOf(shm, "orders")), "a tombstone is no topic");
    }
}
