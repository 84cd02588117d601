package io.shmbus.bench;

import io.shmbus.client.log.FrameDescriptor;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochNanoClock;

import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Child role {@code tp-consumer}: receives {@code warmup + messages} messages from {@code producers} producers (1 by
 * default; the counts are over all of them), checks each one's length and each producer's sequence, and times the
 * measured batch from the arrival of its first message to that of its last. With {@code startFile=PATH} it sleeps
 * after {@code READY} until that file exists, so that a consumer waiting for its producers does not spin on a CPU
 * the processes still starting need.
 * <p>
 * With {@code latency=payload} it also records, from the end of the warm-up, the time from the producer's
 * {@code rate=N} stamp in bytes 8-15 ({@link System#nanoTime()} before its offer) to the handler in an HdrHistogram;
 * with {@code latency=frame} also, in a second one, from the shmbus frame header's timestamp (the epoch time the
 * producer wrote at its commit; the message is read in place, so the header is just before it) to the handler on the
 * system's epoch clock ({@code frame...} fields): that one carries the error of the producer's epoch clock.
 * <p>
 * Prints {@code READY} once subscribed (with the transport's settings), then
 * {@code RESULT received=.. errors=.. measured=.. elapsedNs=..}, with the latency percentiles and the encoded
 * histogram ({@link PingRole#encode}) when it measured latency.
 */
final class ThroughputConsumerRole
{
    private static final long START_TIMEOUT_MS = 120_000;

    private ThroughputConsumerRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final int size = args.intValue("size");
        final long warmup = args.size("warmup");
        final long messages = args.size("messages");
        final int fragmentLimit = args.intValue("fragmentLimit");
        final IdleStrategy idle = BenchChild.idleStrategy(args);
        final long total = warmup + messages;
        final Counter counter = new Counter(size, Integer.parseInt(args.get("producers", "1")), warmup, total,
            args.get("latency", "none"));

        try (Transport transport = Transport.create(args);
            BenchSubscriber subscriber = transport.subscriber(args.get("stream"), args.intValue("streamId"), counter))
        {
            BenchChild.ready(transport.settings());
            final String startFile = args.get("startFile", "");
            if (!startFile.isEmpty())
            {
                BenchChild.await("the start signal", () -> Files.exists(Paths.get(startFile)), START_TIMEOUT_MS);
            }
            while (counter.received < total)
            {
                final int fragments = subscriber.poll(fragmentLimit);
                if (0 == fragments)
                {
                    if (BenchChild.stopRequested())
                    {
                        throw new IllegalStateException("stopped by the parent after " + counter.received + " of " +
                            total + " messages");
                    }
                }
                idle.idle(fragments);
            }
            BenchChild.result("received=" + counter.received + " errors=" + counter.errors +
                " measured=" + (messages - 1) + " elapsedNs=" + (counter.lastNs - counter.firstNs) +
                " firstError=" + counter.firstError + counter.latencyFields());
        }
    }

    /** Counts and checks messages, per producer; timestamps the first and last of the measured batch. */
    static final class Counter implements MessageHandler
    {
        private static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

        private final int size;
        private static final int PAYLOAD_STAMP_OFFSET = 8;
        private static final int FRAME_STAMP_OFFSET = FrameDescriptor.TIMESTAMP_OFFSET - FrameDescriptor.HEADER_LENGTH;

        private final Histogram latency;
        private final Histogram frameLatency;
        private final EpochNanoClock epochClock = new SystemEpochNanoClock();
        long earlyStamps;
        private final long[] nextSequence;
        private final long firstMeasured;
        private final long lastMeasured;
        long received;
        long errors;
        long firstError = -1;
        long firstNs;
        long lastNs;

        Counter(final int size, final int producers, final long warmup, final long total, final String latencyStamp)
        {
            this.size = size;
            if (!"none".equals(latencyStamp) && !"payload".equals(latencyStamp) && !"frame".equals(latencyStamp))
            {
                throw new IllegalArgumentException("latency must be none, payload or frame: " + latencyStamp);
            }
            this.latency = "none".equals(latencyStamp) ? null : new Histogram(HIGHEST_TRACKABLE_NS, 3);
            this.frameLatency = "frame".equals(latencyStamp) ? new Histogram(HIGHEST_TRACKABLE_NS, 3) : null;
            this.nextSequence = new long[producers];
            this.firstMeasured = warmup;
            this.lastMeasured = total - 1;
        }

        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long sequence = received;
            final long word = buffer.getLong(offset);
            final int producer = (int)(word >>> ThroughputProducerRole.PRODUCER_SHIFT);
            if (length != size || producer >= nextSequence.length ||
                (word & ThroughputProducerRole.SEQUENCE_MASK) != nextSequence[producer]++)
            {
                if (0 == errors++)
                {
                    firstError = sequence;
                }
            }
            if (null != latency && sequence >= firstMeasured)
            {
                latency.recordValue(Math.min(System.nanoTime() - buffer.getLong(offset + PAYLOAD_STAMP_OFFSET),
                    HIGHEST_TRACKABLE_NS));
                if (null != frameLatency)
                {
                    final long ns = epochClock.nanoTime() - buffer.getLong(offset + FRAME_STAMP_OFFSET);
                    if (ns < 0)
                    {
                        earlyStamps++; // the producer's epoch clock runs ahead of this one by more than the latency
                    }
                    frameLatency.recordValue(Math.min(Math.max(ns, 0), HIGHEST_TRACKABLE_NS));
                }
            }
            if (sequence == firstMeasured)
            {
                firstNs = System.nanoTime();
            }
            else if (sequence == lastMeasured)
            {
                lastNs = System.nanoTime();
            }
            received = sequence + 1;
        }

        /** The latency words of the result line; empty when latency was not measured. */
        String latencyFields()
        {
            if (null == latency)
            {
                return "";
            }
            return " latencyCount=" + latency.getTotalCount() + percentiles("", latency) +
                " histogram=" + PingRole.encode(latency) + (null == frameLatency ? "" :
                " earlyStamps=" + earlyStamps + percentiles("frame", frameLatency));
        }

        private static String percentiles(final String prefix, final Histogram histogram)
        {
            final String p = prefix.isEmpty() ? "p" : prefix + "P";
            return " " + p + "50Ns=" + histogram.getValueAtPercentile(50) +
                " " + p + "90Ns=" + histogram.getValueAtPercentile(90) +
                " " + p + "99Ns=" + histogram.getValueAtPercentile(99) +
                " " + p + "999Ns=" + histogram.getValueAtPercentile(99.9) +
                " " + (prefix.isEmpty() ? "maxNs" : prefix + "MaxNs") + "=" + histogram.getMaxValue();
        }
    }
}
