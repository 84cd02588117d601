package io.shmbus.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Child role {@code tp-consumer}: receives {@code warmup + messages} messages, checks each one's length and
 * sequence number, and times the measured batch from the arrival of its first message to that of its last.
 * <p>
 * Prints {@code READY} once subscribed (with the transport's settings), then
 * {@code RESULT received=.. errors=.. measured=.. elapsedNs=..}.
 */
final class ThroughputConsumerRole
{
    private ThroughputConsumerRole()
    {
    }

    static void run(final ChildArgs args)
    {
        final int size = args.intValue("size");
        final long warmup = args.size("warmup");
        final long messages = args.size("messages");
        final int fragmentLimit = args.intValue("fragmentLimit");
        final IdleStrategy idle = BenchChild.idleStrategy(args);
        final long total = warmup + messages;
        final Counter counter = new Counter(size, warmup, total);

        try (Transport transport = Transport.create(args);
            BenchSubscriber subscriber = transport.subscriber(args.get("stream"), args.intValue("streamId"), counter))
        {
            BenchChild.ready(transport.settings());
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

    /** Counts and checks messages; timestamps the first and last of the measured batch. */
    static final class Counter implements MessageHandler
    {
        private final int size;
        private final long firstMeasured;
        private final long lastMeasured;
        long received;
        long errors;
        long firstError = -1;
        long firstNs;
        long lastNs;

        Counter(final int size, final long warmup, final long total)
        {
            this.size = size;
            this.firstMeasured = warmup;
            this.lastMeasured = total - 1;
        }

        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long sequence = received;
            if (length != size || buffer.getLong(offset) != sequence)
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
