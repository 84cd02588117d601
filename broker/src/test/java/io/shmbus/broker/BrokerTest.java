package io.shmbus.broker;

import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.BufferClaim;
import io.shmbus.client.Consumer;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.LogVersionMismatchException;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class BrokerTest
{
    private Path dir;
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-broker-test-").resolve("shm");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
        try (Stream<Path> paths = Files.walk(dir.getParent()))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BrokerContext brokerContext()
    {
        return new BrokerContext().dir(dir).log(new PrintStream(brokerLog, true))
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .unblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300));
    }

    private Broker startBroker()
    {
        final Broker broker = Broker.launch(brokerContext());
        toClose.add(broker);
        return broker;
    }

    private ShmBus connect(final List<Throwable> errors)
    {
        final ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir).brokerTimeoutMs(1_000)
            .keepaliveIntervalMs(100).requestTimeoutMs(2_000).errorHandler(errors::add));
        toClose.add(bus);
        return bus;
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after 10 s waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void commandHalfWrittenByADeadClientIsSkippedAndOtherClientsAreServed() throws Exception
    {
        startBroker();
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            // a client that died between claiming a record in the command ring and committing it
            final int claimed = new ManyToOneRingBuffer(cnc.toBroker())
                .tryClaim(ControlProtocol.CLIENT_KEEPALIVE, CommandFlyweight.MIN_LENGTH);
            assertTrue(claimed > 0);
            final ShmBus bus = connect(new CopyOnWriteArrayList<>());
            final Producer producer = bus.addProducer("orders");
            assertTrue(producer.offer(new UnsafeBuffer(new byte[8]), 0, 8) > 0);
            await("the half-written command counted", () ->
                counterQuietly("broker: half-written commands skipped") == 1);
            assertTrue(brokerLog.toString().contains("blocked the command ring: skipped it"), brokerLog.toString());
        }
    }

    @Test
    void slotReservedByAProcessThatDiedBeforeActivatingItIsFreed() throws Exception
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        bus.addProducer("orders");
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, "orders"), "orders", 5_000))
        {
            // a process that died between reserving a slot and activating it
            final int slot = new io.shmbus.client.log.ConsumerSlots(log).reserve();
            assertEquals(io.shmbus.client.log.LogDescriptor.SLOT_RESERVED, log.slotStateVolatile(slot));
            await("the reservation taken back", () ->
                io.shmbus.client.log.LogDescriptor.SLOT_FREE == log.slotStateVolatile(slot));
            // the broker frees the slot first and counts it after: wait for the count, do not race it
            await("the reservation counted", () -> counterQuietly("broker: consumer slots freed after death") == 1);
            assertTrue(brokerLog.toString().contains("freed consumer slot " + slot + ", reserved by process"),
                brokerLog.toString());
        }
        final Consumer consumer = bus.addConsumer("orders", StartPosition.EARLIEST);
        assertFalse(consumer.isRevoked());
    }

    @Test
    void halfCreatedLogOfADeadProcessIsRemovedAtStart() throws Exception
    {
        Files.createDirectories(dir);
        final long deadPid = deadProcessId();
        final Path abandoned = dir.resolve(".orders." + deadPid + ".12345.tmp");
        final Path live = dir.resolve(".orders." + ProcessHandle.current().pid() + ".12345.tmp");
        Files.write(abandoned, new byte[4096]);
        Files.write(live, new byte[4096]);
        startBroker();
        assertFalse(Files.exists(abandoned), "left by a dead process: removed");
        assertTrue(Files.exists(live), "a live process may still be creating it");
        assertTrue(brokerLog.toString().contains("left by process " + deadPid), brokerLog.toString());
        assertEquals(-1, TopicLog.temporaryFileOwner("orders.log"));
        assertEquals(-1, TopicLog.temporaryFileOwner(".orders.x.1.tmp"));
        assertEquals(42, TopicLog.temporaryFileOwner(".a.b.42.7.tmp"));
    }

    private static long deadProcessId() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }

    @Test
    void aFailedStartLeavesNothingThatClientsMistakeForAStartingBroker() throws Exception
    {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
            java.net.InetAddress.getLoopbackAddress()))
        {
            final Path data = dir.getParent().resolve("data");
            assertThrows(ShmbusException.class, () -> Broker.launch(brokerContext().dataDir(data)
                .netPort(taken.getLocalPort())));
        }
        assertFalse(Files.exists(CncFile.fileIn(dir)), "a failed start removes its cnc.dat");
        final BrokerUnavailableException none = assertThrows(BrokerUnavailableException.class,
            () -> connect(new CopyOnWriteArrayList<>()));
        assertTrue(none.getMessage().contains("no broker is running"), none.getMessage());

        // a cnc.dat left by a broker killed while starting: its pid is gone (the failed start removed the directory
        // it had created)
        Files.createDirectories(dir);
        try (CncFile starting = CncFile.create(dir, java.nio.file.attribute.PosixFilePermissions.fromString(
            "rw-------"), 1_000_000_000L, 1_000_000_000L))
        {
            starting.header().putLong(io.shmbus.client.cnc.CncDescriptor.BROKER_PID_OFFSET, deadProcessId());
        }
        final BrokerUnavailableException exited = assertThrows(BrokerUnavailableException.class,
            () -> connect(new CopyOnWriteArrayList<>()));
        assertTrue(exited.getMessage().contains("exited before it was ready"), exited.getMessage());
        startBroker(); // and a new broker takes the directory over
        connect(new CopyOnWriteArrayList<>()).addProducer("orders");
    }

    @Test
    void anExclusiveProducerIsItsTopicsOnlyProducer() throws Exception
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        final ShmBus other = connect(new CopyOnWriteArrayList<>());
        final Producer shared = bus.addProducer("orders");
        final BrokerErrorException notAlone = assertThrows(BrokerErrorException.class,
            () -> other.addExclusiveProducer("orders"));
        assertEquals(ControlProtocol.ERROR_PRODUCER_CONFLICT, notAlone.errorCode());
        assertTrue(notAlone.getMessage().contains("must be its only one"), notAlone.getMessage());
        shared.close();
        await("the shared producer removed", () -> counterQuietly("topic orders: producers") == 0);

        final io.shmbus.client.ExclusiveProducer exclusive = other.addExclusiveProducer("orders");
        final BrokerErrorException taken = assertThrows(BrokerErrorException.class, () -> bus.addProducer("orders"));
        assertTrue(taken.getMessage().contains("has an exclusive producer"), taken.getMessage());
        final Consumer consumer = bus.addConsumer("orders", StartPosition.EARLIEST);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 3; i++)
        {
            msg.putLong(0, i);
            assertTrue(exclusive.offer(msg, 0, 8) > 0);
        }
        final List<Long> got = new ArrayList<>();
        await("three messages", () ->
        {
            consumer.poll((buffer, offset, length, header) -> got.add(buffer.getLong(offset)), 10);
            return got.size() == 3;
        });
        assertEquals(List.of(0L, 1L, 2L), got);

        exclusive.close();
        await("the exclusive producer released", () -> 0 == exclusiveOwner("orders"));
        bus.addProducer("orders");
    }

    private long exclusiveOwner(final String topic)
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, topic), topic, 5_000))
        {
            return log.exclusiveOwnerPidVolatile();
        }
    }

    @Test
    void producersAndConsumersRegisterThroughTheBroker() throws Exception
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        final Consumer consumer = bus.addConsumer("orders", StartPosition.EARLIEST);
        final Producer producer = bus.addProducer("orders");
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[16]);
        for (int i = 0; i < 1000; i++)
        {
            msg.putInt(0, i);
            while (producer.offer(msg, 0, 16) < 0)
            {
                Thread.yield();
            }
        }
        final List<Integer> got = new ArrayList<>();
        final long[] stampRange = {Long.MAX_VALUE, Long.MIN_VALUE};
        await("1000 messages", () ->
        {
            consumer.poll((b, o, l, h) ->
            {
                got.add(b.getInt(o));
                stampRange[0] = Math.min(stampRange[0], h.timestamp());
                stampRange[1] = Math.max(stampRange[1], h.timestamp());
            }, 100);
            return got.size() == 1000;
        });
        final long nowNs = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(nowNs - stampRange[0]) < 5_000_000_000L && stampRange[1] <= nowNs + 1_000_000_000L,
            "frames carry the broker's clock (epoch ns): " + stampRange[0] + ".." + stampRange[1] + " now " + nowNs);
        for (int i = 0; i < 1000; i++)
        {
            assertEquals(i, got.get(i));
        }
        await("counters", () -> counterQuietly("topic orders: consumers") == 1 &&
            counterQuietly("topic orders: producers") == 1 && counterQuietly("broker: clients connected") == 1);

        consumer.close();
        producer.close();
        await("consumer freed", () -> counterQuietly("topic orders: consumers") == 0 &&
            counterQuietly("topic orders: producers") == 0);
    }

    private long counterQuietly(final String label)
    {
        try
        {
            return BrokerCounterValues.value(dir, label);
        }
        catch (final UncheckedIOException ex)
        {
            return -2;
        }
    }

    @Test
    void oneBrokerPerDirectory()
    {
        startBroker();
        final BrokerAlreadyRunningException ex =
            assertThrows(BrokerAlreadyRunningException.class, () -> Broker.launch(brokerContext()));
        assertTrue(ex.getMessage().contains("another broker (pid " + ProcessHandle.current().pid() + ")"),
            ex.getMessage());
    }

    @Test
    void noBrokerIsAClearError()
    {
        final BrokerUnavailableException noDir = assertThrows(BrokerUnavailableException.class,
            () -> ShmBus.connect(new ShmBus.Context().dir(dir)));
        assertTrue(noDir.getMessage().contains("no broker is running on " + dir), noDir.getMessage());

        startBroker().close();
        final BrokerUnavailableException afterStop = assertThrows(BrokerUnavailableException.class,
            () -> ShmBus.connect(new ShmBus.Context().dir(dir)));
        assertTrue(afterStop.getMessage().contains("scripts/shmbus broker --dir"), afterStop.getMessage());
    }

    @Test
    void clientFindsOutWhenTheBrokerStopsAndReconnectsToANewOne() throws Exception
    {
        final Broker broker = startBroker();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ShmBus bus = connect(errors);
        final Producer producer = bus.addProducer("t");
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
        assertTrue(producer.offer(msg, 0, 8) > 0);

        broker.close();
        await("broker loss reported", () -> !errors.isEmpty());
        assertInstanceOf(BrokerUnavailableException.class, errors.get(0));
        assertTrue(bus.isClosed());
        assertEquals(Producer.CLOSED, producer.offer(msg, 0, 8));
        final BrokerUnavailableException next =
            assertThrows(BrokerUnavailableException.class, () -> bus.addProducer("t"));
        assertTrue(next.getMessage().contains("not running"), next.getMessage());

        startBroker();
        final ShmBus again = connect(new CopyOnWriteArrayList<>());
        final Consumer consumer = again.addConsumer("t", StartPosition.EARLIEST);
        final Producer producer2 = again.addProducer("t");
        assertTrue(producer2.offer(msg, 0, 8) > 0);
        final int[] count = {0};
        await("messages after restart", () ->
        {
            consumer.poll((b, o, l, h) -> count[0]++, 10);
            return count[0] == 2;
        });
    }

    @Test
    void abandonedClaimIsUnblockedAndLaterMessagesAreDelivered() throws Exception
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        final Consumer consumer = bus.addConsumer("u", StartPosition.EARLIEST);
        final Producer producer = bus.addProducer("u");
        final BufferClaim claim = new BufferClaim();
        assertTrue(producer.tryClaim(64, claim) > 0); // never committed
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 10; i++)
        {
            msg.putInt(0, i);
            assertTrue(producer.offer(msg, 0, 8) > 0);
        }
        final List<Integer> got = new ArrayList<>();
        assertEquals(0, consumer.poll((b, o, l, h) -> got.add(b.getInt(o)), 100));
        await("unblocked", () ->
        {
            consumer.poll((b, o, l, h) -> got.add(b.getInt(o)), 100);
            return got.size() == 10;
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), got);
        await("counted", () -> counterQuietly("broker: abandoned claims unblocked") == 1);
        assertTrue(brokerLog.toString().contains("abandoned claim"), brokerLog.toString());
    }

    @Test
    void silentClientIsDeclaredDeadAndItsConsumerStopsHoldingProducers() throws Exception
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        final Producer producer = bus.addProducer("s");
        // a client that registers a consumer and then never sends a keepalive
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(cnc.toBroker());
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
            final CommandFlyweight command = new CommandFlyweight().wrap(buffer, 0).clear()
                .correlationId(ring.nextCorrelationId()).clientId(ring.nextCorrelationId())
                .clientPid(ProcessHandle.current().pid()).startType(ControlProtocol.START_LATEST).topic("s");
            assertTrue(ring.write(ControlProtocol.ADD_CONSUMER, buffer, 0, command.length()));
        }
        await("silent consumer registered", () -> counterQuietly("topic s: consumers") == 1);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1024]);
        await("producer back-pressured, then released once the silent client is declared dead", () ->
            producer.offer(msg, 0, 1024) > 0 && counterQuietly("broker: clients timed out or exited") == 1);
        long sent = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (producer.offer(msg, 0, 1024) > 0)
            {
                sent++;
            }
        }
        assertTrue(sent > 10_000, "producers are no longer held: " + sent);
        await("consumer count back to 0", () -> counterQuietly("topic s: consumers") == 0);
    }

    @Test
    void malformedAndUnknownCommandsAreRejectedAndTheBrokerKeepsServing() throws Exception
    {
        startBroker();
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(cnc.toBroker());
            final UnsafeBuffer garbage = new UnsafeBuffer(new byte[256]);
            for (int i = 0; i < 256; i++)
            {
                garbage.putByte(i, (byte)(i * 37 + 11));
            }
            assertTrue(ring.write(ControlProtocol.ADD_PRODUCER, garbage, 0, 5));     // too short
            assertTrue(ring.write(999, garbage, 0, 200));                           // too long and unknown
            final CommandFlyweight command = new CommandFlyweight().wrap(garbage, 0).clear()
                .correlationId(7).clientId(8).clientPid(ProcessHandle.current().pid());
            assertTrue(ring.write(999, garbage, 0, command.length()));               // unknown type
            garbage.putInt(CommandFlyweight.TOPIC_LENGTH_OFFSET, 100_000);
            assertTrue(ring.write(ControlProtocol.ADD_PRODUCER, garbage, 0, 100));   // topic length out of range
            command.topic("../../etc/passwd");
            assertTrue(ring.write(ControlProtocol.ADD_CONSUMER, garbage, 0, command.length())); // bad name
        }
        await("5 commands rejected", () -> counterQuietly("broker: commands rejected") == 5);

        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        assertNotNull(bus.addProducer("still-serving"));
        assertThrows(InvalidTopicNameException.class, () -> bus.addProducer("bad name"));
        final PositionUnavailableException notBoundary = assertThrows(PositionUnavailableException.class,
            () -> bus.addConsumer("still-serving", StartPosition.at(48)));
        assertTrue(notBoundary.getMessage().contains("not the start of a frame"), notBoundary.getMessage());
        final String log = brokerLog.toString();
        assertTrue(log.contains("UNKNOWN_COMMAND"), log);
        assertTrue(log.contains("MALFORMED_COMMAND"), log);
        assertTrue(log.contains("INVALID_TOPIC"), log);
    }

    @Test
    void configuredTopicGetsItsSettings() throws Exception
    {
        final Path config = dir.getParent().resolve("broker.conf");
        Files.writeString(config, "# test\nclient.liveness.timeout = 2s\n[topic.defaults]\ncapacity = 128k\n" +
            "[topic big]\ncapacity = 1m\nmax.message.length = 64k\n");
        final Broker broker = Broker.launch(new BrokerContext().dir(dir).log(new PrintStream(brokerLog, true))
            .configFile(config));
        toClose.add(broker);
        assertEquals(TimeUnit.SECONDS.toNanos(2), broker.context().clientLivenessTimeoutNs());
        assertTrue(Files.exists(TopicLog.fileOf(dir, "big")), "configured topics are created at start");
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        assertEquals(65536, bus.addProducer("big").maxMessageLength());
        assertEquals(128 * 1024 / 8 - 32, bus.addProducer("other").maxMessageLength());
    }

    @Test
    void cncOfAnotherVersionIsRefused() throws Exception
    {
        startBroker().close();
        Files.createDirectories(dir);
        final Path cnc = CncFile.fileIn(dir);
        try (RandomAccessFile raf = new RandomAccessFile(cnc.toFile(), "rw"))
        {
            raf.setLength(io.shmbus.client.cnc.CncDescriptor.defaultFileLength());
            raf.writeInt(Integer.reverseBytes(42));
            raf.writeInt(Integer.reverseBytes(io.shmbus.client.cnc.CncDescriptor.MAGIC));
        }
        final LogVersionMismatchException ex =
            assertThrows(LogVersionMismatchException.class, () -> Broker.launch(brokerContext()));
        assertTrue(ex.getMessage().contains("CnC version 42"), ex.getMessage());
        assertThrows(LogVersionMismatchException.class, () -> ShmBus.connect(new ShmBus.Context().dir(dir)));
    }

    @Test
    void brokerErrorsComeBackTyped()
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        for (int i = 0; i < io.shmbus.client.log.LogDescriptor.CONSUMER_SLOT_COUNT; i++)
        {
            bus.addConsumer("full", StartPosition.LATEST);
        }
        final BrokerErrorException ex = assertThrows(BrokerErrorException.class,
            () -> bus.addConsumer("full", StartPosition.LATEST));
        assertEquals(ControlProtocol.ERROR_RESOURCE_EXHAUSTED, ex.errorCode());
        assertTrue(ex.getMessage().contains("consumer slots"), ex.getMessage());
    }

    @Test
    void consumerOfASilentButLiveClientIsRevokedAndToldSo() throws Exception
    {
        startBroker();
        final List<Throwable> silentErrors = new CopyOnWriteArrayList<>();
        final ShmBus silent = ShmBus.connect(new ShmBus.Context().dir(dir).brokerTimeoutMs(5_000)
            .keepaliveIntervalMs(60_000).requestTimeoutMs(2_000).errorHandler(silentErrors::add));
        toClose.add(silent);
        final Consumer consumer = silent.addConsumer("r", StartPosition.EARLIEST);
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        final Producer producer = bus.addProducer("r");
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1024]);
        assertTrue(producer.offer(msg, 0, 1024) > 0);
        await("the silent client is dropped", () -> counterQuietly("broker: clients timed out or exited") == 1);
        long sent = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (producer.offer(msg, 0, 1024) > 0)
            {
                sent++;
            }
        }
        assertTrue(sent > 10_000, "producers no longer held by the revoked consumer: " + sent);
        assertEquals(0, consumer.poll((b, o, l, h) -> fail("delivered after revocation"), 10));
        assertTrue(consumer.isRevoked());
        await("revocation reported", () -> silentErrors.stream()
            .anyMatch(t -> t instanceof io.shmbus.client.ConsumerRevokedException));
        // the broker's ON_CLIENT_TIMEOUT reaches the client conductor on its own thread, maybe after the above
        await("client told it was declared dead: " + silentErrors, () -> silentErrors.stream()
            .anyMatch(t -> t.getMessage().contains("declared this client dead")));
    }

    /**
     * Messages carry the broker's clock (refreshed about every millisecond), not the wall clock, so the time asked
     * for is taken from the time stamps themselves: the broker clock is seen to move past the last early message
     * before the late ones are offered, and the start time falls strictly between the two groups. A broker that
     * falls behind under load only makes the test wait.
     */
    @Test
    void startAtATimeWithoutAnArchiveSearchesTheRing() throws Exception
    {
        startBroker();
        final ShmBus bus = connect(new CopyOnWriteArrayList<>());
        final Producer producer = bus.addProducer("clock");
        final Consumer all = bus.addConsumer("clock", StartPosition.EARLIEST);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
        final List<Long> timestamps = new ArrayList<>();
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, "clock"), "clock", 5_000))
        {
            for (int i = 0; i < 25; i++)
            {
                if (i == 10 || i == 20)
                {
                    final long lastTimestamp = log.brokerEpochNsVolatile();
                    await("the broker clock to move on", () -> log.brokerEpochNsVolatile() > lastTimestamp);
                }
                msg.putInt(0, i);
                assertTrue(producer.offer(msg, 0, 8) > 0);
            }
        }
        await("all messages", () ->
        {
            all.poll((b, o, l, h) -> timestamps.add(h.timestamp()), 100);
            return timestamps.size() >= 25;
        });
        assertTrue(timestamps.get(19) < timestamps.get(20), timestamps.toString());
        final long mark = timestamps.get(19) + 1; // after message 19, at or before message 20

        final Consumer consumer = bus.addConsumer("clock", StartPosition.atTime(mark));
        final List<Integer> got = new ArrayList<>();
        await("messages after the time", () ->
        {
            consumer.poll((b, o, l, h) -> got.add(b.getInt(o)), 100);
            return got.size() >= 5;
        });
        assertEquals(List.of(20, 21, 22, 23, 24), got);
        try (io.shmbus.client.Topic direct = io.shmbus.client.Topic.open(
            new io.shmbus.client.Topic.Context().dir(dir).topic("clock")))
        {
            final io.shmbus.client.ConfigurationException ex = assertThrows(
                io.shmbus.client.ConfigurationException.class, () -> direct.addConsumer(StartPosition.atTime(mark)));
            assertTrue(ex.getMessage().contains("needs the broker"), ex.getMessage());
        }
    }
}
