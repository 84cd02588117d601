package io.shmbus.client.log;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.shmbus.client.log.FrameDescriptor.*;
import static io.shmbus.client.log.ModelCheck.check;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

/**
 * Model-checks flow control's cleaning with Lincheck's model checker: the clean lock, the clean position, the
 * Dekker handshake between a cleaner's recheck and a consumer joining at "earliest", {@code cleanCheckedPosition},
 * the zeroing, the producer limit, and the broker's takeover of a lock left by a dead cleaner.
 * <p>
 * Messages of 12 KiB in the smallest ring (64 KiB, five frames) make producers clean within a few offers. Five
 * processes share one log in memory: producers ({@code offer}, retried a few times while back-pressured; they
 * clean in small steps and then in full), a consumer that holds them ({@code poll}), a consumer that joins at
 * {@link StartPosition#EARLIEST} while cleaning goes on and then reads ({@code joiner}), a cleaner in another
 * process that dies right after its k-th store of a cleaning step (through a {@link StoreHook} view; k is a
 * parameter over every store of a step), and the broker, which cleans keeping a quarter of the ring
 * ({@code advance}) and takes over the dead cleaner's lock ({@code recover}).
 * <p>
 * Every operation returns void, which any interleaving explains: the specification is a set of no-ops
 * ({@link NoResults}), and the contract is checked by assertions that Lincheck reports with the interleaving:
 * <ul>
 *     <li>in the consumers' handlers: each message is whole, byte for byte as offered (not zeroed, not
 *     overwritten by a later lap, read in place while cleaning goes on), offered and not yet delivered, at a
 *     strictly increasing position, in its producer thread's order; no consumer is revoked or lapped;</li>
 *     <li>at quiescence ({@link #validate()}), after a final recovery: the lock is free and the clean position is
 *     the producer limit plus 8; the ring is zero from the tail to there; the first consumer got every committed
 *     message once and in order; the joiner got a gap-free run of them up to the tail.</li>
 * </ul>
 * The broker recovers only the lock of a process it has seen gone: recovering a live (stalled) holder's lock is
 * outside the protocol, which says a live holder would zero its range when it resumes. Two budgets: the races
 * written out as small scenarios ({@link #writtenOut()}) and random mixes of every operation
 * ({@link #random()}). See docs/reliability.md for the mutations of the protocol each catches.
 */
@Param(name = "store", gen = IntGen.class, conf = "1:8")
public class CleaningLincheckTest
{
    private static final int CAPACITY = LogDescriptor.MIN_CAPACITY;
    private static final int PAYLOAD_LENGTH = 12 * 1024;
    private static final int FRAME_SPACE = alignedLength(HEADER_LENGTH + PAYLOAD_LENGTH);
    private static final int OFFER_ATTEMPTS = 3;
    private static final long BROKER_PID = ProcessHandle.current().pid() + 1_000_000;
    /** The dying cleaners' processes are numbered from here: each is a new process, and pids are not reused. */
    private static final long FIRST_DYING_PID = ProcessHandle.current().pid() + 2_000_000;
    private static final int WRITTEN_OUT_INVOCATIONS = 1000;
    private static final int RANDOM_SCENARIOS = 20;
    private static final int RANDOM_INVOCATIONS = 100;
    /** One log for every execution: formatted again by each test instance. */
    private static final ByteBuffer MEMORY = ByteBuffer.allocateDirect((int)LogDescriptor.fileLength(CAPACITY));

    private final Ledger ledger = new Ledger();
    private final StoreHook hook = new StoreHook();
    private final Producer producer;
    private final Consumer consumer;
    private final Topic joinerProcess;
    private Consumer joiner;
    private final TopicLog dyingLog;
    private final TopicLog brokerLog;
    private final FlowControl broker;

