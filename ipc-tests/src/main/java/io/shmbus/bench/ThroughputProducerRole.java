package io.shmbus.bench;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child role {@code tp-producer}: once a subscriber is attached, offers {@code warmup + messages} messages of
 * {@code size} bytes as fast as it can, each carrying its sequence number in its first 8 bytes, spinning on back
 * pressure. Prints {@code READY} when attached, {@code RESULT sent=.. backPressured=.. sendNs=.. lastPosition=..} when
 * done (the last {@code offer} result: for shmbus the stream position after the last message), then
 * keeps its publication open until the parent says stop, so the consumer can drain it.
 */
final class ThroughputProducerRole
{
    private static final long CONNECT_TIMEOUT_MS = 20_000;

    private ThroughputProducerRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final int size = args.intValue("size");
        final long warmup = args.size("warmup");
        final long messages = args.size("messages");
        final IdleStrategy idle = BenchChild.idleStrategy(args);
        final long total = warmup + messages;
        if (size < BitUtil.SIZE_OF_LONG)
        {
            throw new IllegalArgumentException("message size must be at least 8 bytes: " + size);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(size, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));

        try (Transport transport = Transport.create(args);
            BenchPublisher publisher = transport.publisher(args.get("stream"), args.intValue("streamId")))
        {
            BenchChild.await("a subscriber on " + args.get("stream"), publisher::isConnected, CONNECT_TIMEOUT_MS);
            BenchChild.ready("");

            long backPressured = 0;
            long measureStartNs = System.nanoTime();
            long lastPosition = 0;
            for (long sequence = 0; sequence < total; sequence++)
            {
                if (sequence == warmup)
                {
                    measureStartNs = System.nanoTime();
                }
                buffer.putLong(0, sequence);
                long result;
                while ((result = publisher.offer(buffer, 0, size)) < 0)
                {
                    if (!publisher.isRetryable(result))
                    {
                        throw new IllegalStateException("offer of message " + sequence + " failed: " +
                            publisher.describe(result));
                    }
                    if ((++backPressured & 0xFFFF) == 0 && BenchChild.stopRequested())
                    {
                        throw new IllegalStateException("stopped by the parent at message " + sequence + " of " +
                            total + " (" + publisher.describe(result) + ")");
                    }
                    idle.idle();
                }
                lastPosition = result;
                if ((sequence & 0xF_FFFF) == 0 && BenchChild.stopRequested())
                {
                    throw new IllegalStateException("stopped by the parent at message " + sequence + " of " + total);
                }
            }
            final long sendNs = System.nanoTime() - measureStartNs;
            BenchChild.result("sent=" + total + " backPressured=" + backPressured + " sendNs=" + sendNs +
                " lastPosition=" + lastPosition);
            BenchChild.awaitStop();
        }
    }
}
