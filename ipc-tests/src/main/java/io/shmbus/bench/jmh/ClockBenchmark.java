package io.shmbus.bench.jmh;

import io.shmbus.client.log.BrokerEpochClock;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the timestamp in every frame costs a producer, by where it comes from: {@link #systemClock()} is the clock
 * of a producer of a topic opened without a broker ({@code Topic.open}, as {@link PublishBenchmark} opens one), the
 * system clock read per frame; {@link #brokerClock()} is the clock of a producer added through a broker
 * ({@code ShmBus}), the broker's time as last published in the topic log, one load. The difference is what a
 * producer through a broker saves per message against the figures of {@link PublishBenchmark}. Nothing is
 * published, so no consumer is needed.
 * <p>
 * JMH runs each state in one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(2)
public class ClockBenchmark
{
    private final EpochNanoClock system = new OffsetEpochNanoClock();
    private BenchTopic topic;
    private EpochNanoClock broker;

    @Setup(Level.Trial)
    public void open()
    {
        topic = BenchTopic.open(64 * 1024, false);
        topic.topic().log().brokerEpochNsRelease(system.nanoTime());
        broker = new BrokerEpochClock(topic.topic().log());
    }

    @TearDown(Level.Trial)
    public void close()
    {
        topic.close();
    }

    @Benchmark
    public long systemClock()
    {
        return system.nanoTime();
    }

    @Benchmark
    public long brokerClock()
    {
        return broker.nanoTime();
    }
}