    public CleaningLincheckTest()
    {
        ModelCheck.format(MEMORY, CAPACITY, PAYLOAD_LENGTH, 0);
        final Topic.Context context = new Topic.Context();
        producer = Topic.of(ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT), context).addProducer();
        consumer = Topic.of(ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT), context)
            .addConsumer(StartPosition.EARLIEST);
        joinerProcess = Topic.of(ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT), context);
        dyingLog = ModelCheck.view(MEMORY, hook);
        brokerLog = ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT);
        broker = new FlowControl(brokerLog, new ConsumerSlots(brokerLog), BROKER_PID);
    }

    @Operation
    public void offer()
    {
        final long id = ledger.start();
        final DirectBuffer message = new UnsafeBuffer(Ledger.payload(id));
        long position = Producer.BACK_PRESSURED;
        for (int i = 0; i < OFFER_ATTEMPTS && position < 0; i++)
        {
            position = producer.offer(message, 0, PAYLOAD_LENGTH);
            if (position <= 0 && Producer.BACK_PRESSURED != position && Producer.ADMIN_ACTION != position)
            {
                throw new AssertionError("offer failed: " + Producer.resultName(position));
            }
        }
        ledger.offered(id, position);
    }

    @Operation(nonParallelGroup = "consumer")
    public void poll()
    {
        consumer.poll(ledger.handlers[0], 10);
        check(!consumer.isRevoked(), "consumer revoked (lapped)");
    }

    /** Joins at "earliest" on its first call; polls after that. */
    @Operation(nonParallelGroup = "joiner")
    public void joiner()
    {
        if (null == joiner)
        {
            joiner = joinerProcess.addConsumer(StartPosition.EARLIEST);
            ledger.joinedAt(joiner.position());
        }
        else
        {
            joiner.poll(ledger.handlers[1], 10);
            check(!joiner.isRevoked(), "joiner revoked (lapped)");
        }
    }

    /**
     * A cleaning step by a new process that dies right after its {@code store}-th store to the log (a failed CAS
     * of the lock counts), or completes and exits. Either way its process is gone afterwards, and only then may
     * the broker take over a lock it left.
     */
    @Operation(nonParallelGroup = "dying")
    public void dyingClean(@Param(name = "store") final int store)
    {
        final long pid = ledger.newDyingPid();
        final FlowControl cleaner = new FlowControl(dyingLog, new ConsumerSlots(dyingLog), pid);
        hook.arm(store, () ->
        {
            throw new ProcessDeath("store " + store);
        });
        try
        {
            cleaner.tryAdvance();
            hook.disarm();
        }
        catch (final ProcessDeath ignore)
        {
            // the lock, if it took it, stays with the dead pid until the broker recovers it
        }
        ledger.gone(pid);
    }

    /** The broker's periodic cleaning: sample the tail, free what consumers allow keeping a quarter of the ring. */
    @Operation(nonParallelGroup = "broker")
    public void advance()
    {
        broker.sample();
        broker.tryAdvance(CAPACITY / 4, Long.MAX_VALUE);
    }

    /** The broker takes over the clean lock if a process it has seen gone holds it. */
    @Operation(nonParallelGroup = "broker")
    public void recover()
    {
        final long holder = brokerLog.cleanerPidVolatile();
        if (ledger.isGone(holder))
        {
            broker.recoverFrom(holder);
        }
    }

    @Validate
    public void validate()
    {
        ledger.validate(this);
    }

    /** The races each protocol step exists for, explored exhaustively up to a few switches. */
    @Test
    @Timeout(120)
    void writtenOutRaces()
    {
        writtenOut().check(CleaningLincheckTest.class);
    }

    /** Random mixes of every operation, three threads of three. */
    @Test
    @Timeout(120)
    void randomScenarios()
    {
        random().check(CleaningLincheckTest.class);
    }

    static ModelCheckingOptions writtenOut()
    {
        // the first consumer has read two frames: a cleaning step may free the first of them
        final String twoRead = "offer; offer; poll";
        return options()
            .iterations(0)
            .invocationsPerIteration(WRITTEN_OUT_INVOCATIONS)
            // the Dekker handshake: a producer's cleaning step against a consumer joining at "earliest"
            .addCustomScenario(ModelCheck.scenario(CleaningLincheckTest.class, twoRead, "offer", "joiner"))
            // the same with the broker's cleaning, which keeps a quarter of the ring
            .addCustomScenario(ModelCheck.scenario(CleaningLincheckTest.class, twoRead + "; advance; offer",
                "advance", "joiner"))
            // a joiner straddling a cleaner that dies while zeroing and the broker's recovery of its lock
            .addCustomScenario(ModelCheck.scenario(CleaningLincheckTest.class, twoRead, "dyingClean 4; recover",
                "joiner"));
    }

    static ModelCheckingOptions random()
    {
        return options()
            .iterations(RANDOM_SCENARIOS)
            .invocationsPerIteration(RANDOM_INVOCATIONS)
            .threads(3)
            .actorsPerThread(3)
            .actorsBefore(0)
            .actorsAfter(0);
    }

    private static ModelCheckingOptions options()
    {
        return ModelCheck.options(Ledger.class.getCanonicalName())
            // the tail samples are in-process hints (any of them is a frame boundary): one step, not 64
            .addGuarantee(forClasses(FlowControl.class.getCanonicalName()).methods("sample", "bestSample")
                .treatAsAtomic())
            // a scan of the 48 consumer slots is one step. Only slot 0 (the first consumer) and a later one (the
            // joiner) are ever taken, and slot positions only grow, so a scan in slot order can only find a
            // minimum at or below what an instantaneous scan finds: one step cleans at least as far, and the
            // checker is spared 48 switch points per scan
            .addGuarantee(forClasses(ConsumerSlots.class.getCanonicalName()).methods("minPosition", "reserve")
                .treatAsAtomic())
            .sequentialSpecification(NoResults.class);
    }

    /** Every operation returns void: the no-op specification explains any interleaving of them. */
    public static final class NoResults
    {
        public void offer()
        {
        }

        public void poll()
        {
        }

        public void joiner()
        {
        }

        public void dyingClean(final int store)
        {
        }

        public void advance()
        {
        }

        public void recover()
        {
        }
    }

    /**
     * What producers published and consumers read, and the checks. Its methods are ignored by the model checker:
     * they are not part of any protocol, and run atomically.
     */
    static final class Ledger
    {
        private static final int MAX_THREADS = 8;
        private static final int PER_THREAD = 16;
        private static final int MESSAGES = MAX_THREADS * PER_THREAD;

        private final List<Thread> threads = new ArrayList<>();
        private final int[] nextSequence = new int[MAX_THREADS];
        private final boolean[] committed = new boolean[MESSAGES];
        private final long[] framePosition = new long[MESSAGES];
        private final List<List<Long>> deliveredIds = List.of(new ArrayList<>(), new ArrayList<>());
        private final List<List<Long>> deliveredPositions = List.of(new ArrayList<>(), new ArrayList<>());
        private final boolean[][] delivered = new boolean[2][MESSAGES];
        private final int[][] lastSequence = new int[2][MAX_THREADS];
        private long joinedAt = -1;
        private long nextDyingPid = FIRST_DYING_PID;
        private final List<Long> gonePids = new ArrayList<>();
        final FragmentHandler[] handlers = {new Handler(this, 0), new Handler(this, 1)};

        Ledger()
        {
            for (final int[] last : lastSequence)
            {
                Arrays.fill(last, -1);
            }
        }

        /** Each message's payload: its id, then bytes that depend on the id and the offset. Made once. */
        private static final byte[][] PAYLOADS = new byte[MESSAGES][];

        static
        {
            for (int id = 0; id < MESSAGES; id++)
            {
                final byte[] payload = new byte[PAYLOAD_LENGTH];
                for (int i = 0; i < PAYLOAD_LENGTH; i++)
                {
                    payload[i] = (byte)(id * 29 + i * 7 + 1);
                }
                new UnsafeBuffer(payload).putLong(0, id);
                PAYLOADS[id] = payload;
            }
        }

        /** The payload of message {@code id}; never written to. */
        static byte[] payload(final long id)
        {
            return PAYLOADS[(int)id];
        }

        long start()
        {
            int thread = threads.indexOf(Thread.currentThread());
            if (thread < 0)
            {
                thread = threads.size();
                threads.add(Thread.currentThread());
            }
            final int sequence = nextSequence[thread]++;
            check(sequence < PER_THREAD, "too many messages per thread");
            return thread * PER_THREAD + sequence;
        }

        void offered(final long id, final long newTail)
        {
            if (newTail > 0)
            {
                committed[(int)id] = true;
                framePosition[(int)id] = newTail - FRAME_SPACE;
            }
        }

        long newDyingPid()
        {
            return nextDyingPid++;
        }

        void gone(final long pid)
        {
            gonePids.add(pid);
        }

        boolean isGone(final long pid)
        {
            return gonePids.contains(pid);
        }

        void joinedAt(final long position)
        {
            joinedAt = position;
        }

        /** Runs inside a consumer's poll, for each message it delivers ({@code payload} copied in one read). */
        void delivered(final int consumer, final byte[] payload, final int length, final long position)
        {
            final Object who = new Object()
            {
                public String toString()
                {
                    return (0 == consumer ? "consumer" : "joiner") + " at " + position + ": ";
                }
            };
            check(PAYLOAD_LENGTH == length, who, "not a message of this test (length ", length, ")");
            final long id = new UnsafeBuffer(payload).getLong(0);
            final int thread = (int)(id / PER_THREAD);
            final int sequence = (int)(id % PER_THREAD);
            check(id >= 0 && thread < threads.size() && sequence < nextSequence[thread],
                who, "message ", id, " was never offered: the frame was zeroed or overwritten");
            check(Arrays.equals(payload, payload(id)), who, "message ", id, " read torn: zeroed or overwritten " +
                "while it was read");
            check(!delivered[consumer][(int)id], who, "message ", id, " delivered twice");
            final List<Long> positions = deliveredPositions.get(consumer);
            check(positions.isEmpty() || position > positions.get(positions.size() - 1),
                who, "position not after the previous ones ", positions);
            check(sequence > lastSequence[consumer][thread],
                who, "message ", id, " out of its producer thread's order");
            delivered[consumer][(int)id] = true;
            lastSequence[consumer][thread] = sequence;
            deliveredIds.get(consumer).add(id);
            positions.add(position);
        }

        void validate(final CleaningLincheckTest test)
        {
            final TopicLog log = test.brokerLog;
            test.recover();
            check(0 == log.cleanerPidVolatile(), "the clean lock is still held by ", log.cleanerPidVolatile());
            final long limit = log.producerLimitVolatile();
            check(log.cleanPositionVolatile() == limit + LogDescriptor.CLEAN_GUARD_LENGTH,
                "clean position ", log.cleanPositionVolatile(), " is not the producer limit ", limit, " + 8");
            final long tail = log.tailVolatile();
            final long dirty = ModelCheck.firstNonZero(log, tail, limit + LogDescriptor.CLEAN_GUARD_LENGTH);
            check(dirty == limit + LogDescriptor.CLEAN_GUARD_LENGTH,
                "ring not clean ahead of the tail ", tail, ": byte at ", dirty, " (limit ", limit, ")");

            final List<Long> expectedIds = new ArrayList<>();
            final List<Long> expectedPositions = new ArrayList<>();
            for (int id = 0; id < MESSAGES; id++)
            {
                if (committed[id])
                {
                    int i = expectedPositions.size();
                    while (i > 0 && expectedPositions.get(i - 1) > framePosition[id])
                    {
                        i--;
                    }
                    expectedPositions.add(i, framePosition[id]);
                    expectedIds.add(i, (long)id);
                }
            }

            drain(log, test.consumer, 0, tail);
            final Object summary = new Object()
            {
                public String toString()
                {
                    return " (committed " + expectedIds + " at " + expectedPositions + ", consumer " +
                        deliveredIds.get(0) + ", joiner from " + joinedAt + ": " + deliveredIds.get(1) + ")";
                }
            };
            check(deliveredIds.get(0).equals(expectedIds) && deliveredPositions.get(0).equals(expectedPositions),
                "the consumer did not get every committed message once and in order", summary);
            if (null != test.joiner)
            {
                drain(log, test.joiner, 1, tail);
                final List<Long> run = deliveredPositions.get(1);
                final int from = run.isEmpty() ? expectedPositions.size() : expectedPositions.indexOf(run.get(0));
                check(from >= 0 && run.equals(expectedPositions.subList(from, expectedPositions.size())) &&
                    deliveredIds.get(1).equals(expectedIds.subList(from, expectedIds.size())),
                    "the joiner did not get a gap-free run of the committed messages up to the tail", summary);
            }
        }

        /** Polls to the end; a consumer left short of the tail is stuck at a frame that is not committed. */
        private void drain(final TopicLog log, final Consumer consumer, final int index, final long tail)
        {
            final String name = 0 == index ? "consumer" : "joiner";
            while (consumer.poll(handlers[index], 100) > 0)
            {
                check(!consumer.isRevoked(), name, " revoked (lapped)");
            }
            check(!consumer.isRevoked(), name, " revoked (lapped)");
            final long position = consumer.position();
            check(position == tail, name, " stuck at ", position, " below the tail ", tail, ": commit word ",
                log.ring().getLong((int)position & log.mask()), " (zeroed under it)");
        }
    }

    /** Copies each delivered payload out in one read, as a consumer reading in place would see it, for the ledger. */
    private static final class Handler implements FragmentHandler
    {
        private final Ledger ledger;
        private final int consumer;
        private final byte[] payload = new byte[PAYLOAD_LENGTH];

        Handler(final Ledger ledger, final int consumer)
        {
            this.ledger = ledger;
            this.consumer = consumer;
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            buffer.getBytes(offset, payload, 0, Math.min(length, PAYLOAD_LENGTH));
            ledger.delivered(consumer, payload, length, header.position());
        }
    }
}
