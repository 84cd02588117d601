package io.shmbus.ipc;

import io.shmbus.client.Consumer;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A durable named consumer process for {@code NamedConsumerKilledAtRandomTest}: registers {@code name} on
 * {@code topic} from {@code start}, prints {@code READY pid=... position=...}, then for each message prints
 * {@code MSG <position> <sequence> END} (the sequence is the payload's first 8 bytes), flushes the batch and only
 * then commits every {@code commitEvery} batches, so what it printed is at least what it acknowledged and a kill
 * leaves up to that many batches handled but not acknowledged. It pauses {@code pauseMs} after each batch
 * of at most {@code batch} messages, and runs until it is killed or {@code idleExitMs} pass without a message.
 * <p>
 * Arguments: dir topic name start batch pauseMs idleExitMs commitEvery. Exit codes: 0 idle, 3 the name is held
 * by another process (after a line {@code IN_USE <message>}), 1 any other failure.
 */
public final class NamedConsumerMain
{
    private NamedConsumerMain()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
            1 << 16), false);
        final int batch = Integer.parseInt(args[4]);
        final long pauseNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[5]));
        final long idleExitNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[6]));
        final int commitEvery = Integer.parseInt(args[7]);
        int uncommittedBatches = 0;
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(args[0]))))
        {
            final Consumer consumer;
            try
            {
                consumer = bus.addNamedConsumer(args[1], args[2], StartPosition.parse(args[3]));
            }
            catch (final ConsumerNameInUseException ex)
            {
                out.println("IN_USE " + ex.getMessage());
                out.flush();
                System.exit(3);
                return;
            }
            out.println("READY pid=" + ProcessHandle.current().pid() + " position=" + consumer.position());
            out.flush();
            long lastMessageNs = System.nanoTime();
            while (System.nanoTime() - lastMessageNs < idleExitNs)
            {
                final int n = consumer.poll((buffer, offset, length, header) ->
                    out.append("MSG ").append(Long.toString(header.position())).append(' ')
                        .append(Long.toString(buffer.getLong(offset))).append(" END\n"), batch);
                if (n > 0)
                {
                    out.flush(); // the effect is out before the acknowledgement
                    if (++uncommittedBatches >= commitEvery)
                    {
                        consumer.commit();
                        uncommittedBatches = 0;
                    }
                    lastMessageNs = System.nanoTime();
                }
                LockSupport.parkNanos(n > 0 ? pauseNs : TimeUnit.MILLISECONDS.toNanos(1));
            }
            consumer.commit();
            out.println("IDLE position=" + consumer.position());
            out.flush();
        }
        catch (final RuntimeException ex)
        {
            out.println("FAILED " + ex);
            out.flush();
            System.exit(1);
        }
    }
}
