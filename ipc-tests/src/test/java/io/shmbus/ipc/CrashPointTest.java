package io.shmbus.ipc;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.ProtocolStores;
import io.shmbus.client.log.TopicLog;
import io.shmbus.ipc.CrashPointMain.Op;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The crash-point harness: for every store of the claim, commit, abort, padding, clean and unblock protocols, a
 * process that makes exactly the stores up to that one and then halts ({@link CrashPointMain}), with a broker,
 * a consumer and a live producer around it. Then the real recovery runs, and every message committed before and
 * after the death must reach the consumer and the archive exactly once and in order, the killed process's own
 * message exactly when its commit store was made, the topic must take new messages within the timeouts, the
 * segment files must pass {@code verify}, and a restarted broker must recover them and replay the same stream.
 * The lists of stores below are the crash-point table of docs/reliability.md; a dry run of each step checks that
 * they are complete.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class CrashPointTest
{
    private static final String TOPIC = "crash";
    private static final int CAPACITY = 64 * 1024;
    private static final int BEFORE = 20;
    private static final int AFTER = 20;
    private static final long PRODUCER_TAG = 0x50524f44L;
    private static final long VICTIM_VALUE = 1_000;
    /**
     * Long enough that a live process descheduled between its claim and its commit on a loaded machine is not
     * taken for a dead one (its claim padded under it, and its stores no longer the table's), short enough to keep
     * the test quick: every claim a victim abandons waits this long.
     */
    private static final long UNBLOCK_TIMEOUT_MS = 500;
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    /** One protocol step run by the crashing process, and the state it needs first. */
    enum Scenario
    {
        OFFER(Op.OFFER, ProtocolStores.OFFER),
        OFFER_WRAP(Op.OFFER_WRAP, ProtocolStores.OFFER_WRAP),
        CLAIM_COMMIT(Op.CLAIM_COMMIT, ProtocolStores.CLAIM_COMMIT_WITH_CHECKSUM),
        CLAIM_ABORT(Op.CLAIM_ABORT, ProtocolStores.CLAIM_ABORT),
        CLEAN(Op.CLEAN, ProtocolStores.CLEAN),
        UNBLOCK_CLAIM_WITH_HEADER(Op.UNBLOCK, ProtocolStores.UNBLOCK_WITH_HEADER),
        /** A 64-byte message's claim is three 32-byte slots. */
        UNBLOCK_CLAIM_WITHOUT_HEADER(Op.UNBLOCK, ProtocolStores.unblockWithoutHeader(3)),
        EXCLUSIVE_OFFER(Op.EXCLUSIVE_OFFER, ProtocolStores.EXCLUSIVE_OFFER),
        EXCLUSIVE_OFFER_WRAP(Op.EXCLUSIVE_OFFER_WRAP, ProtocolStores.EXCLUSIVE_OFFER_WRAP);

        final Op op;
        final List<String> stores;

        Scenario(final Op op, final List<String> stores)
        {
            this.op = op;
            this.stores = stores;
        }

        /** True when the killed process's message is committed once it has made {@code store} stores. */
        boolean commits(final int store)
        {
            return (op == Op.OFFER || op == Op.OFFER_WRAP || op == Op.CLAIM_COMMIT || op == Op.EXCLUSIVE_OFFER ||
                op == Op.EXCLUSIVE_OFFER_WRAP) && store == stores.size();
        }

        /** For the unblock scenarios: the store after which the producer whose claim is unblocked died. */
        int claimDeath()
        {
            return this == UNBLOCK_CLAIM_WITH_HEADER ? 3 : 1;
        }
    }

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(CrashPointMain.MESSAGE_LENGTH));
    private final List<Long> received = new ArrayList<>();
    private Path shm;
    private Path data;
    private long nextSeq;

    static Stream<Arguments> crashPoints()
    {
        final List<Arguments> points = new ArrayList<>();
        for (final Scenario scenario : Scenario.values())
        {
            for (int store = 1; store <= scenario.stores.size(); store++)
            {
                points.add(Arguments.of(scenario, store, scenario.stores.get(store - 1)));
            }
        }
        return points.stream();
    }

    @AfterEach
    void closeAll()
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            org.agrona.CloseHelper.close(open.get(i));
        }
        open.clear();
    }

    @Test
    void theTableListsEveryStoreOfEachStep() throws IOException
    {
        for (final Scenario scenario : Scenario.values())
        {
            prepare(scenario);
            final JavaProcess victim = runVictim(scenario, 0);
            assertEquals(0, victim.awaitExit(DEADLINE), victim.recentOutput());
            final List<String> stores = new ArrayList<>();
            for (final String line : victim.stdoutLines())
            {
                if (line.startsWith("STORE "))
                {
                    stores.add(line.substring(line.indexOf(' ', "STORE ".length()) + 1));
                }
            }
            assertEquals(scenario.stores, stores, scenario + ": the stores of one step, in order");
            closeAll();
            deleteDirectories();
        }
    }

    @ParameterizedTest(name = "{0} killed after store {1}: {2}")
    @MethodSource("crashPoints")
    void processKilledRightAfterTheStore(final Scenario scenario, final int store, final String label)
        throws Exception
    {
        final Consumer consumer = prepare(scenario);
        final List<Long> expected = new ArrayList<>();
        for (long seq = 0; seq < nextSeq; seq++)
        {
            expected.add(seq);
        }

        final JavaProcess victim = runVictim(scenario, store);
        final int status = victim.awaitExit(DEADLINE);
        assertEquals(CrashPointMain.DIED_EXIT_STATUS, status, "the victim dies at the store: " +
            victim.recentOutput());
        final String died = victim.stdoutLines().stream().filter(l -> l.startsWith("DIED ")).findFirst().orElse("");
        assertTrue(died.endsWith("label=" + label), "died after the expected store: " + died);
        if (scenario.commits(store))
        {
            expected.add(VICTIM_VALUE);
        }

        Consumer reader = consumer;
        if (scenario.op == Op.UNBLOCK)
        {
            // a new broker finishes what the dead unblocker left; a new consumer reads from the archive's start
            startBroker();
            reader = connect().addConsumer(TOPIC, StartPosition.EARLIEST);
            received.clear();
        }
        if (scenario.op == Op.EXCLUSIVE_OFFER || scenario.op == Op.EXCLUSIVE_OFFER_WRAP)
        {
            // the broker finds the exclusive producer's process gone and clears what it left past the tail
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, TOPIC), TOPIC, 5_000))
            {
                await("the dead exclusive producer released", () -> 0 == log.exclusiveOwnerPidVolatile());
            }
        }
        final Producer producer = openProducer();
        for (int i = 0; i < AFTER; i++)
        {
            expected.add(nextSeq);
            publish(producer, "after the death at '" + label + "'");
        }
        pollUntil(reader, received, expected.size(), scenario + " after " + label);
        assertEquals(expected, received, scenario + " after '" + label + "': every committed message once, in order");
        assertFalse(reader.isRevoked(), "consumer revoked: " + errors);
        assertTrue(errors.isEmpty(), "client errors: " + errors);

        awaitArchived(scenario + " after " + label);
        checkSegments(expected.size(), label);
        checkRingSettled(label);

        // a restarted broker recovers the segments and replays the same stream, and the topic takes new messages
        closeAll();
        startBroker();
        final Consumer replay = connect().addConsumer(TOPIC, StartPosition.EARLIEST);
        final Producer after = openProducer();
        expected.add(nextSeq);
        publish(after, "after the restart");
        final List<Long> replayed = new ArrayList<>();
        pollUntil(replay, replayed, expected.size(), "replay after the restart");
        assertEquals(expected, replayed, "the restarted broker replays the same stream");
        awaitArchived("after the restart");
        checkSegments(expected.size(), label + ", after the restart");
    }

    /**
     * A broker with an archive, a consumer from the earliest position and {@link #BEFORE} messages; then the state
     * the scenario's step needs. The unblock scenarios stop the broker and leave a claim abandoned by a producer
     * killed mid-claim, so that the crashing process is the only unblocker until a broker starts again.
     */
    private Consumer prepare(final Scenario scenario) throws IOException
    {
        shm = children.shmDirectory().resolve("shm");
        data = children.shmDirectory().resolve("data");
        nextSeq = 0;
        startBroker();
        final ShmBus bus = connect();
        final Consumer consumer = bus.addConsumer(TOPIC, StartPosition.EARLIEST);
        final Producer producer = bus.addProducer(TOPIC);
        received.clear();
        for (int i = 0; i < BEFORE; i++)
        {
            publish(producer, "before");
        }
        pollUntil(consumer, received, BEFORE, "before");
        if (scenario == Scenario.OFFER_WRAP || scenario == Scenario.EXCLUSIVE_OFFER_WRAP)
        {
            // fill with the parent's messages until the victim's frame no longer fits before the ring's end
            final int frame = CrashPointMain.alignedFrameLength();
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, TOPIC), TOPIC, 5_000))
            {
                while (CAPACITY - ((int)log.tailVolatile() & log.mask()) >= frame)
                {
                    publish(producer, "filling to the end of the ring");
                    pollUntil(consumer, received, (int)nextSeq, "filling");
                }
            }
        }
        if (scenario.op != Op.CLEAN && scenario.op != Op.UNBLOCK)
        {
            settleLimitAhead(scenario);
        }
        if (scenario.op == Op.UNBLOCK)
        {
            closeAll();
            final JavaProcess claimer = children.start("claimer", CrashPointMain.class, "dir=" + shm,
                "topic=" + TOPIC, "op=offer", "store=" + scenario.claimDeath(), "value=" + VICTIM_VALUE);
            assertEquals(CrashPointMain.DIED_EXIT_STATUS, claimer.awaitExit(DEADLINE), claimer.recentOutput());
            return null;
        }
        return consumer;
    }

    /**
     * A producer near its limit cleans a step before it claims, and those stores would come first in the victim's
     * list: how near depends on how far the broker's own cleaning has got, which on a loaded machine can lag. So
     * the limit is moved far enough ahead here (everything the consumer has read freed) that the victim's step is
     * exactly the one in the table.
     */
    private void settleLimitAhead(final Scenario scenario)
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, TOPIC), TOPIC, 5_000))
        {
            final FlowControl flowControl = new FlowControl(log, new ConsumerSlots(log));
            final int room = 2 * CrashPointMain.alignedFrameLength(); // a padding frame and the victim's
            await(scenario + ": the producer limit more than half a ring past the victim's frame", () ->
            {
                flowControl.tryAdvance(); // returns at once if the broker holds the clean lock: tried again
                return log.producerLimitVolatile() - CAPACITY / 2 >= log.tailVolatile() + room;
            });
        }
    }

    private JavaProcess runVictim(final Scenario scenario, final int store) throws IOException
    {
        String at = "0";
        if (scenario.op == Op.UNBLOCK)
        {
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, TOPIC), TOPIC, 5_000))
            {
                at = Long.toString(log.tailVolatile() - CrashPointMain.alignedFrameLength());
            }
        }
        // The broker cleans too: a cleaning step that found the lock taken makes no store, so it is run again
        for (int attempt = 1; ; attempt++)
        {
            final JavaProcess victim = children.start("victim-" + attempt, CrashPointMain.class, "dir=" + shm,
                "topic=" + TOPIC, "op=" + scenario.op.name(), "store=" + store, "value=" + VICTIM_VALUE, "at=" + at);
            if (scenario.op != Op.CLEAN || attempt == 10)
            {
                return victim;
            }
            victim.awaitExit(DEADLINE);
            final boolean ran = victim.stdoutLines().stream().anyMatch(
                line -> line.startsWith("DIED ") || line.startsWith("DONE stores=" + scenario.stores.size() + " "));
            if (ran)
            {
                return victim;
            }
        }
    }

    private void startBroker() throws IOException
    {
        final Path config = children.shmDirectory().resolve("broker.conf");
        Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
        final Broker broker = Broker.launch(new BrokerContext().dir(shm).dataDir(data).configFile(config)
            .segmentLength(256 * 1024).unblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(UNBLOCK_TIMEOUT_MS))
            .log(new PrintStream(brokerLog, true)));
        open.add(broker);
    }

    private ShmBus connect()
    {
        final ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm).errorHandler(errors::add));
        open.add(bus);
        return bus;
    }

    private Producer openProducer()
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            if (open.get(i) instanceof ShmBus)
            {
                return ((ShmBus)open.get(i)).addProducer(TOPIC);
            }
        }
        return connect().addProducer(TOPIC);
    }

    private void publish(final Producer producer, final String when)
    {
        message.putLong(0, PRODUCER_TAG);
        message.putLong(8, nextSeq);
        await(when + ": offer of message " + nextSeq + " accepted",
            () -> producer.offer(message, 0, CrashPointMain.MESSAGE_LENGTH) > 0);
        nextSeq++;
    }

    private void pollUntil(final Consumer consumer, final List<Long> received, final int count, final String when)
    {
        await(when + ": " + count + " messages received (have " + received + ")", () ->
        {
            consumer.poll((buffer, offset, length, header) ->
            {
                final long tag = buffer.getLong(offset);
                assertTrue(tag == PRODUCER_TAG || tag == CrashPointMain.VICTIM_TAG, "tag " + tag);
                received.add(buffer.getLong(offset + 8));
            }, 100);
            return received.size() >= count;
        });
    }

    private void awaitArchived(final String when) throws IOException
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, TOPIC), TOPIC, 5_000))
        {
            await(when + ": archived up to the tail", () -> log.archivedPositionVolatile() == log.tailVolatile());
        }
    }

    private void checkSegments(final int messages, final String after) throws IOException
    {
        final SegmentScanner.Result result = new SegmentScanner().scan(data.resolve(TOPIC), file -> { });
        assertNull(result.problem, "verify after " + after + ": " + result.problem + " at " + result.problemPosition);
        assertEquals(messages, result.messages, "archived messages after " + after);
    }

    private void checkRingSettled(final String after) throws IOException
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(shm, TOPIC), TOPIC, 5_000))
        {
            await("clean lock free and the limit published after " + after, () -> 0 == log.cleanerPidVolatile() &&
                log.cleanPositionVolatile() == log.producerLimitVolatile() + LogDescriptor.CLEAN_GUARD_LENGTH);
            final long end = log.producerLimitVolatile() + LogDescriptor.CLEAN_GUARD_LENGTH;
            for (long position = log.tailVolatile(); position < end; position += 8)
            {
                assertEquals(0, log.ring().getLong((int)position & log.mask()), "ring clean ahead of the tail at " +
                    position + " after " + after);
            }
        }
    }

    private void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("no " + what + " within " + DEADLINE.toMillis() + " ms; broker log:\n" +
                    brokerLog.toString(StandardCharsets.UTF_8));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private void deleteDirectories() throws IOException
    {
        for (final Path root : List.of(shm, data))
        {
            if (Files.exists(root))
            {
                try (Stream<Path> paths = Files.walk(root))
                {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
