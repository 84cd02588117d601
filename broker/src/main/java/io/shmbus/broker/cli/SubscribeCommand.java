package io.shmbus.broker.cli;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.StartPosition;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code shmbus subscribe}: prints each message of a topic as one line on standard output.
 */
final class SubscribeCommand implements Command
{
    public String name()
    {
        return "subscribe";
    }

    public String summary()
    {
        return "print each message of a topic as a line";
    }

    public String usage()
    {
        return "usage: shmbus subscribe --topic T [--from earliest|latest|POSITION] [--count N] [--dir DIR]\n\n" +
            "Prints each message as one line (its bytes, then a newline) until --count messages or Ctrl-C.\n" +
            "Needs a running broker.\n\n" +
            TopicOptions.HELP +
            "  --from START       earliest, latest (default) or an exact stream position\n" +
            "  --count N          exit after N messages\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(name(), argList, TopicOptions.with("--from", "--count"), Set.of());
        final StartPosition start = StartPosition.parse(args.get("--from", "latest"));
        final long count = args.getLong("--count", Long.MAX_VALUE);
        if (count <= 0)
        {
            throw new UsageException(name(), "--count must be > 0");
        }

        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread main = Thread.currentThread();
        final Thread hook = new Thread(() ->
        {
            running.set(false);
            try
            {
                main.join(2_000);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);

        final PrintStream lines = new PrintStream(new BufferedOutputStream(out, 64 * 1024), false);
        final long[] received = new long[1];
        final byte[][] scratch = {new byte[256]};
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            if (scratch[0].length < length)
            {
                scratch[0] = new byte[Math.max(length, scratch[0].length * 2)];
            }
            buffer.getBytes(offset, scratch[0], 0, length);
            lines.write(scratch[0], 0, length);
            lines.write('\n');
            received[0]++;
        };

        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        final String topic = args.require("--topic");
        try (ShmBus bus = TopicOptions.connect(args, err, name()))
        {
            final Consumer consumer = bus.addConsumer(topic, start);
            while (running.get() && received[0] < count && !bus.isClosed() && !Thread.currentThread().isInterrupted())
            {
                final int limit = (int)Math.min(256, count - received[0]);
                final int n = consumer.poll(handler, limit);
                if (n == 0)
                {
                    lines.flush();
                }
                idle.idle(n);
            }
            lines.flush();
            if (bus.isClosed() && received[0] < count && running.get())
            {
                return Main.EXIT_FAILURE; // the broker was lost: already reported by the error handler
            }
            consumer.close();
        }
        finally
        {
            lines.flush();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // already shutting down
            }
        }
        return Main.EXIT_OK;
    }
}
