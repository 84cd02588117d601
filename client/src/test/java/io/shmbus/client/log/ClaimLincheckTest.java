package io.shmbus.client.log;

import io.shmbus.client.BufferClaim;
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

/**
 * Model-checks the claim protocol (claim, end-of-ring padding, position, header CAS, commit, abort) and the
 * consumers' poll against the most adversarial unblocker, with Lincheck's model checker: a broker that unblocks
 * the frame at a consumer's position at any moment, so even a live producer between its claim and its commit may
 * find its space padded.
 * <p>
 * Four processes share one log in memory, each through its own view: producers (any thread: {@code offer},
 * {@code tryClaim} then {@code commit}, {@code tryClaim} then {@code abort}), a producer that dies right after
 * its k-th store of an offer (through a {@link StoreHook} view; k is a parameter over all of an offer's stores,
 * end-of-ring padding and a second claim included), a consumer process with two consumers (one thread), and the
 * broker's unblocker (one thread). The log starts 96 bytes before the end of the ring, so the second claim pads
 * the end and wraps.
 * <p>
 * The ring is not a linearizable FIFO queue (a consumer waits at an open claim while a later one is committed), so
 * nothing is checked against a sequential specification: every operation returns void, which any interleaving
 * explains, and the specification is a set of no-ops ({@link NoResults}). The log's contract is checked instead
 * by assertions, which Lincheck reports with the interleaving that broke them:
 * <ul>
 *     <li>while it runs, in the consumers' handler: every message delivered was offered and not yet delivered to
 *     that consumer, whole, at a strictly increasing position, each producer thread's messages in its program
 *     order; no consumer is revoked or lapped;</li>
 *     <li>at quiescence ({@link #validate()}): with the unblocker run until nothing blocks and both consumers
 *     drained, each delivered exactly the committed messages except those whose frame the unblocker padded while
 *     its producer had a header and had not committed (recorded when its CAS succeeds), each once and in position
 *     order; both saw the same stream; a producer whose space was padded before its header claimed again and
 *     lost nothing; and the ring is zero from the tail to the producer limit.</li>
 * </ul>
 * Two budgets: the races each step of the protocol exists for, written out as small scenarios and explored
 * exhaustively up to a few switches ({@link #writtenOut()}), and random mixes of every operation
 * ({@link #random()}). See docs/reliability.md for the mutations of the protocol each catches.
 */
@Param(name = "store", gen = IntGen.class, conf = "1:10")
@Param(name = "consumer", gen = IntGen.class, conf = "0:1")
public class ClaimLincheckTest
{
    static final int CAPACITY = LogDescriptor.MIN_CAPACITY;
    static final long INITIAL_POSITION = CAPACITY - 96;
    static final int PAYLOAD_LENGTH = 16;
    private static final int FRAME_SPACE = alignedLength(HEADER_LENGTH + PAYLOAD_LENGTH);
    private static final int WRITTEN_OUT_INVOCATIONS = 500;
    private static final int RANDOM_SCENARIOS = 20;
    private static final int RANDOM_INVOCATIONS = 100;
    /** One log for every execution: formatted again by each test instance. */
    private static final ByteBuffer MEMORY = ByteBuffer.allocateDirect((int)LogDescriptor.fileLength(CAPACITY));

    private final Ledger ledger = new Ledger();
    private final StoreHook hook = new StoreHook();
    private final Producer producer;
    private final Producer dyingProducer;
    private final Consumer[] consumers;
    private final TopicLog brokerLog;
    private final LogUnblocker unblocker;

