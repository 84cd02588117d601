package io.shmbus.broker.archive;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.collections.IntArrayList;
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
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Slow-consumer policy "archive": a consumer that falls behind continues from the segment files instead of
 * holding producers back, receives every message exactly once and in order, and rejoins the ring when it catches
 * up. Policy "hold" keeps producers waiting for it.
 */
@Timeout(60)
class SlowConsumerArchiveTest
{
    private static final int MESSAGES = 12_000;

    private Path root;
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-slow-consumer-test-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Broker launch(final String policy) throws IOException
    {
        final Path config = root.resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\nslow.consumer = " + policy + "\n" +
            "slow.consumer.detach.timeout = 100ms\n");
        return Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(root.resolve("data"))
            .configFile(config).segmentLength(256 * 1024).log(new PrintStream(brokerLog, true)));
    }

    @Test
    void aConsumerThatPollsSlowlyMovesToTheArchiveAndProducersGoOn() throws Exception
    {
        try (Broker broker = launch("archive"); ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final Producer producer = bus.addProducer("t");
            final Consumer fast = bus.addConsumer("t", StartPosition.LATEST);
            final Consumer slow = bus.addConsumer("t", StartPosition.LATEST);
            final IntArrayList fastSeen = new IntArrayList();
            final IntArrayList slowSeen = new IntArrayList();
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[256]);
            boolean sawDetached = false;
            int sent = 0;
            long nextSlowPollNs = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sent < MESSAGES || fastSeen.size() < MESSAGES)
            {
                if (sent < MESSAGES)
                {
                    msg.putInt(0, sent);
                    if (producer.offer(msg, 0, 64 + sent % 192) > 0)
                    {
                        sent++;
                    }
                }
                fast.poll((b, o, l, h) -> fastSeen.addInt(b.getInt(o)), 100);
                if (System.nanoTime() - nextSlowPollNs > 0)
                {
                    // one message every 2 ms: about 100 times slower than the producer
                    slow.poll((b, o, l, h) -> slowSeen.addInt(b.getInt(o)), 1);
                    sawDetached |= slow.isDetached();
                    nextSlowPollNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
                }
                assertTrue(System.nanoTime() < deadline, "producers were held by the slow consumer: sent " + sent +
                    ", fast consumer has " + fastSeen.size() + ", slow consumer has " + slowSeen.size());
            }
            assertTrue(sawDetached, "the slow consumer read from the archive");
            assertTrue(slowSeen.size() < MESSAGES / 2, "the slow consumer really was slow: " + slowSeen.size());

            drainInOrder(slow, slowSeen, MESSAGES);
            assertInOrder(fastSeen, MESSAGES);
            assertFalse(slow.isDetached(), "caught up: back in the ring");
            assertEquals(producer.position(), slow.position());

            // back in the ring, it follows live messages and holds producers again like any consumer
            for (int i = MESSAGES; i < MESSAGES + 10; i++)
            {
                msg.putInt(0, i);
                while (producer.offer(msg, 0, 64) < 0)
                {
                    Thread.yield();
                }
            }
            drainInOrder(slow, slowSeen, MESSAGES + 10);
            assertFalse(slow.isDetached());
        }
    }

    @Test
    void aConsumerThatStopsPollingIsMovedByTheBrokerAfterTheDetachTimeout() throws Exception
    {
        try (Broker broker = launch("archive"); ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final Producer producer = bus.addProducer("t");
            final Consumer stalled = bus.addConsumer("t", StartPosition.LATEST);
            publish(producer, 0, MESSAGES, 10);
            assertTrue(topics().contains("(slow: reading the archive)"), topics());

            final IntArrayList seen = new IntArrayList();
            stalled.poll((b, o, l, h) -> seen.addInt(b.getInt(o)), 10);
            assertTrue(stalled.isDetached(), "moved to the archive by the broker while it did not poll");
            drainInOrder(stalled, seen, MESSAGES);
            assertFalse(stalled.isDetached());
        }
    }

    @Test
    void aHandlerThatOutlastsTheDetachTimeoutIsToldItsMessagesMayHaveBeenOverwritten() throws Exception
    {
        final java.util.List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Broker broker = launch("archive");
            ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm")).errorHandler(errors::add)))
        {
            final Producer producer = bus.addProducer("t");
            final Consumer sleepy = bus.addConsumer("t", StartPosition.LATEST);
            publish(producer, 0, 1, 10);
            final Thread publisher = new Thread(() -> publish(producer, 1, MESSAGES, 20));
            final IntArrayList seen = new IntArrayList();
            sleepy.poll((b, o, l, h) ->
            {
                seen.addInt(b.getInt(o));
                // only now: pressure built up before this poll would have it move to the archive cooperatively
                publisher.start();
                try
                {
                    publisher.join(TimeUnit.SECONDS.toMillis(20)); // the broker moves us after 100 ms: producers go on
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, 1);
            assertFalse(publisher.isAlive(), "the publisher finished while the handler held the ring");
            assertTrue(errors.stream().anyMatch(e -> e instanceof io.shmbus.client.MessagesOverwrittenException),
                "told: " + errors);
            assertTrue(sleepy.isDetached());
            drainInOrder(sleepy, seen, MESSAGES);
        }
    }

    @Test
    void aReplayFromTheArchiveDoesNotHoldProducersWithTheArchivePolicy() throws Exception
    {
        try (Broker broker = launch("archive"); ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final Producer producer = bus.addProducer("t");
            publish(producer, 0, 3000, 10);
            final Consumer replaying = bus.addConsumer("t", StartPosition.EARLIEST);
            assertTrue(replaying.isReplaying(), "the ring lapped: earliest is in the archive");
            publish(producer, 3000, MESSAGES, 10); // would block for good if the replaying consumer held producers

            final IntArrayList seen = new IntArrayList();
            drainInOrder(replaying, seen, MESSAGES);
            assertFalse(replaying.isReplaying());
            assertEquals(producer.position(), replaying.position());
        }
    }

    @Test
    void withTheHoldPolicyAStalledConsumerHoldsProducers() throws Exception
    {
        try (Broker broker = launch("hold"); ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm"))))
        {
            final Producer producer = bus.addProducer("t");
            final Consumer stalled = bus.addConsumer("t", StartPosition.LATEST);
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[256]);
            int sent = 0;
            long result;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline)
            {
                msg.putInt(0, sent);
                if ((result = producer.offer(msg, 0, 64)) > 0)
                {
                    sent++;
                }
                else
                {
                    assertEquals(Producer.BACK_PRESSURED, result, Producer.resultName(result));
                    Thread.yield();
                }
            }
            assertTrue(sent * 96L <= 64 * 1024, "at most one ring ahead of the stalled consumer: " + sent);
            final IntArrayList seen = new IntArrayList();
            drainInOrder(stalled, seen, sent);
            assertFalse(stalled.isDetached());
        }
    }

    private String topics()
    {
        final io.shmbus.broker.cli.CliRun run =
            io.shmbus.broker.cli.CliRun.run("", "topics", "--dir", root.resolve("shm").toString());
        assertEquals(0, run.code, run.stderr);
        return run.stdout;
    }

    private static void publish(final Producer producer, final int from, final int to, final int timeoutSeconds)
    {
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[256]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int i = from; i < to; i++)
        {
            msg.putInt(0, i);
            while (producer.offer(msg, 0, 64 + i % 192) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "producer held at message " + i);
                Thread.yield();
            }
        }
    }

    private static void drainInOrder(final Consumer consumer, final IntArrayList seen, final int count)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.size() < count)
        {
            if (consumer.poll((b, o, l, h) -> seen.addInt(b.getInt(o)), 256) == 0)
            {
                assertFalse(consumer.isRevoked(), "consumer dropped at " + consumer.position());
                Thread.yield();
            }
            assertTrue(System.nanoTime() < deadline, "drained " + seen.size() + " of " + count);
        }
        assertInOrder(seen, count);
    }

    private static void assertInOrder(final IntArrayList seen, final int count)
    {
        assertEquals(count, seen.size(), "every message exactly once");
        for (int i = 0; i < count; i++)
        {
            if (seen.getInt(i) != i)
            {
                fail("message " + i + " is " + seen.getInt(i) + ": a gap or a duplicate");
            }
        }
    }
}
