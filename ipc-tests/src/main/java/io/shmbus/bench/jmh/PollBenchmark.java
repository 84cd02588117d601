package io.shmbus.bench.jmh;

import io.shmbus.client.Consumer;
import io.shmbus.client.ExclusiveProducer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What reading one message in place costs a {@link Consumer}: {@link #pollOne()} is a poll that delivers one message
 * (a fragment limit of 1), {@link #pollBatch()} a poll that delivers {@link #BATCH_FRAGMENTS}, its score divided by
 * them; both per message, so the two show what batching saves. The handler reads the first 8 bytes of each payload,
 * as a handler that looks at its message does. Each poll also publishes the consumer's position to its slot.
 * <p>
 * How every poll finds messages without a producer in the measured call: the trial fills half of a 64 MiB ring once
 * (32 MiB of frames, so a lap is not served from the core's own caches), with an exclusive producer while the
 * consumer holds the space. When the consumer reaches the end it is closed and a new one added at the first frame,
 * which reads the same, untouched frames again; that re-registration (a few microseconds and a few hundred bytes)
 * is part of the measured call once per lap of about 32 thousand (1 KiB) or 500 thousand (32 B) messages. Nothing publishes meanwhile, so nothing
 * cleans the ring and no producer meets back-pressure. A poll that delivers fewer messages than asked fails the
 * iteration.
 * <p>
 * The topic is a real log file in {@code /dev/shm} ({@link BenchTopic}). JMH runs each state in one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(2)
public class PollBenchmark
{
    /** Messages per poll of {@link #pollBatch()}. */
    static final int BATCH_FRAGMENTS = 32;
    private static final int CAPACITY = 64 * 1024 * 1024;

    /** Payload bytes. */
    @Param({"32", "1024"})
    public int size;

    private long sum;
    private final FragmentHandler handler = (buffer, offset, length, header) -> sum += buffer.getLong(offset);
    private BenchTopic topic;
    private Consumer consumer;
    private long start;
    private long end;
    private long shortPolls;

    @Setup(Level.Trial)
    public void open()
    {
        topic = BenchTopic.open(CAPACITY, false);
        final Topic t = topic.topic();
        consumer = t.addConsumer(StartPosition.LATEST);
        start = consumer.position();
        final int aligned = FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + size);
        final int messages = (CAPACITY / 2 / aligned) / BATCH_FRAGMENTS * BATCH_FRAGMENTS;
        final UnsafeBuffer message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(size, 64));
        for (int i = 0; i < size; i++)
        {
            message.putByte(i, (byte)(i * 31 + 7));
        }
        try (ExclusiveProducer producer = t.addExclusiveProducer())
        {
            for (int i = 0; i < messages; i++)
            {
                final long result = producer.offer(message, 0, size);
                if (result < 0)
                {
                    throw new IllegalStateException("cannot fill the ring: " + Producer.resultName(result) +
                        " after " + i + " of " + messages + " messages");
                }
                end = result;
            }
        }
    }

    @TearDown(Level.Iteration)
    public void checkEveryPollDelivered()
    {
        if (shortPolls > 0)
        {
            final long count = shortPolls;
            shortPolls = 0;
            throw new IllegalStateException(count + " polls delivered fewer messages than asked");
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        topic.close();
    }

    @Benchmark
    public long pollOne()
    {
        return delivered(consumer.poll(handler, 1), 1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_FRAGMENTS)
    public long pollBatch()
    {
        return delivered(consumer.poll(handler, BATCH_FRAGMENTS), BATCH_FRAGMENTS);
    }

    private long delivered(final int fragments, final int expected)
    {
        if (fragments != expected)
        {
            shortPolls++;
        }
        if (consumer.position() == end)
        {
            consumer.close();
            consumer = topic.topic().addConsumer(StartPosition.at(start));
        }
        return sum;
    }
}
