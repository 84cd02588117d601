package io.shmbus.client.log;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Consumer;
import io.shmbus.client.ExclusiveProducer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static io.shmbus.client.log.ClaimLincheckTest.CAPACITY;
import static io.shmbus.client.log.ClaimLincheckTest.INITIAL_POSITION;
import static io.shmbus.client.log.ClaimLincheckTest.PAYLOAD_LENGTH;

/**
 * Model-checks the exclusive producer's claim (the header written past the tail, a release store of the tail, the
 * commit) and the consumers' poll against the most adversarial unblocker, with the same checks as
 * {@link ClaimLincheckTest} ({@link ClaimLincheckTest.Ledger}): each consumer gets exactly the committed messages
 * except those whose header the unblocker padded before their commit, once each and in order; both see the same
 * stream; every frame names its position; the ring is clean ahead of the tail at quiescence.
 * <p>
 * The exclusive producer is one process publishing from one thread ({@code offer}, {@code tryClaim} then
 * {@code commit} or {@code abort}), through a {@link StoreHook} view so that it can die right after its k-th store
 * of an offer; after that it does nothing more, and before the checks the broker's part runs
 * ({@link TopicLog#releaseDeadExclusiveOwner}: what it left past the tail is zeroed). Two consumers in one thread
 * and the broker's unblocker, which acts at any moment, run beside it. The log starts 96 bytes before the end of
 * the ring, so the second claim pads the end and wraps.
 */
@Param(name = "store", gen = IntGen.class, conf = "1:11")
@Param(name = "consumer", gen = IntGen.class, conf = "0:1")
public class ExclusiveLincheckTest
{
    private static final int WRITTEN_OUT_INVOCATIONS = 500;
    private static final int RANDOM_SCENARIOS = 15;
    private static final int RANDOM_INVOCATIONS = 100;
    private static final ByteBuffer MEMORY = ByteBuffer.allocateDirect((int)LogDescriptor.fileLength(CAPACITY));

    private final ClaimLincheckTest.Ledger ledger = new ClaimLincheckTest.Ledger();
    private final StoreHook hook = new StoreHook();
    private final ExclusiveProducer producer;
    private final Consumer[] consumers;
    private final TopicLog brokerLog;
    private final LogUnblocker unblocker;
    private final long owner;
    private boolean dead;

    public ExclusiveLincheckTest()
    {
        ModelCheck.format(MEMORY, CAPACITY, 1024, INITIAL_POSITION);
        final Topic.Context context = new Topic.Context();
        producer = Topic.of(ModelCheck.view(MEMORY, hook), context).addExclusiveProducer();
        final Topic consumerProcess = Topic.of(ModelCheck.view(MEMORY, TopicLog.LogBuffers.DIRECT), context);
        consumers = new Consumer[]
        {
            consumerProcess.addConsumer(StartPosition.EARLIEST),
            consumerProcess.addConsumer(StartPosition.EARLIEST)
        };
        brokerLog = ModelCheck.view(MEMORY,
            (memory, offset, length) -> new ClaimLincheckTest.BrokerBuffer(ledger, memory, offset, length));
        unblocker = new LogUnblocker(brokerLog);
        owner = brokerLog.exclusiveOwnerPidVolatile();
    }

    @Operation(nonParallelGroup = "producer")
    public void offer()
    {
        if (!dead)
        {
            final long id = ledger.start();
            ledger.committed(id, producer.offer(ClaimLincheckTest.Ledger.message(id), 0, PAYLOAD_LENGTH));
        }
    }

    @Operation(nonParallelGroup = "producer")
    public void claimAndCommit()
    {
        if (!dead)
        {
            final long id = ledger.start();
            final BufferClaim claim = new BufferClaim();
            final long position = producer.tryClaim(PAYLOAD_LENGTH, claim);
            ClaimLincheckTest.Ledger.checkPublished(id, position);
            claim.buffer().putBytes(claim.offset(), ClaimLincheckTest.Ledger.message(id), 0, PAYLOAD_LENGTH);
            claim.commit();
            ledger.committed(id, position);
        }
    }

