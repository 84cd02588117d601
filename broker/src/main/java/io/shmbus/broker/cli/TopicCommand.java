package io.shmbus.broker.cli;

import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.TopicNames;
import io.shmbus.client.cnc.ControlProtocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code shmbus topic info|delete NAME}: a topic's report from the running broker, and its deletion by the broker
 * (refused while clients use it; its segment files only with {@code --yes} or a typed confirmation).
 */
final class TopicCommand implements Command
{
    private final BooleanSupplier interactive;

    TopicCommand()
    {
        this(() -> null != System.console());
    }

    /** @param interactive whether a person at a terminal can be asked to confirm. */
    TopicCommand(final BooleanSupplier interactive)
    {
        this.interactive = interactive;
    }

    public String name()
    {
        return "topic";
    }

    public String summary()
    {
        return "a topic's settings, files and clients (info), or delete it (delete)";
    }

    public String usage()
    {
        return "usage: shmbus topic info NAME [--dir DIR]\n" +
            "       shmbus topic delete NAME [--dir DIR] [--yes]\n\n" +
            "info    asks the running broker for the topic's settings (capacity, max message length,\n" +
            "        persistence, durability, retention, slow-consumer policy), its files and their sizes (the\n" +
            "        ring file; segment files and indexes), its tail, producer limit and archived positions,\n" +
            "        its producers, and its consumers, local and remote, with their positions and lag.\n" +
            "delete  has the running broker delete the topic: its ring file, its counters and its archive\n" +
            "        (segment files and indexes). Refused while producers, local consumers or network\n" +
            "        subscribers use it (the error names them). It prints what it deletes first; a topic with\n" +
            "        segment files needs --yes, or at a terminal the topic's name typed to confirm. A client\n" +
            "        that uses the topic afterwards gets a new, empty one. Needs a running broker: it is the\n" +
            "        one that knows the topic's clients and owns its files.\n\n" +
            "  --dir DIR          the broker's shared-memory directory (default " +
            io.shmbus.client.ShmDirectory.defaultDirectory() + ")\n" +
            "  --yes              delete: also delete the topic's segment files without asking\n\n" +
            "Exit code 0 done, 1 failure (no broker, topic in use, not confirmed), 2 a mistake in the command\n" +
            "line or an unknown topic.\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException
    {
        if (argList.isEmpty())
        {
            throw new UsageException(name(), "a subcommand is required: info or delete");
        }
        final String subcommand = argList.get(0);
        if (!"info".equals(subcommand) && !"delete".equals(subcommand))
        {
            throw new UsageException(name(), "unknown subcommand '" + subcommand + "' (info or delete)");
        }
        if (argList.size() < 2 || argList.get(1).startsWith("--"))
        {
            throw new UsageException(name(), subcommand + " needs the topic's name");
        }
        final String topic = argList.get(1);
        try
        {
            TopicNames.validate(topic);
        }
        catch (final InvalidTopicNameException ex)
        {
            throw new UsageException(name(), ex.getMessage());
        }
        final boolean delete = "delete".equals(subcommand);
        final Args args = Args.parse(name(), argList.subList(2, argList.size()), Set.of("--dir"),
            delete ? Set.of("--yes") : Set.of());
        try (ShmBus bus = TopicOptions.connect(args, err, name()))
        {
            final TopicReportText report = TopicReportText.parse(bus.topicInfo(topic));
            if (!delete)
            {
                report.print(out);
                return Main.EXIT_OK;
            }
            return delete(bus, topic, report, args.has("--yes"), in, out, err);
        }
        catch (final BrokerErrorException ex)
        {
            return brokerRefused(ex, topic, err);
        }
    }

    private int delete(
        final ShmBus bus,
        final String topic,
        final TopicReportText report,
        final boolean yes,
        final InputStream in,
        final PrintStream out,
        final PrintStream err) throws IOException
    {
        final long segments = report.getLong("archive.segments", 0);
        out.println("topic " + topic + ": will delete");
        report.printFiles(out);
        boolean withArchive = yes || segments == 0;
        if (!withArchive)
        {
            if (!interactive.getAsBoolean())
            {
                err.println("shmbus topic: topic '" + topic + "' has " + segments + " segment file(s) (" +
                    report.get("archive.segment.bytes") + " bytes) in " + report.get("archive.dir") +
                    ": add --yes to delete them with the topic; nothing was deleted");
                return Main.EXIT_USAGE;
            }
            err.print("delete topic '" + topic + "' and its " + segments + " segment file(s)? type the topic's " +
                "name to confirm: ");
            err.flush();
            final String answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (!topic.equals(null == answer ? null : answer.trim()))
            {
                err.println("shmbus topic: not confirmed; nothing was deleted");
                return Main.EXIT_FAILURE;
            }
            withArchive = true;
        }
        out.println(bus.deleteTopic(topic, withArchive));
        return Main.EXIT_OK;
    }

    int brokerRefused(final BrokerErrorException ex, final String topic, final PrintStream err)
    {
        final String reason = ex.getMessage().replaceFirst("^broker error [A-Z_]+: ", "");
        switch (ex.errorCode())
        {
            case ControlProtocol.ERROR_UNKNOWN_TOPIC:
                err.println("shmbus topic: error: " + reason);
                return Main.EXIT_USAGE;
            case ControlProtocol.ERROR_CONFIRMATION_REQUIRED:
                err.println("shmbus topic: error: " + reason + " (its archive grew meanwhile): run it again, or " +
                    "add --yes; nothing was deleted");
                return Main.EXIT_USAGE;
            case ControlProtocol.ERROR_UNKNOWN_COMMAND:
                err.println("shmbus topic: error: the broker does not know topic administration: it runs an " +
                    "earlier shmbus release; upgrade it (docs/operations.md) and try again");
                return Main.EXIT_FAILURE;
            case ControlProtocol.ERROR_TOPIC_IN_USE:
                err.println("shmbus topic: error: " + reason + "; nothing was deleted");
                return Main.EXIT_FAILURE;
            default:
                throw new ShmbusException("the broker refused: " + ex.getMessage() + " (topic '" + topic + "')");
        }
    }
}
