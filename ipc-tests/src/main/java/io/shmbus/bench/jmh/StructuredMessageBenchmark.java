package io.shmbus.bench.jmh;

import io.shmbus.bench.BenchDirs;
import io.shmbus.client.BufferClaim;
import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import io.shmbus.client.bytes.BytesClaim;
import io.shmbus.client.bytes.BytesFragmentAdapter;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What a structured message costs end to end in one thread: encode a five-field {@link BenchOrder}, publish it,
 * poll it and decode every field, three ways in the same run:
 * <ul>
 *     <li>{@link #chronicleBytesInPlace}: {@link BytesClaim} writes it with Chronicle Bytes straight into a claim
 *     of a shmbus topic, a {@link BytesFragmentAdapter} reads it in place;</li>
 *     <li>{@link #agronaByHand}: the same fields written and read by hand at fixed offsets through the claim's
 *     Agrona buffer, the symbol as UTF-8 too (the floor: no library between the code and the ring);</li>
 *     <li>{@link #chronicleQueue}: Chronicle Queue's own path, {@code writingDocument()} then the marshallable on
 *     its bytes, and a tailer's {@code readingDocument()}.</li>
 * </ul>
 * The shmbus topic is a 1 MiB ring in {@code /dev/shm} ({@link BenchTopic}) with a shared {@link Producer}, so the
 * loop laps it and its cleaning is measured too. The queue lives in a fresh directory beside it, one per measured
 * iteration so that it never grows past a few hundred megabytes. The forks get the options Chronicle Queue needs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsPrepend = {
    // as ChildLauncher.CHRONICLE_JVM_OPTIONS (Chronicle Queue maps and unmaps files through JDK internals);
    // prepended, so that a -jvmArgsAppend on the command line (scripts/bench jmh --help) keeps them
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
public class StructuredMessageBenchmark
{
    private static final int CAPACITY = 1024 * 1024;
    private static final String[] SYMBOLS = {"EURUSD", "VOD.L", "AAPL", "\u20acSTR"};

    /** The shmbus side: one topic, its producer and consumer, both ways of writing and reading. */
    @State(Scope.Thread)
    public static class Ring
    {
        BenchTopic topic;
        Producer producer;
        Consumer consumer;
        final BenchOrder sent = new BenchOrder();
        final BenchOrder received = new BenchOrder();
        BytesClaim bytesClaim;
        BytesFragmentAdapter bytesAdapter;
        final BufferClaim claim = new BufferClaim();
        final FragmentHandler byHand = (buffer, offset, length, header) -> received.decode(buffer, offset);
        long sequence;

        @Setup(Level.Trial)
        public void open()
        {
            topic = BenchTopic.open(CAPACITY, false);
            final Topic t = topic.topic();
            producer = t.addProducer();
            consumer = t.addConsumer(StartPosition.LATEST);
            bytesClaim = new BytesClaim();
            bytesAdapter = new BytesFragmentAdapter((in, header) -> received.readMarshallable(in));
        }

        @TearDown(Level.Trial)
        public void close()
        {
            consumer.close();
            producer.close();
            topic.close();
        }
    }

    /** The Chronicle Queue side: a fresh queue per measured iteration, its appender and tailer. */
    @State(Scope.Thread)
    public static class Queue
    {
        Path dir;
        SingleChronicleQueue queue;
        ExcerptAppender appender;
        ExcerptTailer tailer;
        final BenchOrder sent = new BenchOrder();
        final BenchOrder received = new BenchOrder();
        long sequence;

        @Setup(Level.Iteration)
        public void open()
        {
            dir = BenchDirs.createFresh(BenchTopic.parentDir(), "shmbus-jmh-cq-");
            queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_HOURLY).build();
            appender = queue.createAppender();
            tailer = queue.createTailer().toStart();
        }

        @TearDown(Level.Iteration)
        public void close()
        {
            tailer.close();
            appender.close();
            queue.close();
            BenchDirs.deleteRecursively(dir);
        }
    }

    @Benchmark
    public long chronicleBytesInPlace(final Ring ring)
    {
        final long n = ring.sequence++;
        ring.sent.set(n, (int)n, n * 0.5, SYMBOLS[(int)n & 3], n + 1_700_000_000_000_000_000L);
        if (ring.bytesClaim.tryWrite(ring.producer, BenchOrder.MAX_LENGTH, ring.sent) <= 0)
        {
            throw new IllegalStateException("refused at message " + n);
        }
        if (1 != ring.consumer.poll(ring.bytesAdapter, 1) || ring.received.id != n ||
            ring.received.symbol.charAt(0) != ring.sent.symbol.charAt(0))
        {
            throw new IllegalStateException("message " + n + " not read back");
        }
        return ring.received.timestampNs + ring.received.symbol.length();
    }

    @Benchmark
    public long agronaByHand(final Ring ring)
    {
        final long n = ring.sequence++;
        final BenchOrder sent = ring.sent.set(n, (int)n, n * 0.5, SYMBOLS[(int)n & 3], n + 1_700_000_000_000_000_000L);
        final BufferClaim claim = ring.claim;
        if (ring.producer.tryClaim(BenchOrder.encodedLength(sent.symbolUtf8Length()), claim) <= 0)
        {
            throw new IllegalStateException("refused at message " + n);
        }
        sent.encode(claim.buffer(), claim.offset());
        claim.commit();
        if (1 != ring.consumer.poll(ring.byHand, 1) || ring.received.id != n ||
            ring.received.symbol.charAt(0) != sent.symbol.charAt(0))
        {
            throw new IllegalStateException("message " + n + " not read back");
        }
        return ring.received.timestampNs + ring.received.symbol.length();
    }

    @Benchmark
    public long chronicleQueue(final Queue q)
    {
        final long n = q.sequence++;
        q.sent.set(n, (int)n, n * 0.5, SYMBOLS[(int)n & 3], n + 1_700_000_000_000_000_000L);
        try (DocumentContext dc = q.appender.writingDocument())
        {
            q.sent.writeMarshallable(dc.wire().bytes());
        }
        try (DocumentContext dc = q.tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                throw new IllegalStateException("message " + n + " not read back");
            }
            q.received.readMarshallable(dc.wire().bytes());
        }
        if (q.received.id != n)
        {
            throw new IllegalStateException("message " + n + " read back as " + q.received.id);
        }
        return q.received.timestampNs + q.received.symbol.length();
    }
}
