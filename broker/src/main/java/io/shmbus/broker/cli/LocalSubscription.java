package io.shmbus.broker.cli;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.Consumer;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code shmbus subscribe} through shared memory: waits for a broker when none runs yet, prints messages until
 * {@code --count} or Ctrl-C, and when the broker stops, waits for one to come back on the same directory and
 * resumes at the next position, so no message is printed twice or skipped. Runs on the command's thread.
 */
final class LocalSubscription
{
    /** How often it tries to connect while no broker answers. */
    private static final long CONNECT_RETRY_MS = 100;

    private final BrokerConnector connector;
    private final Path dir;
    private final String topic;
    private final StartPosition start;
    private final long count;
    private final WaitPolicy wait;
    private final MessageLines lines;
    private final ShutdownSignal signal;
    private final PrintStream err;
    private String consumerName;

    LocalSubscription(
        final Supplier<ShmBus> connect,
        final Path dir,
        final String topic,
        final StartPosition start,
        final long count,
        final WaitPolicy wait,
        final MessageLines lines,
        final ShutdownSignal signal,
        final PrintStream err)
    {
        this.connector = new BrokerConnector(connect);
        this.dir = dir;
        this.topic = topic;
        this.start = start;
        this.count = count;
        this.wait = wait;
        this.lines = lines;
        this.signal = signal;
        this.err = err;
    }

    /**
     * Subscribes as the durable named consumer {@code name} (null: anonymous): it resumes where the broker stored
     * the name's position, and acknowledges each batch once its lines are flushed to the output.
     */
    LocalSubscription named(final String name)
    {
        this.consumerName = name;
        return this;
    }

    /** @return the exit code. */
    int run()
    {
        long resumeAt = -1;
        long waitStartNs = System.nanoTime();
        boolean waiting = false;
        while (!signal.stopRequested() && lines.received() < count)
        {
            final ShmBus bus = connector.tryConnect();
            if (null == bus)
            {
                if (!wait.allows(waitStartNs))
                {
                    return giveUp(connector.lastReason(), waiting, resumeAt);
                }
                if (!waiting)
                {
                    err.println("shmbus subscribe: waiting for a broker on " + dir + " (" + wait.limit() + ")");
                    waiting = true;
                }
                signal.pause(CONNECT_RETRY_MS);
                continue;
            }
            try (bus)
            {
                final Consumer consumer;
                try
                {
                    // a named consumer resumes at the position the broker stored for it, a restarted broker too
                    consumer = null != consumerName ? bus.addNamedConsumer(topic, consumerName, start) :
                        bus.addConsumer(topic, resumeAt < 0 ? start : StartPosition.at(resumeAt));
                }
                catch (final BrokerUnavailableException ex)
                {
                    continue; // the broker went away again before it answered: connect anew
                }
                catch (final PositionUnavailableException ex)
                {
                    if (resumeAt < 0)
                    {
                        throw ex;
                    }
                    throw new ShmbusException("cannot resume at position " + resumeAt + " on the new broker: " +
                        ex.getMessage());
                }
                if (waiting && resumeAt >= 0)
                {
                    err.println("shmbus subscribe: the broker is back; resuming at position " + resumeAt);
                }
                waiting = false;
                poll(bus, consumer);
                resumeAt = consumer.position();
                if (!bus.isClosed())
                {
                    consumer.close();
                    return Main.EXIT_OK; // --count reached or Ctrl-C
                }
                lines.flush();
                if (!wait.waits())
                {
                    err.println("shmbus subscribe: the broker stopped; not waiting for it (" + WaitPolicy.NO_WAIT +
                        "): resume with --from " + resumeAt);
                    return Main.EXIT_FAILURE;
                }
                err.println("shmbus subscribe: lost the broker at position " + resumeAt + "; waiting for it to " +
                    "come back (" + wait.limit() + "), then resuming there");
                waiting = true;
                waitStartNs = System.nanoTime();
            }
        }
        return Main.EXIT_OK;
    }

    private void poll(final ShmBus bus, final Consumer consumer)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        while (!signal.stopRequested() && lines.received() < count && !bus.isClosed())
        {
            final int n = consumer.poll(lines, (int)Math.min(256, count - lines.received()));
            if (null != consumerName && n > 0)
            {
                lines.flush(); // printed before acknowledged: a crash in between prints them again, never loses them
                consumer.commit();
            }
            else if (0 == n)
            {
                lines.flush();
            }
            idle.idle(n);
        }
    }

    private int giveUp(final String reason, final boolean waited, final long resumeAt)
    {
        err.println("shmbus subscribe: error: " + reason + (waited ? wait.gaveUp() : "") +
            (resumeAt >= 0 ? "; resume with --from " + resumeAt : ""));
        return Main.EXIT_FAILURE;
    }
}
