package io.shmbus.broker.cli;

import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.TopicNames;
import io.shmbus.client.cnc.ControlProtocol;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus consumers [--topic T]}: the running broker's durable named consumers with their stored position,
 * lag behind the tail ('?' for a topic the broker has not opened) and holding process.
 */
final class ConsumersCommand implements Command
{
    public String name()
    {
        return "consumers";
    }

    public String summary()
    {
        return "list durable named consumers with their position and lag";
    }

    public String usage()
    {
        return "usage: shmbus consumers [--topic T] [--dir DIR]\n\n" +
            "Lists the durable named consumers the running broker keeps (of one topic, or of every topic): the\n" +
            "position each resumes at (after the last message it acknowledged), its lag behind the tail in bytes,\n" +
            "and the process holding it ('-' when none). Without --topic, topics the broker has not opened are\n" +
            "listed from their data directory with lag '?' (unknown until the topic is opened, e.g. by\n" +
            "'consumers --topic T', which opens it).\n\n" + TopicOptions.HELP + "\n" +
            "Exit code 0 done, 1 failure (no broker), 2 a mistake in the command line or an unknown topic.\n";
    }

    public int run(final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
    {
        final Args args = Args.parse(name(), argList, TopicOptions.WITH_VALUE, Set.of());
        final String topic = args.get("--topic", null);
        if (null != topic)
        {
            try
            {
                TopicNames.validate(topic);
            }
            catch (final InvalidTopicNameException ex)
            {
                throw new UsageException(name(), ex.getMessage());
            }
        }
        final String text;
        try (ShmBus bus = TopicOptions.connect(args, err, name()))
        {
            text = bus.namedConsumers(topic);
        }
        catch (final BrokerErrorException ex)
        {
            if (ControlProtocol.ERROR_UNKNOWN_TOPIC == ex.errorCode())
            {
                err.println("shmbus consumers: error: " + ex.getMessage().replaceFirst("^broker error [A-Z_]+: ", ""));
                return Main.EXIT_USAGE;
            }
            throw ex;
        }
        out.printf("%-24s %-24s %14s %14s %8s%n", "TOPIC", "NAME", "POSITION", "LAG", "HOLDER");
        for (final String line : text.split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final java.util.Map<String, String> fields = new java.util.HashMap<>();
            for (final String field : line.split(" "))
            {
                final int eq = field.indexOf('=');
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
            final String holder = fields.get("holder");
            final String lag = fields.get("lag");
            out.printf("%-24s %-24s %14s %14s %8s%n", fields.get("topic"), fields.get("name"),
                fields.get("position"), "-1".equals(lag) ? "?" : lag, "0".equals(holder) ? "-" : holder);
        }
        return Main.EXIT_OK;
    }
}
