package io.shmbus.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Child role {@code tp-consumer}: receives {@code warmup + messages} messages from {@code producers} producers (1 by
 * default; the counts are over all of them), checks each one's length and each producer's sequence, and times the
 * measured batch from the arrival of its first message to that of its last. With {@code startFile=PATH} it sleeps
 * after {@code READY} until that file exists, so that a consumer waiting for its producers does not spin on a CPU
 * the processes still starting need.
 * <p>
 * Prints {@code READY} once subscribed (with the transport's settings), then
 * {@code RESULT received=.. errors=.. measured=.. elapsedNs=..}.
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
        final Counter counter = new Counter(size, Integer.parseInt(args.get("producers", "1")), warmup, total);

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
                " firstError=" + counter.firstError);
        }
    }

    /** Counts and checks messages, per producer; timestamps the first and last of the measured batch. */
    static final class Counter implements MessageHandler
    {
        private final int size;
        private final long[] nextSequence;
        private final long firstMeasured;
        private final long lastMeasured;
        long received;
        long errors;
        long firstError = -1;
        long firstNs;
        long lastNs;

        Counter(final int size, final int producers, final long warmup, final long total)
        {
            this.size = size;
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
    }
}
