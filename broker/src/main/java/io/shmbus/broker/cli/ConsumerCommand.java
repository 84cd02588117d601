package io.shmbus.broker.cli;

import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ConsumerNames;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TopicNames;
import io.shmbus.client.cnc.ControlProtocol;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus consumer reset NAME --topic T --to START}: moves the stored position of a durable named consumer
 * that no process holds.
 */
final class ConsumerCommand implements Command
{
    public String name()
    {
        return "consumer";
    }

    public String summary()
    {
        return "move a durable named consumer's position (reset)";
    }

    public String usage()
    {
        return "usage: shmbus consumer reset NAME --topic T --to earliest|latest|POSITION|TIME [--dir DIR]\n\n" +
            "Moves where the named consumer resumes: the topic's earliest message (in the archive, else the\n" +
            "ring), its tail, an exact stream position (a frame start), or the first message stamped at or\n" +
            "after an ISO-8601 time. Refused while a process holds the name (the error names its pid).\n\n" +
            TopicOptions.HELP +
            "  --to START         where the consumer resumes\n\n" +
            "Exit code 0 done, 1 failure (no broker, the name is held), 2 a mistake in the command line, an\n" +
            "unknown topic or name, or a position the topic does not hold.\n";
    }

    public int run(final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
    {
        if (argList.isEmpty() || !"reset".equals(argList.get(0)))
        {
            throw new UsageException(name(), argList.isEmpty() ? "a subcommand is required: reset" :
                "unknown subcommand '" + argList.get(0) + "' (reset)");
        }
        if (argList.size() < 2 || argList.get(1).startsWith("--"))
        {
            throw new UsageException(name(), "reset needs the consumer's name");
        }
        final String consumer = argList.get(1);
        final Args args = Args.parse(name(), argList.subList(2, argList.size()), TopicOptions.with("--to"), Set.of());
        final String topic = args.require("--topic");
        try
        {
            ConsumerNames.validate(consumer);
            TopicNames.validate(topic);
        }
        catch (final ConfigurationException ex)
        {
            throw new UsageException(name(), ex.getMessage());
        }
        args.require("--to");
        final StartPosition to = StartOptions.start(args, name(), "--to", null);
        try (ShmBus bus = TopicOptions.connect(args, err, name()))
        {
            final long position = bus.resetNamedConsumer(topic, consumer, to);
            out.println("consumer " + consumer + " of topic " + topic + " resumes at position " + position);
            return Main.EXIT_OK;
        }
        catch (final PositionUnavailableException ex)
        {
            err.println("shmbus consumer: error: " + ex.getMessage());
            return Main.EXIT_USAGE;
        }
        catch (final BrokerErrorException ex)
        {
            final String reason = ex.getMessage().replaceFirst("^broker error [A-Z_]+: ", "");
            err.println("shmbus consumer: error: " + reason);
            return ControlProtocol.ERROR_CONSUMER_NAME_IN_USE == ex.errorCode() ? Main.EXIT_FAILURE :
                ControlProtocol.ERROR_UNKNOWN_TOPIC == ex.errorCode() ||
                ControlProtocol.ERROR_UNKNOWN_REGISTRATION == ex.errorCode() ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
        }
    }
}
