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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker's side of {@code DELETE_TOPIC}: clients that attach while deletions run get a whole topic, old or
 * new, never part of one; what an interrupted deletion left is removed at the next start.
 */
@Timeout(120)
class TopicDeletionTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("admin-deletion-");

    @Test
    void clientsAttachingWhileTheTopicIsDeletedGetAWholeTopic() throws Exception
    {
        fixture.launchSmall(fixture.dataDir(), "");
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger attached = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
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
        try (ShmBus admin = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
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
        try (ShmBus admin = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
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
        try (ShmBus reader = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            Consumer consumer = reader.addConsumer("churn", StartPosition.EARLIEST))
        {
            final long tail;
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(fixture.shm(), "churn"), "churn", 5_000))
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
        final Path tombstone = fixture.dataDir().resolve("orders" + TopicDeletion.TOMBSTONE_MARK + "12345");
        Files.createDirectories(tombstone);
        Files.write(tombstone.resolve("00000000000000000000.seg"), new byte[4096]);
        fixture.launchSmall(fixture.dataDir(), "");
        assertFalse(Files.exists(tombstone));
        final String log = fixture.log();
        assertTrue(log.contains("removed " + tombstone + ", left by a topic deletion that did not finish"), log);
        assertFalse(log.contains("not recovered"), log);
        assertFalse(Files.exists(TopicLog.fileOf(fixture.shm(), "orders")), "a tombstone is no topic");
    }
}
