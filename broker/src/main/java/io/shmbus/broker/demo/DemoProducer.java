package io.shmbus.broker.demo;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Paths;

/**
 * The producer process of {@code shmbus demo}: publishes numbered messages with tryClaim and reports its rate.
 */
public final class DemoProducer
{
    private DemoProducer()
    {
    }

    public static void main(final String[] args)
    {
        final long messages = Long.parseLong(args[1]);
        final int size = Integer.parseInt(args[2]);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(args[0]))))
        {
            final Producer producer = bus.addProducer("demo");
            final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            final long start = System.nanoTime();
            long lastReport = start;
            long backPressured = 0;
            for (long i = 0; i < messages; i++)
            {
                payload.putLong(0, i);
                payload.putLong(8, i * 31);
                long result;
                while ((result = producer.offer(payload, 0, size)) < 0)
                {
                    if (Producer.CLOSED == result)
                    {
                        System.out.println("ERROR: producer closed: the broker was lost");
                        System.exit(1);
                    }
                    backPressured++;
                    Thread.onSpinWait();
                }
                if ((i & 0xFFFF) == 0)
                {
                    final long now = System.nanoTime();
                    if (now - lastReport > 1_000_000_000L)
                    {
                        System.out.printf("sent %,d messages%n", i);
                        lastReport = now;
                    }
                }
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("sent %,d messages in %.2f s: %,.0f msg/s, %.1f MB/s (back-pressured %,d times)%n",
                messages, seconds, messages / seconds, messages * (double)size / seconds / 1e6, backPressured);
        }
    }
}
