package io.shmbus.broker.cli;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.RemoteConsumer;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code shmbus subscribe}: prints each message of a topic as one line on standard output, read from shared
 * memory ({@link LocalSubscription}), or with {@code --remote} from a broker's network server
 * ({@link RemoteSubscription}).
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
            "                        [--name NAME]\n" +
            "                        [--wait DURATION | --no-wait]\n" +
            "       shmbus subscribe --remote HOST:PORT --topic T [--from ...] [--to POSITION] [--token TOKEN]\n" +
            "                        [--name NAME] [--count N] [--wait DURATION | --no-wait]\n\n" +
            "Prints each message as one line (its bytes, then a newline) until --count messages or Ctrl-C.\n" +
            "Reads from the broker on this host through shared memory, or with --remote over TCP from the\n" +
            "broker's network server (a persistent topic).\n" +
            "It waits for what is not there yet: a broker that has not started (or, with --remote, that\n" +
            "refuses the connection: retried with a growing backoff), a remote topic nothing has published\n" +
            "to yet. A broker that stops while it runs is waited for too: the subscription resumes at the\n" +
            "next position on the broker that takes its place (--remote: on the reconnected server), so no\n" +
            "message is printed twice or missed. By default it waits until Ctrl-C, except with --to (a\n" +
            "bounded replay fails at once). With --no-wait, or when --wait runs out, it exits 1 and says\n" +
            "where to resume.\n\n" +
            TopicOptions.HELP +
            "  --from START       earliest, latest (default), an exact stream position or an ISO-8601 time\n" +
            "                     (the first message stamped at or after it; a time in the future is refused)\n" +
            "  --count N          exit after N messages\n" +
            "  --name NAME        a durable named consumer: resumes after the last message a subscribe with this\n" +
            "                     name printed (each printed message is acknowledged); --from applies only the\n" +
            "                     first time the broker sees the name; with --remote too (the same name is one\n" +
            "                     consumer, local or remote; the broker must speak protocol version 2)\n" +
            "  --wait DURATION    wait at most this long (e.g. 500ms, 10s, 5m) for a broker or topic\n" +
            "  --no-wait          fail at once when the broker or the topic is missing or the broker stops\n" +
            "  --remote HOST:PORT subscribe over TCP to the broker's --net-port\n" +
            "  --to POSITION      with --remote: exit after the frames before this stream position\n" +
            "  --token TOKEN      with --remote: the broker's access token\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(name(), argList,
            TopicOptions.with("--from", "--count", "--remote", "--to", "--token", "--name", WaitPolicy.OPTION),
            WaitPolicy.FLAGS);
        final StartPosition start = StartOptions.start(args, name(), "--from", "latest");
        final long count = args.getLong("--count", Long.MAX_VALUE);
        if (count <= 0)
        {
            throw new UsageException(name(), "--count must be > 0");
        }
        final WaitPolicy wait = WaitPolicy.parse(args, name(), !args.has("--to"));
        final String topic = args.require("--topic");
        final MessageLines lines = new MessageLines(out);
        if (args.has("--remote"))
        {
            final Supplier<RemoteConsumer.Context> contexts = remoteContexts(args, topic, start);
            final RemoteConsumer.Context ctx = contexts.get();
            final String where = "'" + topic + "' at " + ctx.host() + ":" + ctx.port();
            try (ShutdownSignal signal = ShutdownSignal.register())
            {
                try
                {
                    return new RemoteSubscription(contexts, where, count, wait, lines, signal, err).run();
                }
                finally
                {
                    lines.flush();
                }
            }
        }
        final String consumerName = args.get("--name", null);
        if (null != consumerName)
        {
            try
            {
                io.shmbus.client.ConsumerNames.validate(consumerName);
            }
            catch (final io.shmbus.client.ConfigurationException ex)
            {
                throw new UsageException(name(), ex.getMessage());
            }
        }
        if (args.has("--to") || args.has("--token"))
        {
            throw new UsageException(name(), "--to and --token need --remote");
        }
        io.shmbus.client.TopicNames.validate(topic);
        final Path dir = args.has("--dir") ? Paths.get(args.get("--dir", null)) : ShmDirectory.defaultDirectory();
        try (ShutdownSignal signal = ShutdownSignal.register())
        {
            try
            {
                return new LocalSubscription(() -> TopicOptions.connect(args, err, name()), dir, topic, start, count,
                    wait, lines, signal, err).named(consumerName).run();
            }
            finally
            {
                lines.flush();
            }
        }
    }

    /** A fresh context per subscription attempt, checked once here so that a mistake is a usage error. */
    private Supplier<RemoteConsumer.Context> remoteContexts(
        final Args args, final String topic, final StartPosition start)
    {
        if (args.has("--dir"))
        {
            throw new UsageException(name(), "--dir does not apply with --remote");
        }
        if (args.has("--to") && args.getLong("--to", -1) < 0)
        {
            throw new UsageException(name(), "--to must be a stream position >= 0");
        }
        final Supplier<RemoteConsumer.Context> contexts = () ->
        {
            final RemoteConsumer.Context ctx = new RemoteConsumer.Context().topic(topic).start(start)
                .token(args.get("--token", null)).address(args.get("--remote", null))
                .consumerName(args.get("--name", null));
            if (args.has("--to"))
            {
                ctx.endPosition(args.getLong("--to", -1));
            }
            return ctx;
        };
        try
        {
            contexts.get().conclude();
        }
        catch (final ConfigurationException ex)
        {
            throw new UsageException(name(), ex.getMessage());
        }
        return contexts;
    }
}
