package io.shmbus.broker.cli;

import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmbusException;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code scripts/shmbus}: dispatches to a subcommand; user mistakes get a message and exit code 2,
 * failures a message and exit code 1, never a stack trace.
 */
public final class Main
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static
    {
        register(new BrokerCommand());
        register(new DemoCommand());
        register(new PublishCommand());
        register(new SubscribeCommand());
        register(new TopicsCommand());
        register(new StatCommand());
        register(new VerifyCommand());
        register(new ReplayCommand());
    }

    private Main()
    {
    }

    private static void register(final Command command)
    {
        COMMANDS.put(command.name(), command);
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(final String[] args, final InputStream in, final PrintStream out, final PrintStream err)
    {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0]) || "help".equals(args[0]))
        {
            if (args.length > 1 && COMMANDS.containsKey(args[1]))
            {
                out.println(COMMANDS.get(args[1]).usage());
                return EXIT_OK;
            }
            out.println(usage());
            return args.length == 0 ? EXIT_USAGE : EXIT_OK;
        }
        final Command command = COMMANDS.get(args[0]);
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
        for (final Command command : COMMANDS.values())
        {
            sb.append(String.format("  %-10s %s%n", command.name(), command.summary()));
        }
        sb.append("\n'shmbus <command> --help' describes a command's options.");
        return sb.toString();
    }
}
