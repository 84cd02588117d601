package io.shmbus.ipc;

import io.shmbus.client.Consumer;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.RemoteConsumer;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A durable named consumer process for {@code NamedConsumerKilledAtRandomTest}: registers {@code name} on
 * {@code topic} from {@code start}, locally through shared memory or, given a broker's {@code HOST:PORT}, over
 * TCP with a {@link RemoteConsumer}; prints {@code READY pid=...}, then for each message prints
 * {@code MSG <position> <sequence> END} (the sequence is the payload's first 8 bytes), flushes the batch and only
 * then commits every {@code commitEvery} batches, so what it printed is at least what it acknowledged and a kill
 * leaves up to that many batches handled but not acknowledged. It pauses {@code pauseMs} after each batch
 * of at most {@code batch} messages, and runs until it is killed or {@code idleExitMs} pass without a message.
 * <p>
 * Arguments: dir topic name start batch pauseMs idleExitMs commitEvery [HOST:PORT]. Exit codes: 0 idle, 3 the
 * name is held by another subscriber (after a line {@code IN_USE <message>}), 1 any other failure.
 */
public final class NamedConsumerMain
{
    /** {@code poll(handler, limit)} of a {@link Consumer} or a {@link RemoteConsumer}. */
    private interface Poll
    {
        int poll(FragmentHandler handler, int limit);
    }

    /** The two ways to hold a name, as this process uses them: the holder's methods, and what closing it closes. */
    private record NamedSource(Poll poller, Runnable committer, LongSupplier positionSupplier, Runnable closer)
        implements AutoCloseable
    {
        int poll(final FragmentHandler handler, final int limit)
        {
            return poller.poll(handler, limit);
        }

        void commit()
        {
            committer.run();
        }

        long position()
        {
            return positionSupplier.getAsLong();
        }

        public void close()
        {
            closer.run();
        }
    }

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
        final FragmentHandler printer = (buffer, offset, length, header) ->
            out.append("MSG ").append(Long.toString(header.position())).append(' ')
                .append(Long.toString(SequencedMessages.sequence(buffer, offset))).append(" END\n");
        int uncommittedBatches = 0;
        try (NamedSource source = args.length > 8 ? remote(args, args[8], printer, out) : local(args))
        {
            out.println("READY pid=" + ProcessHandle.current().pid() + " position=" + source.position());
            out.flush();
            long lastMessageNs = System.nanoTime();
            while (System.nanoTime() - lastMessageNs < idleExitNs)
            {
                final int n = source.poll(printer, batch);
                if (n > 0)
                {
                    out.flush(); // the effect is out before the acknowledgement
                    if (++uncommittedBatches >= commitEvery)
                    {
                        source.commit();
                        uncommittedBatches = 0;
                    }
                    lastMessageNs = System.nanoTime();
                }
                LockSupport.parkNanos(n > 0 ? pauseNs : TimeUnit.MILLISECONDS.toNanos(1));
            }
            source.commit();
            out.println("IDLE position=" + source.position());
            out.flush();
        }
        catch (final ConsumerNameInUseException ex)
        {
            out.println("IN_USE " + ex.getMessage());
            out.flush();
            System.exit(3);
        }
        catch (final RuntimeException ex)
        {
            out.println("FAILED " + ex);
            out.flush();
            System.exit(1);
        }
    }

    private static NamedSource local(final String[] args)
    {
        final ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(Paths.get(args[0])));
        final Consumer consumer;
        try
        {
            consumer = bus.addNamedConsumer(args[1], args[2], StartPosition.parse(args[3]));
        }
        catch (final RuntimeException ex)
        {
            bus.close();
            throw ex;
        }
        return new NamedSource(consumer::poll, consumer::commit, consumer::position, () ->
        {
            consumer.close();
            bus.close();
        });
    }

    /**
     * Subscribes over TCP and polls until the broker answered (messages that come with the answer are printed), so
     * READY means the name is held, as it does locally.
     */
    private static NamedSource remote(
        final String[] args, final String address, final FragmentHandler printer, final PrintStream out)
    {
        final RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context().address(address)
            .topic(args[1]).consumerName(args[2]).start(StartPosition.parse(args[3]))
            .errorHandler(ex -> out.println("ERROR " + ex.getMessage())));
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (RemoteConsumer.State.CONNECTED != consumer.state())
            {
                if (consumer.poll(printer, 1) > 0)
                {
                    out.flush();
                }
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("not subscribed within 30 s: " + consumer);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        catch (final RuntimeException ex)
        {
            consumer.close();
            throw ex;
        }
        return new NamedSource(consumer::poll, consumer::commit, consumer::position, consumer::close);
    }
}
