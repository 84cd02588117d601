package io.shmbus.broker.cli;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.StartPosition;
import io.shmbus.client.ShmBus;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code shmbus subscribe}: prints each message of a topic as one line on standard output, read from shared
 * memory, or with {@code --remote} from a broker's network server.
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
        return "usage: shmbus subscribe --topic T [--from earliest|latest|POSITION|TIME] [--count N] [--dir DIR]\n" +
            "       shmbus subscribe --remote HOST:PORT --topic T [--from ...] [--to POSITION] [--token TOKEN]\n" +
            "                        [--count N]\n\n" +
            "Prints each message as one line (its bytes, then a newline) until --count messages or Ctrl-C.\n" +
            "Needs a running broker: on this host through shared memory, or with --remote over TCP from the\n" +
            "broker's network server (a persistent topic; reconnects and resumes if the connection drops).\n\n" +
            TopicOptions.HELP +
            "  --from START       earliest, latest (default), an exact stream position or an ISO-8601 time\n" +
            "  --count N          exit after N messages\n" +
            "  --remote HOST:PORT subscribe over TCP to the broker's --net-port\n" +
            "  --to POSITION      with --remote: exit after the frames before this stream position\n" +
            "  --token TOKEN      with --remote: the broker's access token\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(name(), argList,
            TopicOptions.with("--from", "--count", "--remote", "--to", "--token"), Set.of());
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
        if (args.has("--remote"))
        {
            try
            {
                return runRemote(remoteContext(args, topic, start, err), handler, lines, received, count, running,
                    idle);
            }
            finally
            {
                lines.flush();
                removeHook(hook);
            }
        }
        if (args.has("--to") || args.has("--token"))
        {
            throw new UsageException(name(), "--to and --token need --remote");
        }
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
            removeHook(hook);
        }
        return Main.EXIT_OK;
    }

    private RemoteConsumer.Context remoteContext(
        final Args args, final String topic, final StartPosition start, final PrintStream err)
    {
        if (args.has("--dir"))
        {
            throw new UsageException(name(), "--dir does not apply with --remote");
        }
        final RemoteConsumer.Context ctx = new RemoteConsumer.Context().topic(topic).start(start)
            .token(args.get("--token", null))
            .errorHandler(t -> err.println("shmbus " + name() + ": " + t.getMessage()));
        try
        {
            ctx.address(args.get("--remote", null));
            if (args.has("--to"))
            {
                ctx.endPosition(args.getLong("--to", -1));
                if (ctx.endPosition() < 0)
                {
                    throw new UsageException(name(), "--to must be a stream position >= 0");
                }
            }
            return ctx.conclude();
        }
        catch (final ConfigurationException ex)
        {
            throw new UsageException(name(), ex.getMessage());
        }
    }

    /**
     * Polls a network subscription until --count, the end of a bounded replay, or Ctrl-C. A first connection that
     * fails exits 1 (its reason was reported); once subscribed, a lost connection is reported and resumed.
     */
    private static int runRemote(
        final RemoteConsumer.Context ctx, final FragmentHandler handler, final PrintStream lines, final long[] received,
        final long count, final AtomicBoolean running, final IdleStrategy idle)
    {
        final boolean[] reported = new boolean[1];
        final ErrorHandler report = ctx.errorHandler();
        ctx.errorHandler(t ->
        {
            reported[0] = true;
            report.onError(t);
        });
        try (RemoteConsumer consumer = RemoteConsumer.subscribe(ctx))
        {
            while (running.get() && received[0] < count && !consumer.isEnded() &&
                !Thread.currentThread().isInterrupted())
            {
                final int n = consumer.poll(handler, (int)Math.min(256, count - received[0]));
                if (n == 0)
                {
                    lines.flush();
                    if (reported[0] && RemoteConsumer.State.CONNECTING == consumer.state())
                    {
                        return Main.EXIT_FAILURE;
                    }
                }
                idle.idle(n);
            }
        }
        return Main.EXIT_OK;
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down
        }
    }
}
