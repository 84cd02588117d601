package io.shmbus.broker.cli;

import io.shmbus.broker.metrics.MetricsText;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus stat}: the broker's counters from the CnC file, once or refreshed in place with {@code --watch}.
 */
final class StatCommand implements Command
{
    public String name()
    {
        return "stat";
    }

    public String summary()
    {
        return "print the broker's counters (--watch to refresh)";
    }

    public String usage()
    {
        return "usage: shmbus stat [--dir DIR | --remote HOST:PORT] [--watch] [--interval MS]\n\n" +
            "Prints the broker's pid, uptime and heartbeat age, then every counter: commands, errors,\n" +
            "clients, dead-client recoveries, unblocked claims, per topic the tail, limit, consumers\n" +
            "and producers, and the network server's connections, subscriptions, errors and bytes sent.\n\n" +
            "  --dir DIR          shared-memory directory (default " + ShmDirectory.defaultDirectory() + ")\n" +
            "  --remote HOST:PORT the same figures from a broker on another host, read from its metrics\n" +
            "                     endpoint (the broker's --metrics-port)\n" +
            "  --watch            refresh until Ctrl-C: in place on a terminal, else block after block\n" +
            "  --interval MS      refresh interval with --watch (default 1000)\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException, InterruptedException
    {
        final Args args = Args.parse(name(), argList, Set.of("--dir", "--interval", "--remote"), Set.of("--watch"));
        final long intervalMs = args.getLong("--interval", 1000);
        if (intervalMs < 10)
        {
            throw new UsageException(name(), "--interval must be >= 10 ms");
        }
        final boolean watch = args.has("--watch");
        if (args.has("--remote"))
        {
            if (args.has("--dir"))
            {
                throw new UsageException(name(), "--remote and --dir exclude each other");
            }
            final RemoteMetrics remote = RemoteMetrics.of(name(), args.get("--remote", null));
            repeat(watch, intervalMs, out, () -> printRemote(remote, out));
            return Main.EXIT_OK;
        }
        final Path dir = args.has("--dir") ? Paths.get(args.get("--dir", null)) : ShmDirectory.defaultDirectory();
        final Path file = CncFile.fileIn(dir);
        final CncFile cnc;
        try
        {
            cnc = CncFile.map(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ShmbusException("no broker is running on " + dir + " (no " + file + ")");
        }
        try
        {
            repeat(watch, intervalMs, out, () -> print(cnc, out));
        }
        finally
        {
            cnc.close();
        }
        return Main.EXIT_OK;
    }

    /** Prints once, or with {@code watch} every interval until interrupted. */
    private static void repeat(final boolean watch, final long intervalMs, final PrintStream out, final Runnable print)
        throws InterruptedException
    {
        // escapes only for a terminal: into a pipe or a file each block follows the last after an empty line
        final boolean clear = watch && out == System.out && null != System.console();
        boolean first = true;
        do
        {
            if (clear)
            {
                out.print("\033[H\033[2J");
            }
            else if (!first)
            {
                out.println();
            }
            first = false;
            print.run();
            out.flush();
            if (watch)
            {
                Thread.sleep(intervalMs);
            }
        }
        while (watch);
    }

    /** The broker's figures from its metrics endpoint: each shmbus sample, its value first, as for local counters. */
    private static void printRemote(final RemoteMetrics remote, final PrintStream out)
    {
        final MetricsText metrics = remote.fetch();
        out.println("broker at " + remote.url() + ", up " + (long)metrics.value("shmbus_uptime_seconds") + " s");
        for (final MetricsText.Family family : metrics.families())
        {
            if (!family.name.startsWith("shmbus_") || "shmbus_uptime_seconds".equals(family.name))
            {
                continue;
            }
            for (final MetricsText.Sample sample : family.samples())
            {
                final StringBuilder labels = new StringBuilder();
                sample.labels.forEach((name, value) ->
                    labels.append(labels.length() == 0 ? "{" : ",").append(name).append("=\"").append(value)
                        .append('"'));
                out.println(PlainFormat.right(PlainFormat.grouped((long)sample.value), 20) + " - " + sample.name +
                    (labels.length() == 0 ? "" : labels.append('}')));
            }
        }
    }

    private static void print(final CncFile cnc, final PrintStream out)
    {
        final long now = System.currentTimeMillis();
        final long heartbeat = cnc.brokerHeartbeatMs();
        out.println("broker pid " + cnc.brokerPid() + ", " + (cnc.isBrokerProcessAlive() ? "running" : "NOT RUNNING") +
            ", up " + (now - cnc.startTimestampMs()) / 1000 + " s, heartbeat " +
            (heartbeat == 0 ? "stopped" : (now - heartbeat) + " ms ago"));
        final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
        reader.forEach((id, typeId, key, label) ->
            out.println(PlainFormat.right(id, 4) + ": " + PlainFormat.right(PlainFormat.grouped(
                reader.getCounterValue(id)), 20) + " - " + label));
    }
}
