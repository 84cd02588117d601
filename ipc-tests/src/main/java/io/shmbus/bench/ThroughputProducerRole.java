package io.shmbus.bench;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Child role {@code tp-producer}: once a subscriber is attached, offers {@code warmup + messages} messages of
 * {@code size} bytes as fast as it can, each carrying its sequence number in its first 8 bytes (with
 * {@code producerIndex} in the top byte when several producers share the stream), spinning on back pressure. Prints
 * {@code READY} when attached; with {@code startFile=PATH} it then waits for that file to exist, so that the
 * producers of a run start together. Prints {@code RESULT sent=.. backPressured=.. sendNs=.. lastPosition=..} when
 * done (the last {@code offer} result: for shmbus the stream position after the last message), then keeps its
 * publication open until the parent says stop, so the consumers can drain it.
 * <p>
 * With {@code rate=N} it offers N messages a second instead (each at its scheduled time, never catching up in a
 * burst after a stall longer than one interval), each carrying {@link System#nanoTime()} just before its offer in
 * bytes 8-15 (CLOCK_MONOTONIC on Linux: one clock for every process of the host), for a consumer measuring
 * latency. With {@code awaitSubscriber=false} it starts without
 * a subscriber: a persistent shmbus topic whose consumers are elsewhere (a mirror on another broker).
 */
final class ThroughputProducerRole
{
    private static final long CONNECT_TIMEOUT_MS = 20_000;
    private static final long START_TIMEOUT_MS = 120_000;
    /** The sequence number's bits in a message's first long; the producer's index is above them. */
    static final int PRODUCER_SHIFT = 56;
    static final long SEQUENCE_MASK = (1L << PRODUCER_SHIFT) - 1;

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
        final long producerBits = (long)Integer.parseInt(args.get("producerIndex", "0")) << PRODUCER_SHIFT;
        final String startFile = args.get("startFile", "");
        final long rate = Long.parseLong(args.get("rate", "0"));
        final long intervalNs = rate > 0 ? 1_000_000_000L / rate : 0;
        final boolean awaitSubscriber = Boolean.parseBoolean(args.get("awaitSubscriber", "true"));
        if (size < (rate > 0 ? 2 : 1) * BitUtil.SIZE_OF_LONG)
        {
            throw new IllegalArgumentException("message size must be at least " + (rate > 0 ? 16 : 8) +
                " bytes: " + size);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(size, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));

        try (Transport transport = Transport.create(args);
            BenchPublisher publisher = transport.publisher(args.get("stream"), args.intValue("streamId")))
        {
            if (awaitSubscriber)
            {
                BenchChild.await("a subscriber on " + args.get("stream"), publisher::isConnected, CONNECT_TIMEOUT_MS);
            }
            BenchChild.ready("");
            if (!startFile.isEmpty())
            {
                BenchChild.await("the start signal", () -> Files.exists(Paths.get(startFile)), START_TIMEOUT_MS);
            }

            long backPressured = 0;
            long measureStartNs = System.nanoTime();
            long lastPosition = 0;
            long nextSendNs = measureStartNs;
            for (long sequence = 0; sequence < total; sequence++)
            {
                if (sequence == warmup)
                {
                    measureStartNs = System.nanoTime();
                }
                buffer.putLong(0, producerBits | sequence);
                if (intervalNs > 0)
                {
                    nextSendNs = awaitSendTime(nextSendNs, intervalNs, idle);
                    buffer.putLong(BitUtil.SIZE_OF_LONG, System.nanoTime());
                }
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

    /** Idles until {@code sendNs}; returns the next send time, from now when a stall made this one late. */
    private static long awaitSendTime(final long sendNs, final long intervalNs, final IdleStrategy idle)
    {
        long now;
        while ((now = System.nanoTime()) - sendNs < 0)
        {
            idle.idle();
        }
        return now - sendNs > intervalNs ? now + intervalNs : sendNs + intervalNs;
    }
}
