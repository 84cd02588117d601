package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.config.BrokerSettings;
import io.shmbus.broker.config.ConfigCheck;
import io.shmbus.broker.config.Setting;
import io.shmbus.broker.config.SettingValues;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmDirectory;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code shmbus broker}: the daemon, in the foreground, logging to stderr, stopped cleanly by SIGTERM or Ctrl-C;
 * or, with {@code --check-config FILE}, a check of a config file that starts nothing. Its setting flags are those
 * of {@link BrokerSettings}.
 */
final class BrokerCommand implements Command
{
    private static final int HELP_WIDTH = 112;
    private static final int FLAG_COLUMN = 30;
    private static final String MIRROR_OUT = "--mirror-out";

    public String name()
    {
        return "broker";
    }

    public String summary()
    {
        return "run the broker daemon in the foreground";
    }

    public String usage()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("usage: shmbus broker [--config FILE] [--data-dir DIR | --no-data-dir] [OPTIONS]\n")
            .append("       shmbus broker --check-config FILE\n\n")
            .append("Owns the shared-memory directory: creates topics, registers clients, advances flow control,\n")
            .append("frees the consumers of dead processes and unblocks claims abandoned by dead producers.\n")
            .append("Logs to stderr; SIGTERM or Ctrl-C stops it cleanly. One broker per directory. A flag wins\n")
            .append("over the config file, which wins over system properties (docs/configuration.md).\n\n");
        option(sb, "--config FILE", "broker and per-topic settings (see docs/configuration.md)");
        option(sb, "--check-config FILE", "check a config file and exit, starting nothing: 0 when it is sound, " +
            "else 2 and a 'file:line: reason' line for each mistake");
        option(sb, "--no-data-dir", "persist nothing: topics live in shared memory only");
        option(sb, MIRROR_OUT + " TOPIC=CHANNEL", "mirror a persistent topic to other hosts' brokers: its frames " +
            "go out on the Aeron UDP channel CHANNEL (aeron:udp?endpoint=HOST:PORT), as its mirror.channel would; " +
            "repeat for more topics");
        for (final Setting<?> setting : BrokerSettings.ALL)
        {
            if (null != setting.flag())
            {
                option(sb, setting.flag() + " " + setting.type().metavar(),
                    setting.description() + " (" + usageDefault(setting) + ")");
            }
        }
        return sb.toString();
    }

    private static String usageDefault(final Setting<?> setting)
    {
        if (setting == BrokerSettings.DIR)
        {
            return "default " + ShmDirectory.defaultDirectory();
        }
        if (setting == BrokerSettings.DATA_DIR)
        {
            return "default: the config's data.dir, else " +
                BrokerContext.defaultDataDirectory(ShmDirectory.defaultDirectory()) +
                " ($XDG_DATA_HOME/shmbus or ~/.local/share/shmbus, then the --dir name); every topic is persistent " +
                "unless its config says 'persistent = false'";
        }
        final String text = setting.defaultText().replace("`", "");
        return text.startsWith("none") ? text : "default " + text;
    }

    /** One option of the help, its description wrapped into a column. */
    private static void option(final StringBuilder sb, final String flag, final String description)
    {
        final String indent = " ".repeat(FLAG_COLUMN);
        final StringBuilder line = new StringBuilder("  ").append(flag);
        if (line.length() >= FLAG_COLUMN)
        {
            sb.append(line).append('\n');
            line.setLength(0);
        }
        line.append(" ".repeat(FLAG_COLUMN - line.length()));
        int lineStart = line.length();
        for (final String word : description.split(" "))
        {
            if (line.length() > lineStart && line.length() + 1 + word.length() > HELP_WIDTH)
            {
                sb.append(line).append('\n');
                line.setLength(0);
                line.append(indent);
            }
            if (line.length() > FLAG_COLUMN)
            {
                line.append(' ');
            }
            line.append(word);
            lineStart = FLAG_COLUMN;
        }
        sb.append(line).append('\n');
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws InterruptedException
    {
        final Args args = args(argList);
        if (args.has("--check-config"))
        {
            if (argList.stream().anyMatch(arg -> arg.startsWith("--") && !arg.startsWith("--check-config")))
            {
                throw new UsageException(name(), "--check-config FILE takes no other option");
            }
            return checkConfig(args.require("--check-config"), out, err);
        }

        final BrokerContext ctx = context(args, err);
        // the hook is in place before the start, so a SIGTERM at any instant of it stops the broker cleanly
        final AtomicReference<Broker> started = new AtomicReference<>();
        final CountDownLatch startEnded = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            awaitQuietly(startEnded);
            final Broker broker = started.get();
            if (null != broker)
            {
                broker.logger().info(io.shmbus.broker.logging.BrokerLogger.BROKER, "stopping (signal)");
                broker.close();
            }
            err.flush();
            // a clean stop on SIGTERM exits 0, not 143; a start that failed meanwhile has said why and exits 1
            Runtime.getRuntime().halt(null != broker ? Main.EXIT_OK : Main.EXIT_FAILURE);
        }, "shmbus-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            started.set(Broker.launch(ctx));
        }
        catch (final RuntimeException ex)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // a signal came during the start: the hook ends the process once the error is printed
            }
            throw ex;
        }
        finally
        {
            startEnded.countDown();
        }
        new CountDownLatch(1).await(); // until the hook halts the process
        return Main.EXIT_OK;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The command line, checked against the options: the table's flags and the command's own. */
    Args args(final List<String> argList)
    {
        final Set<String> withValue = new HashSet<>(Set.of("--config", "--check-config", MIRROR_OUT));
        for (final Setting<?> setting : BrokerSettings.ALL)
        {
            if (null != setting.flag())
            {
                withValue.add(setting.flag());
            }
        }
        return Args.parse(name(), argList, withValue, Set.of("--no-data-dir"));
    }

    /** The daemon's settings from its command line, not concluded yet. */
    BrokerContext context(final Args args, final PrintStream log)
    {
        // the daemon persists by default; an embedded Broker persists only when given a data directory
        final BrokerContext ctx = new BrokerContext().log(log).archiveByDefault(true);
        if (args.has("--no-data-dir"))
        {
            if (args.has("--data-dir"))
            {
                throw new UsageException(name(), "--data-dir and --no-data-dir exclude each other");
            }
            ctx.noDataDir(true);
        }
        if (args.has("--config"))
        {
            ctx.configFile(Paths.get(args.get("--config", null)));
        }
        mirrorOut(args, ctx);
        return ctx.settings(flags(args));
    }

    /** Each {@code --mirror-out TOPIC=CHANNEL}, checked as a user mistake. */
    private void mirrorOut(final Args args, final BrokerContext ctx)
    {
        final Set<String> topics = new HashSet<>();
        for (final String value : args.all(MIRROR_OUT))
        {
            final int eq = value.indexOf('=');
            if (eq <= 0 || value.startsWith("aeron:"))
            {
                throw new UsageException(name(), MIRROR_OUT + " needs TOPIC=CHANNEL, e.g. " + MIRROR_OUT +
                    " orders=aeron:udp?endpoint=10.0.0.2:40456: '" + value + "'");
            }
            final String topic = value.substring(0, eq).trim();
            if (!topics.add(topic))
            {
                throw new UsageException(name(), MIRROR_OUT + " gives topic '" + topic + "' twice");
            }
            try
            {
                ctx.mirrorOut(topic, value.substring(eq + 1));
            }
            catch (final ConfigurationException ex)
            {
                throw new UsageException(name(), MIRROR_OUT + " " + value + ": " + ex.getMessage());
            }
        }
    }

    /** The settings given as flags, each checked against its type and range. */
    private SettingValues flags(final Args args)
    {
        final SettingValues flags = new SettingValues();
        for (final Setting<?> setting : BrokerSettings.ALL)
        {
            if (null != setting.flag() && args.has(setting.flag()))
            {
                try
                {
                    flags.parse(setting, setting.flag(), args.get(setting.flag(), null));
                }
                catch (final ConfigurationException ex)
                {
                    throw new UsageException(name(), ex.getMessage());
                }
            }
        }
        return flags;
    }

    private static int checkConfig(final String file, final PrintStream out, final PrintStream err)
    {
        final ConfigCheck check = ConfigCheck.of(Paths.get(file));
        if (check.isOk())
        {
            out.println(check.summary());
            return Main.EXIT_OK;
        }
        for (final String error : check.errors())
        {
            err.println(error);
        }
        return Main.EXIT_USAGE;
    }
}
