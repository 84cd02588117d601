package io.shmbus.bench;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child role {@code zc-producer} of {@code scripts/bench zero-copy}: a producer on {@code topic} that, at each go
 * from the parent, publishes {@code messages} messages of {@code size} bytes and prints
 * {@code RESULT position=P backPressured=B nanos=T}, until the parent says stop.
 * <ul>
 *   <li>{@code mode=offer}: the payload is prepared once in a direct buffer and each message copies it into the
 *   ring ({@link Producer#offer}): one copy of the payload by the CPU, in user space.</li>
 *   <li>{@code mode=claim}: each message is claimed in the ring ({@link Producer#tryClaim}), its sequence number
 *   written in place and committed: the way a producer encodes its message straight into shared memory, no
 *   copy. The rest of the payload is whatever the slot holds (zeros: the ring is cleaned before reuse).</li>
 * </ul>
 * Both write the message's sequence number (from {@code first}, default 0) into its first 8 bytes, so the consumer
 * can check the stream. Busy-spins
 * on back pressure (counted); runs on its main thread.
 */
final class ZeroCopyProducerRole
{
    private static final long GO_TIMEOUT_MS = 300_000;

    private ZeroCopyProducerRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final boolean claimMode = "claim".equals(args.get("mode"));
        if (!claimMode && !"offer".equals(args.get("mode")))
        {
            throw new IllegalArgumentException("mode must be offer or claim: " + args.get("mode"));
        }
        final int size = args.intValue("size");
        final long messages = args.size("messages");
        final UnsafeBuffer payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(size, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
        for (int i = 0; i + BitUtil.SIZE_OF_LONG <= size; i += BitUtil.SIZE_OF_LONG)
        {
            payload.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        final BufferClaim claim = new BufferClaim();
        long sequence = Long.parseLong(args.get("first", "0"));
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(args.path("dir"))))
        {
            final Producer producer = bus.addProducer(args.get("topic"));
            BenchChild.ready("tid=" + BenchChild.threadId());
            while (BenchChild.awaitGo(GO_TIMEOUT_MS))
            {
                final long startNs = System.nanoTime();
                long backPressured = 0;
                long position = 0;
                for (final long end = sequence + messages; sequence < end; sequence++)
                {
                    if (!claimMode)
                    {
                        payload.putLong(0, sequence);
                    }
                    while ((position = claimMode ? producer.tryClaim(size, claim) :
                        producer.offer(payload, 0, size)) < 0)
                    {
                        if (Producer.BACK_PRESSURED != position && Producer.ADMIN_ACTION != position)
                        {
                            throw new IllegalStateException("publishing message " + sequence + " failed: " +
                                Producer.resultName(position));
                        }
                        if ((++backPressured & 0xFFFF) == 0 && BenchChild.stopRequested())
                        {
                            throw new IllegalStateException("stopped by the parent at message " + sequence);
                        }
                        Thread.onSpinWait();
                    }
                    if (claimMode)
                    {
                        claim.buffer().putLong(claim.offset(), sequence);
                        claim.commit();
                    }
                }
                BenchChild.result("position=" + position + " backPressured=" + backPressured + " nanos=" +
                    (System.nanoTime() - startNs));
            }
        }
    }
}
