package io.shmbus.bench.jmh;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.Publisher;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import io.shmbus.client.log.ConsumerSlots;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What publishing one message costs the publishing thread: {@link Publisher#offer} and
 * {@link Publisher#tryClaim} + {@link BufferClaim#commit()} (the payload copied in place with the same bytes, so the
 * two differ only in the API), for a shared {@link Producer} (a CAS of the tail per claim) and an
 * {@code ExclusiveProducer} (plain stores and one release of the tail), payloads of 32 B and 1 KiB, with and without
 * a CRC32C of the payload in each frame. Each call includes what a producer pays on average besides its frame: the
 * read of the system clock for the timestamp (a topic opened without a broker; through a broker a producer reads
 * the broker's clock instead, see {@link ClockBenchmark}) and, every 1/16 of the ring, the flow-control step that
 * zeroes the space consumers have read. The ring is the default 4 MiB.
 * <p>
 * How the producer never meets back-pressure: the topic has a consumer, registered in a slot of the log as every
 * consumer is, and the measured call moves that consumer's position to the new tail once every 1/8 of the ring (one
 * ordered store, what a consumer that keeps up publishes after its polls). So flow control and cleaning see a live
 * consumer just behind the producer, and the producer's figure does not include reading the messages (that is
 * {@link PollBenchmark}) nor a second core pulling the cache lines away. A refused publication fails the iteration
 * instead of being measured as a fast failure.
 * <p>
 * The topic is a real log file in {@code /dev/shm} ({@link BenchTopic}). JMH runs each state in one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(2)
public class PublishBenchmark
{
    private static final int CAPACITY = Topic.Context.CAPACITY_DEFAULT;
    private static final int DRAIN_STEP = CAPACITY / 8;

    /** {@code shared} ({@code Topic.addProducer}) or {@code exclusive} ({@code Topic.addExclusiveProducer}). */
    @Param({"shared", "exclusive"})
    public String producer;

    /** Payload bytes. */
    @Param({"32", "1024"})
    public int size;

    /** Each frame carries a CRC32C of its payload. */
    @Param({"false", "true"})
    public boolean checksums;

    private final BufferClaim claim = new BufferClaim();
    private BenchTopic topic;
    private Publisher publisher;
    private ConsumerSlots slots;
    private int slot;
    private long drainAt;
    private UnsafeBuffer message;
    private long refused;
    private long lastRefusal;

    @Setup(Level.Trial)
    public void open()
    {
        topic = BenchTopic.open(CAPACITY, checksums);
        final Topic t = topic.topic();
        publisher = switch (producer)
        {
            case "shared" -> t.addProducer();
            case "exclusive" -> t.addExclusiveProducer();
            default -> throw new IllegalArgumentException("producer must be shared or exclusive: " + producer);
        };
        slots = new ConsumerSlots(t.log());
        slot = slots.reserve();
        drainAt = slots.activate(slot, StartPosition.LATEST) + DRAIN_STEP;
        message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(size, 64));
        for (int i = 0; i < size; i++)
        {
            message.putByte(i, (byte)(i * 31 + 7));
        }
    }

    @TearDown(Level.Iteration)
    public void checkNothingRefused()
    {
        if (refused > 0)
        {
            final long count = refused;
            refused = 0;
            throw new IllegalStateException(count + " publications refused in the iteration (last: " +
                Producer.resultName(lastRefusal) + ")");
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        slots.release(slot);
        topic.close();
    }

    @Benchmark
    public long offer()
    {
        return published(publisher.offer(message, 0, size));
    }

    @Benchmark
    public long claimCommit()
    {
        final long result = publisher.tryClaim(size, claim);
        if (result > 0)
        {
            claim.buffer().putBytes(claim.offset(), message, 0, size);
            claim.commit();
        }
        return published(result);
    }

    private long published(final long result)
    {
        if (result < 0)
        {
            refused++;
            lastRefusal = result;
        }
        else if (result >= drainAt)
        {
            slots.positionRelease(slot, result);
            drainAt = result + DRAIN_STEP;
        }
        return result;
    }
}