    @Operation(nonParallelGroup = "producer")
    public void claimAndAbort()
    {
        if (!dead)
        {
            final long id = ledger.start();
            final BufferClaim claim = new BufferClaim();
            ClaimLincheckTest.Ledger.checkPublished(id, producer.tryClaim(PAYLOAD_LENGTH, claim));
            claim.abort();
            ledger.aborted(id);
        }
    }

    /** An offer during which the producer's process dies right after its {@code store}-th store. */
    @Operation(nonParallelGroup = "producer")
    public void dyingOffer(@Param(name = "store") final int store)
    {
        if (dead)
        {
            return;
        }
        final long id = ledger.start();
        hook.arm(store, () ->
        {
            throw new ProcessDeath("store " + store);
        });
        try
        {
            final long position = producer.offer(ClaimLincheckTest.Ledger.message(id), 0, PAYLOAD_LENGTH);
            hook.disarm();
            ledger.committed(id, position);
        }
        catch (final ProcessDeath death)
        {
            dead = true;
            ledger.died(id, hook.trace());
        }
    }

    @Operation(nonParallelGroup = "consumers")
    public void poll(@Param(name = "consumer") final int consumer)
    {
        consumers[consumer].poll(ledger.handlers[consumer], 10);
        ClaimLincheckTest.Ledger.checkNotRevoked(consumers[consumer], consumer);
    }

    @Operation(nonParallelGroup = "broker")
    public void unblock(@Param(name = "consumer") final int consumer)
    {
        unblocker.unblock(brokerLog.slotPositionVolatile(consumers[consumer].slot()));
    }

    @Validate
    public void validate()
    {
        if (dead)
        {
            ModelCheck.check(brokerLog.releaseDeadExclusiveOwner(owner) >= 0, "the dead owner is not released");
        }
        ledger.validate(brokerLog, consumers, unblocker);
    }

    /** The races the exclusive claim's order exists for, explored exhaustively up to a few switches. */
    @Test
    @Timeout(120)
    void writtenOutRaces()
    {
        options()
            .iterations(0)
            .invocationsPerIteration(WRITTEN_OUT_INVOCATIONS)
            // the unblocker at the frame being claimed: it must see nothing to pad until the tail covers a header
            .addCustomScenario(ModelCheck.scenario(ExclusiveLincheckTest.class, "", "offer; offer", "unblock 0",
                "poll 0; poll 1"))
            // a commit against the unblocker's CAS of the header
            .addCustomScenario(ModelCheck.scenario(ExclusiveLincheckTest.class, "", "claimAndCommit", "unblock 1",
                "poll 1; poll 0"))
            // dead with the header past the tail, and dead after publishing the tail, before the commit
            .addCustomScenario(ModelCheck.scenario(ExclusiveLincheckTest.class, "", "dyingOffer 5", "unblock 0",
                "poll 0"))
            .addCustomScenario(ModelCheck.scenario(ExclusiveLincheckTest.class, "", "dyingOffer 6", "unblock 0",
                "poll 0; poll 1"))
            // the second offer pads the end of the ring: dead with the padding frame published but not committed
            .addCustomScenario(ModelCheck.scenario(ExclusiveLincheckTest.class, "offer", "dyingOffer 8",
                "unblock 0", "poll 0"))
            .check(ExclusiveLincheckTest.class);
    }

    /** Random mixes of every operation. */
    @Test
    @Timeout(120)
    void randomScenarios()
    {
        options()
            .iterations(RANDOM_SCENARIOS)
            .invocationsPerIteration(RANDOM_INVOCATIONS)
            .threads(3)
            .actorsPerThread(3)
            .actorsBefore(0)
            .actorsAfter(0)
            .check(ExclusiveLincheckTest.class);
    }

    private static ModelCheckingOptions options()
    {
        return ModelCheck.options(ClaimLincheckTest.Ledger.class.getCanonicalName())
            .sequentialSpecification(NoResults.class);
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
}
