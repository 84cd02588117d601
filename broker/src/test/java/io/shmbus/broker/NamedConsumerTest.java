package io.shmbus.broker;

import io.shmbus.client.Consumer;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Durable named consumers through a broker in this JVM: a consumer resumes after its last commit, across a close,
 * a broker restart and the ring moving on (from the archive); the start applies only to a new name; one holder
 * at a time.
 */
@Timeout(120)
class NamedConsumerTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("named-consumer-");

    private static void publish(final ShmBus bus, final String topic, final int from, final int to)
    {
        try (Producer producer = bus.addProducer(topic))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            for (int i = from; i < to; i++)
            {
                final byte[] text = ("m" + i).getBytes(StandardCharsets.US_ASCII);
                buffer.putBytes(0, text);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long result;
                while ((result = producer.offer(buffer, 0, 200)) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, "offer of m" + i + ": " + Producer.resultName(result));
                    Thread.yield();
                }
            }
        }
    }

    /** Polls until {@code count} messages arrived, committing after each when {@code commit}. */
    private static List<String> read(final Consumer consumer, final int count, final boolean commit)
    {
        final List<String> received = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.size() < count)
        {
            assertTrue(System.nanoTime() < deadline, "received only " + received + " of " + count);
            final int n = consumer.poll((buffer, offset, length, header) ->
            {
                int end = 0;
                while (end < length && buffer.getByte(offset + end) != 0)
                {
                    end++;
                }
                received.add(buffer.getStringWithoutLengthAscii(offset, end));
            }, 1);
            if (n > 0 && commit)
            {
                consumer.commit();
            }
            if (0 == n)
            {
                Thread.yield();
            }
        }
        return received;
    }

    private static List<String> names(final int from, final int to)
    {
        final List<String> names = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            names.add("m" + i);
        }
        return names;
    }

    @Test
    void resumesAfterTheLastCommitAndTheStartAppliesOnlyToANewName() throws IOException
    {
        fixture.launchSmall(null, "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 10);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals("billing", consumer.name());
                assertEquals(names(0, 4), read(consumer, 4, true));
                assertEquals(names(4, 6), read(consumer, 2, false)); // handled, never committed
            }
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.LATEST))
            {
                assertEquals(names(4, 10), read(consumer, 6, true), "redelivers what was not committed");
            }
            publish(bus, "orders", 10, 12);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.LATEST))
            {
                assertEquals(names(10, 12), read(consumer, 2, true));
            }
            try (Consumer other = bus.addNamedConsumer("orders", "audit", StartPosition.LATEST))
            {
                publish(bus, "orders", 12, 13);
                assertEquals(names(12, 13), read(other, 1, true), "a new name starts where it is told");
            }
        }
    }

    @Test
    void aNameHasOneHolderAtATime() throws IOException
    {
        fixture.launchSmall(null, "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            try (Consumer holder = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                final ConsumerNameInUseException ex = assertThrows(ConsumerNameInUseException.class,
                    () -> bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST));
                assertTrue(ex.getMessage().contains("held by process " + ProcessHandle.current().pid()),
                    ex.getMessage());
                assertNotNull(holder);
            }
            bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST).close(); // free again once closed
        }
    }

    @Test
    void positionsSurviveABrokerRestartInTheDataDirectory() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 10);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(names(0, 3), read(consumer, 3, true));
            }
        }
        final Path file = fixture.dataDir().resolve("orders").resolve(NamedPositionsFile.FILE_NAME);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(file) || !Files.readString(file).startsWith(NamedPositionsFile.HEADER + "\nbilling "))
        {
            assertTrue(System.nanoTime() < deadline, "no position stored in " + file + " within 10 s");
            Thread.yield();
        }
        fixture.stop();
        fixture.launchSmall(fixture.dataDir(), "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.LATEST))
        {
            assertEquals(names(3, 10), read(consumer, 7, true));
        }
    }

    @Test
    void resumesFromTheArchiveWhenTheRingMovedOn() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 5);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(names(0, 2), read(consumer, 2, true));
            }
            publish(bus, "orders", 5, 1000); // ~256 KiB through a 64 KiB ring: message 2 is only in the archive
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.LATEST))
            {
                assertEquals(names(2, 1000), read(consumer, 998, false));
            }
        }
    }

    @Test
    void withTheArchivePolicyASlowNamedConsumerFallsBackToTheArchiveAndItsCommitsStillCount() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "slow.consumer = archive\nslow.consumer.detach.timeout = 100ms\n");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                publish(bus, "orders", 0, 1000); // ~256 KiB through a 64 KiB ring: producers are not held
                assertEquals(names(0, 600), read(consumer, 600, true));
                assertTrue(consumer.isDetached() || consumer.isReplaying(), "it was moved to the archive");
            }
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.LATEST))
            {
                assertEquals(names(600, 1000), read(consumer, 400, true), "resumes after its last commit");
            }
        }
    }

    @Test
    void deletingTheTopicDeletesItsNamedConsumers() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 4);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(names(0, 2), read(consumer, 2, true));
            }
            assertTrue(bus.namedConsumers("orders").contains("name=billing"), bus.namedConsumers("orders"));
            bus.deleteTopic("orders", true);
            assertFalse(Files.exists(fixture.dataDir().resolve("orders")), "the positions went with the archive");
            publish(bus, "orders", 100, 102);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(names(100, 102), read(consumer, 2, true), "a new topic: the start applies again");
            }
        }
    }

    @Test
    void aNamedConsumerHoldsProducersBack() throws IOException
    {
        fixture.launchSmall(null, "");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST);
            Producer producer = bus.addProducer("orders"))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            int offered = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && producer.offer(buffer, 0, 200) > 0)
            {
                offered++;
            }
            assertTrue(offered > 0 && offered < 64 * 1024 / 200, "offered " + offered + " into a 64 KiB ring");
            assertEquals(0, consumer.position());
        }
    }
}
