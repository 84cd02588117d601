package io.shmbus.broker.demo;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.StartPosition;
import io.shmbus.client.ShmBus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A consumer process of {@code shmbus demo}: reads in place, checks order and content, reports its rate. Exits 1
 * on the first message out of order or damaged.
 */
public final class DemoConsumer
{
    private DemoConsumer()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path dir = Paths.get(args[0]);
        final long messages = Long.parseLong(args[1]);
        final int size = Integer.parseInt(args[2]);
        final long[] state = new long[2]; // next expected, errors
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            final long value = buffer.getLong(offset);
            if (value != state[0] || buffer.getLong(offset + 8) != value * 31 || length != size)
            {
                if (state[1]++ == 0)
                {
                    System.out.println("ERROR: expected message " + state[0] + " but got " + value);
                }
            }
            state[0] = value + 1;
        };
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir)))
        {
            final Consumer consumer = bus.addConsumer("demo", StartPosition.EARLIEST);
            Files.createFile(dir.resolve("ready-" + ProcessHandle.current().pid()));
            long start = 0;
            long lastReport = System.nanoTime();
            while (state[0] < messages && state[1] == 0 && !bus.isClosed())
            {
                final int n = consumer.poll(handler, 1024);
                if (n == 0)
                {
                    Thread.yield();
                }
                else if (start == 0)
                {
                    start = System.nanoTime();
                }
                final long now = System.nanoTime();
                if (now - lastReport > 1_000_000_000L)
                {
                    System.out.printf("received %,d messages%n", state[0]);
                    lastReport = now;
                }
            }
            final double seconds = Math.max(1, System.nanoTime() - start) / 1e9;
            System.out.printf("received %,d messages in %.2f s: %,.0f msg/s, %.1f MB/s, %d errors%n",
                state[0], seconds, state[0] / seconds, state[0] * (double)size / seconds / 1e6, state[1]);
        }
        System.exit(state[1] == 0 ? 0 : 1);
    }
}
