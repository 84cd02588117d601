package io.shmbus.broker.cli;

import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmbusException;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code scripts/shmbus}: dispatches to a subcommand; user mistakes get a message and exit code 2,
 * failures a message and exit code 1, never a stack trace.
 */
public final class Main
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    /** Every command's name, in the order of the command list. */
    static final List<String> COMMAND_NAMES =
        List.of("broker", "demo", "publish", "subscribe", "topics", "topic", "consumers", "consumer", "stat", "errors",
            "verify", "replay");

    private Main()
    {
    }

    /**
     * The command of that name, or null. Only the command that runs is loaded: a short command such as {@code stat}
     * starts without the classes of the broker and the demo.
     */
    static Command command(final String name)
    {
        switch (name)
        {
            case "broker":
                return new BrokerCommand();
            case "demo":
                return new DemoCommand();
            case "publish":
                return new PublishCommand();
            case "subscribe":
                return new SubscribeCommand();
            case "topics":
                return new TopicsCommand();
            case "topic":
                return new TopicCommand();
            case "consumers":
                return new ConsumersCommand();
            case "consumer":
                return new ConsumerCommand();
            case "stat":
                return new StatCommand();
            case "errors":
                return new ErrorsCommand();
            case "verify":
                return new VerifyCommand();
            case "replay":
                return new ReplayCommand();
            default:
                return null;
        }
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(final String[] args, final InputStream in, final PrintStream out, final PrintStream err)
    {
        if (Arrays.asList(args).contains("--version"))
        {
            // on every command, before its options are checked: the answer never depends on them
            out.println(VersionInfo.text());
            return EXIT_OK;
        }
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0]) || "help".equals(args[0]))
        {
            final Command asked = args.length > 1 ? command(args[1]) : null;
            if (null != asked)
            {
                out.println(asked.usage());
                return EXIT_OK;
            }
            out.println(usage());
            return args.length == 0 ? EXIT_USAGE : EXIT_OK;
        }
        final Command command = command(args[0]);
        if (null == command)
        {
            err.println("shmbus: unknown command '" + args[0] + "'");
            err.println(usage());
            return EXIT_USAGE;
        }
        final List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h"))
        {
            out.println(command.usage());
            return EXIT_OK;
        }
        try
        {
            JvmRequirements.check();
            return command.run(rest, in, out, err);
        }
        catch (final UsageException ex)
        {
            err.println("shmbus " + ex.command() + ": " + ex.getMessage());
            err.println("try 'shmbus " + ex.command() + " --help'");
            return EXIT_USAGE;
        }
        catch (final io.shmbus.client.ConfigurationException ex)
        {
            // a setting that cannot work (a bad value, a data directory that is not one): the user's to fix
            err.println("shmbus " + command.name() + ": error: " + ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final ShmbusException ex)
        {
            err.println("shmbus " + command.name() + ": error: " + ex.getMessage());
            return EXIT_FAILURE;
        }
        catch (final Exception ex)
        {
            err.println("shmbus " + command.name() + ": error: " + ex);
            return EXIT_FAILURE;
        }
    }

    static String usage()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("usage: shmbus <command> [options]\n\ncommands:\n");
        for (final String name : COMMAND_NAMES)
        {
            final Command command = command(name);
            sb.append(String.format("  %-10s %s%n", command.name(), command.summary()));
        }
        sb.append("\n'shmbus <command> --help' describes a command's options; 'shmbus --version' prints the " +
            "version.");
        return sb.toString();
    }
}