    public ClaimLincheckTest()
    {
        ModelCheck.format(MEMORY, CAPACITY, 1024, INITIAL_POSITION);
        final Topic.Context context = new Topic.Context();
        producer = Topic.of(ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT), context).addProducer();
        dyingProducer = Topic.of(ModelCheck.view(MEMORY, hook), context).addProducer();
        final Topic consumerProcess = Topic.of(ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT), context);
        consumers = new Consumer[]
        {
            consumerProcess.addConsumer(StartPosition.EARLIEST),
            consumerProcess.addConsumer(StartPosition.EARLIEST)
        };
        brokerLog = ModelCheck.view(MEMORY, (memory, offset, length) -> new BrokerBuffer(ledger, memory, offset, length));
        unblocker = new LogUnblocker(brokerLog);
    }

    @Operation
    public void offer()
    {
        final long id = ledger.start();
        ledger.committed(id, producer.offer(Ledger.message(id), 0, PAYLOAD_LENGTH));
    }

    @Operation
    public void claimAndCommit()
    {
        final long id = ledger.start();
        final BufferClaim claim = new BufferClaim();
        final long position = producer.tryClaim(PAYLOAD_LENGTH, claim);
        Ledger.checkPublished(id, position);
        claim.buffer().putBytes(claim.offset(), Ledger.message(id), 0, PAYLOAD_LENGTH);
        claim.commit();
        ledger.committed(id, position);
    }

    @Operation
    public void claimAndAbort()
    {
        final long id = ledger.start();
        final BufferClaim claim = new BufferClaim();
        final long position = producer.tryClaim(PAYLOAD_LENGTH, claim);
        Ledger.checkPublished(id, position);
        claim.buffer().putBytes(claim.offset(), Ledger.message(id), 0, PAYLOAD_LENGTH);
        claim.abort();
        ledger.aborted(id);
    }

    /**
     * An offer by a process that dies right after its {@code store}-th store to the log (or completes, if the
     * offer makes fewer). Each call is a new process.
     */
    @Operation(nonParallelGroup = "dying")
    public void dyingOffer(@Param(name = "store") final int store)
    {
        final long id = ledger.start();
        hook.arm(store, () ->
        {
            throw new ProcessDeath("store " + store);
        });
        try
        {
            final long position = dyingProducer.offer(Ledger.message(id), 0, PAYLOAD_LENGTH);
            hook.disarm();
            ledger.committed(id, position);
        }
        catch (final ProcessDeath death)
        {
            ledger.died(id, hook.trace());
        }
    }

    @Operation(nonParallelGroup = "consumers")
    public void poll(@Param(name = "consumer") final int consumer)
    {
        consumers[consumer].poll(ledger.handlers[consumer], 10);
        Ledger.checkNotRevoked(consumers[consumer], consumer);
    }

    /** The broker unblocks the frame a consumer waits at, however short the wait. */
    @Operation(nonParallelGroup = "broker")
    public void unblock(@Param(name = "consumer") final int consumer)
    {
        unblocker.unblock(brokerLog.slotPositionVolatile(consumers[consumer].slot()));
    }

    @Validate
    public void validate()
    {
        ledger.validate(brokerLog, consumers, unblocker);
    }

    /** The races each protocol step exists for, explored exhaustively up to a few switches. */
    @Test
    @Timeout(120)
    void writtenOutRaces()
    {
        writtenOut().check(ClaimLincheckTest.class);
    }

    /** Random mixes of every operation, three threads of three. */
    @Test
    @Timeout(120)
    void randomScenarios()
    {
        random().check(ClaimLincheckTest.class);
    }

    static ModelCheckingOptions writtenOut()
    {
        return options()
            .iterations(0)
            .invocationsPerIteration(WRITTEN_OUT_INVOCATIONS)
            // a live producer's header CAS against the unblocker holding the same slot
            .addCustomScenario(ModelCheck.scenario(ClaimLincheckTest.class, "", "offer", "unblock 0"))
            // a claim that pads the end of the ring and wraps, against the unblocker padding the same space
            .addCustomScenario(ModelCheck.scenario(ClaimLincheckTest.class, "offer; poll 0", "offer", "unblock 0"))
            // a commit against the unblocker's CAS of the header, with both consumers reading
            .addCustomScenario(ModelCheck.scenario(ClaimLincheckTest.class, "",
                "claimAndCommit", "unblock 1", "poll 0; poll 1"))
            // a producer dead after its header, or its position, then a live one claiming after it
            .addCustomScenario(ModelCheck.scenario(ClaimLincheckTest.class, "", "dyingOffer 3; offer", "unblock 0"))
            .addCustomScenario(ModelCheck.scenario(ClaimLincheckTest.class, "", "dyingOffer 2; offer", "unblock 0"));
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
        return ModelCheck.options(Ledger.class.getCanonicalName()).sequentialSpecification(NoResults.class);
    }

    /** Every operation returns void: the no-op specification explains any interleaving of them. */
    public static final class NoResults
    {
        public void offer()
        {
        }

        public void claimAndCommit()
        {
        }

        public void claimAndAbort()
        {
        }

        public void dyingOffer(final int store)
        {
        }

        public void poll(final int consumer)
        {
        }

        public void unblock(final int consumer)
        {
        }
    }

    /**
     * The broker's view of the log: records each frame the unblocker pads by a CAS of its commit word from a
     * header ({@code -length}, not a held slot), the case in which a producer that has not committed loses its
     * message, with the position the frame names (its producer wrote it before taking the header).
     */
    static final class BrokerBuffer extends UnsafeBuffer
    {
        private final Ledger ledger;
        private final boolean isRing;

        BrokerBuffer(final Ledger ledger, final ByteBuffer memory, final int offset, final int length)
        {
            super(memory, offset, length);
            this.ledger = ledger;
            isRing = 0 != offset;
        }

        public boolean compareAndSetLong(final int index, final long expected, final long update)
        {
            final boolean done = super.compareAndSetLong(index, expected, update);
            if (done && isRing && frameLength(expected) < 0 && LogUnblocker.HELD_SLOT != expected)
            {
                ledger.headerPadded(index, getLong(index + POSITION_OFFSET));
            }
            return done;
        }
    }

    /**
     * What producers did and consumers saw, and the checks. Its methods are ignored by the model checker: they
     * are not part of any protocol, and run atomically.
     */
    static final class Ledger
    {
        private static final int MAX_THREADS = 8;
        private static final int PER_THREAD = 16;
        private static final byte STARTED = 1;
        private static final byte COMMITTED = 2;
        private static final byte ABORTED = 3;
        private static final byte DIED = 4;
        private static final byte DIED_COMMITTED = 5;

        private final List<Thread> threads = new ArrayList<>();
        private final int[] nextSequence = new int[MAX_THREADS];
        private final byte[] state = new byte[MAX_THREADS * PER_THREAD];
        private final long[] framePosition = new long[MAX_THREADS * PER_THREAD];
        private final List<Long> paddedHeaders = new ArrayList<>();
        private final List<List<Long>> deliveredIds = List.of(new ArrayList<>(), new ArrayList<>());
        private final List<List<Long>> deliveredPositions = List.of(new ArrayList<>(), new ArrayList<>());
        private final boolean[][] delivered = new boolean[2][MAX_THREADS * PER_THREAD];
        private final int[][] lastSequence = new int[2][MAX_THREADS];
        final FragmentHandler[] handlers = {new Handler(this, 0), new Handler(this, 1)};

        Ledger()
        {
            for (final int[] last : lastSequence)
            {
                Arrays.fill(last, -1);
            }
        }

        static void checkPublished(final long id, final long newTail)
        {
            if (newTail <= 0)
            {
                throw new AssertionError("message " + id + " not published: " + Producer.resultName(newTail));
            }
        }

        static void checkNotRevoked(final Consumer consumer, final int index)
        {
            check(!consumer.isRevoked(), "consumer ", index, " revoked (lapped)");
        }

        static DirectBuffer message(final long id)
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
            message.putLong(0, id);
            message.putLong(8, ~id);
            return message;
        }

        /** A new message of the calling thread: {@code thread * 16 + sequence}. */
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
            final int id = thread * PER_THREAD + sequence;
            state[id] = STARTED;
            return id;
        }

        void committed(final long id, final long newTail)
        {
            checkPublished(id, newTail);
            state[(int)id] = COMMITTED;
            framePosition[(int)id] = newTail - FRAME_SPACE;
        }

        void aborted(final long id)
        {
            state[(int)id] = ABORTED;
        }

        void died(final long id, final List<String> stores)
        {
            final String last = stores.get(stores.size() - 1);
            state[(int)id] = "ring release store frame length".equals(last) ? DIED_COMMITTED : DIED;
        }

        /** The unblocker turned the header at ring {@code offset} into padding: its message is lost. */
        void headerPadded(final int offset, final long namedPosition)
        {
            final long position = INITIAL_POSITION + ((offset - INITIAL_POSITION) & (CAPACITY - 1)); // one lap only
            check(namedPosition == position, "the unblocker padded a header at ", position, " that names position ",
                namedPosition, ": its producer took the header before writing the position");
            paddedHeaders.add(position);
        }

        /** Runs inside a consumer's poll, for each message it delivers. */
        void delivered(final int consumer, final long id, final long check, final int length, final long position)
        {
            final Object at = new Object()
            {
                public String toString()
                {
                    return " (consumer " + consumer + " at " + position + ")";
                }
            };
            check(PAYLOAD_LENGTH == length && ~id == check, "not a whole message: length ", length, at);
            final int thread = (int)(id / PER_THREAD);
            final int sequence = (int)(id % PER_THREAD);
            check(id >= 0 && thread < threads.size() && sequence < nextSequence[thread],
                "message ", id, " was never offered", at);
            check(!delivered[consumer][(int)id], "message ", id, " delivered twice", at);
            final List<Long> positions = deliveredPositions.get(consumer);
            check(positions.isEmpty() || position > positions.get(positions.size() - 1),
                "position not after the previous ones ", positions, at);
            check(sequence > lastSequence[consumer][thread],
                "message ", id, " out of its producer thread's order", at);
            delivered[consumer][(int)id] = true;
            lastSequence[consumer][thread] = sequence;
            deliveredIds.get(consumer).add(id);
            positions.add(position);
        }

        /** At quiescence: unblock and drain everything, then compare what was delivered with what was committed. */
        void validate(final TopicLog log, final Consumer[] consumers, final LogUnblocker unblocker)
        {
            final long tail = log.tailVolatile();
            for (int round = 0; ; round++)
            {
                boolean blocked = false;
                for (int c = 0; c < consumers.length; c++)
                {
                    final Consumer consumer = consumers[c];
                    while (consumer.poll(handlers[c], 100) > 0)
                    {
                        checkNotRevoked(consumer, c);
                    }
                    checkNotRevoked(consumer, c);
                    if (consumer.position() < tail)
                    {
                        blocked = true;
                        unblocker.unblock(consumer.position());
                    }
                }
                if (!blocked)
                {
                    break;
                }
                check(round < 100, "consumers never reach the tail ", tail);
            }

            final long[] foundAt = walkFrames(log, tail);
            final List<Long> expectedIds = new ArrayList<>();
            final List<Long> expectedPositions = new ArrayList<>();
            for (int id = 0; id < state.length; id++)
            {
                long position = -1;
                if (COMMITTED == state[id])
                {
                    position = framePosition[id];
                    check(foundAt[id] == position, "message ", id, " committed at ", position,
                        " is lost: no whole frame holds it there (found at ", foundAt[id], ")");
                }
                else if (DIED_COMMITTED == state[id])
                {
                    position = foundAt[id];
                    check(position >= 0, "message ", id, " committed by a dying producer is in no frame");
                }
                if (position >= 0 && !paddedHeaders.contains(position))
                {
                    int i = expectedPositions.size();
                    while (i > 0 && expectedPositions.get(i - 1) > position)
                    {
                        i--;
                    }
                    expectedPositions.add(i, position);
                    expectedIds.add(i, (long)id);
                }
            }

            final Object summary = new Object()
            {
                public String toString()
                {
                    return " (expected " + expectedIds + " at " + expectedPositions + ", padded headers " +
                        paddedHeaders + ", consumer 0 " + deliveredIds.get(0) + ", consumer 1 " + deliveredIds.get(1) +
                        ")";
                }
            };
            check(deliveredIds.get(0).equals(deliveredIds.get(1)) &&
                deliveredPositions.get(0).equals(deliveredPositions.get(1)),
                "the consumers saw different streams", summary);
            for (int c = 0; c < 2; c++)
            {
                check(deliveredIds.get(c).equals(expectedIds) && deliveredPositions.get(c).equals(expectedPositions),
                    "consumer ", c, " did not get exactly the committed messages, in order", summary);
            }
            final int[] last = new int[MAX_THREADS];
            Arrays.fill(last, -1);
            for (final long id : expectedIds)
            {
                final int thread = (int)(id / PER_THREAD);
                check((int)(id % PER_THREAD) > last[thread], "message ", id, " is before an earlier message of its " +
                    "producer thread", summary);
                last[thread] = (int)(id % PER_THREAD);
            }

            final long end = log.producerLimitVolatile() + LogDescriptor.CLEAN_GUARD_LENGTH;
            final long dirty = ModelCheck.firstNonZero(log, tail, end);
            check(dirty == end, "ring not clean ahead of the tail ", tail, ": byte at ", dirty, summary);
        }

        /**
         * Walks the frames from the initial position to the tail as a reader does (everything is committed or
         * padding by now), checking each frame names its own position.
         *
         * @return for each message id, the position of the frame that holds its payload (a message or padding),
         * or -1.
         */
        private long[] walkFrames(final TopicLog log, final long tail)
        {
            final long[] foundAt = new long[state.length];
            Arrays.fill(foundAt, -1);
            final UnsafeBuffer ring = log.ring();
            long position = INITIAL_POSITION;
            while (position < tail)
            {
                final int offset = (int)position & log.mask();
                final int length = ring.getInt(offset + FRAME_LENGTH_OFFSET);
                check(length > 0, "frame at ", position, " still blocks after unblocking: ", length);
                check(ring.getLong(offset + POSITION_OFFSET) == position,
                    "frame at ", position, " names position ", ring.getLong(offset + POSITION_OFFSET));
                if (HEADER_LENGTH + PAYLOAD_LENGTH == length)
                {
                    final long id = ring.getLong(offset + HEADER_LENGTH);
                    if (id >= 0 && id < state.length && ~id == ring.getLong(offset + HEADER_LENGTH + 8))
                    {
                        foundAt[(int)id] = position;
                    }
                }
                position += alignedLength(length);
            }
            check(position == tail, "frames end at ", position, ", past the tail ", tail);
            return foundAt;
        }
    }

    /** Hands each delivered message to the ledger; reads the ring as a consumer's handler does. */
    static final class Handler implements FragmentHandler
    {
        private final Ledger ledger;
        private final int consumer;

        Handler(final Ledger ledger, final int consumer)
        {
            this.ledger = ledger;
            this.consumer = consumer;
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            ledger.delivered(consumer, buffer.getLong(offset), buffer.getLong(offset + 8), length, header.position());
        }
    }
}
