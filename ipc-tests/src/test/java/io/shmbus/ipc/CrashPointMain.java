package io.shmbus.ipc;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.Topic;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.LogUnblocker;
import io.shmbus.client.log.StoreHook;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Paths;
import java.util.List;

/**
 * A process that runs one step of a ring protocol (as a producer, a cleaner or the broker's unblocker would) and
 * dies, by {@code Runtime.halt}, right after its {@code store}-th store to the topic log: the exact state a
 * SIGKILL at that instant leaves. With {@code store=0} it runs the step to the end and lists its stores.
 * <p>
 * Prints {@code DIED store=K label=...} just before halting (exit status {@value #DIED_EXIT_STATUS}), or
 * {@code DONE stores=N} then one {@code STORE i label} line per store when the step ran to its end. Exits 3 when
 * the log is not in the state the step needs (e.g. {@code offer-wrap} with the tail not near the ring's end).
 * <p>
 * Arguments ({@code key=value}): dir, topic, op ({@link Op}), store, value (the message's number), at (the
 * position to unblock, for {@code unblock}).
 */
public final class CrashPointMain
{
    static final int DIED_EXIT_STATUS = 137;
    static final int NOT_READY_EXIT_STATUS = 3;
    /** Payload length of every crash-point message: tag and value, then filler. */
    static final int MESSAGE_LENGTH = 64;
    /** First long of a message published by a crashing process. */
    static final long VICTIM_TAG = 0x5649435449_4DL;

    /** The protocol steps this process can run. */
    enum Op
    {
        /** {@code offer} of one message, far from the ring's end. */
        OFFER,
        /** {@code offer} of one message that does not fit before the ring's end: padding first. */
        OFFER_WRAP,
        /** {@code tryClaim}, the payload written in place, {@code commit}, with checksums. */
        CLAIM_COMMIT,
        /** {@code tryClaim}, then {@code abort}. */
        CLAIM_ABORT,
        /** One cleaning step that frees everything the consumers have read, as producers and the broker clean. */
        CLEAN,
        /** The broker's unblocker on the claim at {@code at}. */
        UNBLOCK,
        /** An exclusive producer's {@code offer}, far from the ring's end. */
        EXCLUSIVE_OFFER,
        /** An exclusive producer's {@code offer} that does not fit before the ring's end. */
        EXCLUSIVE_OFFER_WRAP;

        static Op parse(final String name)
        {
            return valueOf(name.toUpperCase().replace('-', '_'));
        }
    }

    private CrashPointMain()
    {
    }

    public static void main(final String[] args)
    {
        final KeyValues config = KeyValues.parse(args);
        final Op op = Op.parse(config.get("op"));
        final int store = config.getInt("store");
        final String topicName = config.get("topic");
        final StoreHook hook = new StoreHook();
        final TopicLog log = TopicLog.open(TopicLog.fileOf(Paths.get(config.get("dir")), topicName), topicName,
            5_000, hook);
        final Topic topic = Topic.of(log, new Topic.Context().checksums(op == Op.CLAIM_COMMIT));
        final boolean exclusive = op == Op.EXCLUSIVE_OFFER || op == Op.EXCLUSIVE_OFFER_WRAP;
        final io.shmbus.client.ExclusiveProducer exclusiveProducer = exclusive ? topic.addExclusiveProducer() : null;
        final Producer producer = exclusive ? null : topic.addProducer();
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
        message.putLong(0, VICTIM_TAG);
        message.putLong(8, config.getLong("value"));

        if ((op == Op.OFFER_WRAP || op == Op.EXCLUSIVE_OFFER_WRAP) &&
            log.capacity() - ((int)log.tailVolatile() & log.mask()) >= alignedFrameLength())
        {
            System.out.println("NOT_READY the tail " + log.tailVolatile() + " is not near the end of the ring");
            System.exit(NOT_READY_EXIT_STATUS);
        }

        hook.arm(store, () ->
        {
            final List<String> trace = hook.trace();
            System.out.println("DIED store=" + store + " label=" + trace.get(trace.size() - 1));
            System.out.flush();
            Runtime.getRuntime().halt(DIED_EXIT_STATUS);
        });
        final String result = exclusive ? Long.toString(exclusiveProducer.offer(message, 0, MESSAGE_LENGTH)) :
            run(op, log, producer, message, config);
        final List<String> trace = hook.disarm().trace();
        System.out.println("DONE stores=" + trace.size() + " result=" + result);
        for (int i = 0; i < trace.size(); i++)
        {
            System.out.println("STORE " + (i + 1) + " " + trace.get(i));
        }
        System.out.flush();
        topic.close();
    }

    private static String run(
        final Op op, final TopicLog log, final Producer producer, final UnsafeBuffer message, final KeyValues config)
    {
        switch (op)
        {
            case OFFER:
            case OFFER_WRAP:
                return Long.toString(producer.offer(message, 0, MESSAGE_LENGTH));
            case CLAIM_COMMIT:
            case CLAIM_ABORT:
            {
                final BufferClaim claim = new BufferClaim();
                final long result = producer.tryClaim(MESSAGE_LENGTH, claim);
                if (result > 0)
                {
                    claim.buffer().putBytes(claim.offset(), message, 0, MESSAGE_LENGTH); // in place: not a store hooked
                    if (op == Op.CLAIM_COMMIT)
                    {
                        claim.commit();
                    }
                    else
                    {
                        claim.abort();
                    }
                }
                return Long.toString(result);
            }
            case CLEAN:
                return Long.toString(new FlowControl(log, new ConsumerSlots(log)).tryAdvance());
            case UNBLOCK:
                return Boolean.toString(new LogUnblocker(log).unblock(config.getLong("at")));
            default:
                throw new IllegalArgumentException(op.name());
        }
    }

    static int alignedFrameLength()
    {
        return io.shmbus.client.log.FrameDescriptor.alignedLength(
            MESSAGE_LENGTH + io.shmbus.client.log.FrameDescriptor.HEADER_LENGTH);
    }
}
