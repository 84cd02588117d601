package io.shmbus.bench;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Reproduction for a finding of the IPC benchmark, not part of it: how long the {@code offer} that advances a
 * shmbus producer's limit takes, since that call zeroes ring space inline ({@code FlowControl.tryAdvance} then
 * {@code TopicLog.zero}). Up to 5f0c675 the producer zeroed half the ring at once: on a 4 MiB ring one offer in
 * ~33,000 took 100-400 us (shmbus's ping-pong p99.99; a third of the producer's cycles at 1 KiB messages). Since
 * 4d3a8e2 it cleans at most 64 KiB a step: one offer in ~1,000 takes 6-15 us. Aeron's IPC publisher never cleans:
 * its media driver does.
 * <p>
 * One thread offers 32-byte messages and polls them back, so no other process or thread is involved; it times
 * every offer and reports the offers that moved {@link Topic#producerLimit()} separately from all the others.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "ipc-tests/target/classes:ipc-tests/target/lib/*" \
 *     io.shmbus.bench.OfferStallRepro [capacity-bytes]
 * </pre>
 */
public final class OfferStallRepro
{
    private static final int MESSAGES = 3_000_000;
    private static final int WARMUP = 200_000;
    private static final int LENGTH = 32;

    private OfferStallRepro()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int capacity = args.length > 0 ? Integer.parseInt(args[0]) : 4 * 1024 * 1024;
        final Path dir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-offer-stall-");
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
        final FragmentHandler drop = (buffer, offset, length, header) -> {};
        long cleaningOffers = 0;
        long cleaningNs = 0;
        long cleaningMinNs = Long.MAX_VALUE;
        long otherOffers = 0;
        long otherSlow = 0;
        long otherMaxNs = 0;
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("stall").capacity(capacity)))
        {
            final Producer producer = topic.addProducer();
            final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
            for (int i = 0; i < MESSAGES; i++)
            {
                final long limitBefore = topic.producerLimit();
                final long startNs = System.nanoTime();
                final long result = producer.offer(message, 0, LENGTH);
                final long ns = System.nanoTime() - startNs;
                if (result < 0)
                {
                    throw new IllegalStateException("offer failed: " + Producer.resultName(result));
                }
                consumer.poll(drop, 10);
                if (i < WARMUP)
                {
                    continue;
                }
                if (topic.producerLimit() != limitBefore)
                {
                    cleaningOffers++;
                    cleaningNs += ns;
                    cleaningMinNs = Math.min(cleaningMinNs, ns);
                }
                else
                {
                    otherOffers++;
                    otherSlow += ns > 20_000 ? 1 : 0;
                    otherMaxNs = Math.max(otherMaxNs, ns);
                }
            }
        }
        finally
        {
            IpcBenchmark.deleteRecursively(dir);
        }
        System.out.printf("ring %d bytes, %d offers of %d bytes timed after %d of warmup%n",
            capacity, MESSAGES - WARMUP, LENGTH, WARMUP);
        System.out.printf(
            "offers that advanced the producer limit: %d (one per %d offers), mean %.1f us, min %.1f us%n",
            cleaningOffers, (MESSAGES - WARMUP) / Math.max(1, cleaningOffers),
            cleaningNs / 1e3 / Math.max(1, cleaningOffers), cleaningMinNs / 1e3);
        System.out.printf("all other offers: %d, of which %d over 20 us (preemption), max %.1f us%n",
            otherOffers, otherSlow, otherMaxNs / 1e3);
    }
}
