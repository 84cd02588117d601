package io.shmbus.ipc;

import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A named consumer process for {@code NamedCommitCrashPointTest} that stores its commit exactly when told: it
 * registers {@code name} on {@code topic} from the earliest position, polls {@code count} messages without
 * committing, prints {@code READY position=<p>}, then waits for a line {@code commit} on stdin, commits (one
 * ordered store into its slot, through {@link Consumer#commit()}), prints {@code COMMITTED position=<p>} and waits
 * to be killed, sending nothing more.
 * <p>
 * Arguments: dir topic name count. Exit code 1 on a failure.
 */
public final class NamedCommitHolderMain
{
    private NamedCommitHolderMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int count = Integer.parseInt(args[3]);
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(args[0])));
            Consumer consumer = bus.addNamedConsumer(args[1], args[2], StartPosition.EARLIEST))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int polled = 0;
            while (polled < count)
            {
                if (System.nanoTime() > deadline)
                {
                    System.out.println("FAILED only " + polled + " of " + count + " messages within 20 s");
                    System.exit(1);
                }
                final int n = consumer.poll((buffer, offset, length, header) -> { }, count - polled);
                polled += n;
                if (0 == n)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            System.out.println("READY position=" + consumer.position());
            if (!"commit".equals(in.readLine()))
            {
                System.out.println("FAILED expected the line 'commit'");
                System.exit(1);
            }
            consumer.commit();
            System.out.println("COMMITTED position=" + consumer.position());
            while (true)
            {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1)); // until killed
            }
        }
    }
}
