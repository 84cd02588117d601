package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.config.Durations;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code shmbus broker}: the daemon, in the foreground, logging to stderr, stopped cleanly by SIGTERM or Ctrl-C.
 */
final class BrokerCommand implements Command
{
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
        return "usage: shmbus broker [--dir DIR] [--data-dir DIR | --no-data-dir] [--segment-length SIZE] [--config FILE]\n" +
            "                     [--client-timeout DURATION] [--unblock-timeout DURATION]\n" +
            "                     [--net-port PORT [--bind ADDRESS]]\n" +
            "                     [--metrics-port PORT [--metrics-bind ADDRESS]]\n\n" +
            "Owns the shared-memory directory: creates topics, registers clients, advances flow control,\n" +
            "frees the consumers of dead processes and unblocks claims abandoned by dead producers.\n" +
            "Logs to stderr; SIGTERM or Ctrl-C stops it cleanly. One broker per directory.\n\n" +
            "  --dir DIR                 shared-memory directory (default " +
            io.shmbus.client.ShmDirectory.defaultDirectory() + ")\n" +
            "  --data-dir DIR            archive persistent topics into segment files there (every topic is\n" +
            "                            persistent unless its config says 'persistent = false'); default: the\n" +
            "                            config's data.dir, else " + BrokerContext.defaultDataDirectory(
            io.shmbus.client.ShmDirectory.defaultDirectory()) + "\n" +
            "                            ($XDG_DATA_HOME/shmbus or ~/.local/share/shmbus, then the --dir name)\n" +
            "  --no-data-dir             persist nothing: topics live in shared memory only\n" +
            "  --segment-length SIZE     length of each segment file, a power of two (default 128m)\n" +
            "  --config FILE             broker and per-topic settings (see docs/configuration.md)\n" +
            "  --client-timeout DUR      a client silent this long is declared dead (default 5s)\n" +
            "  --unblock-timeout DUR     a claim uncommitted this long becomes padding (default 10s)\n" +
            "  --net-port PORT           serve persisted topics to network subscribers over TCP (docs/protocol.md);\n" +
            "                            0 picks a free port (printed on the log). Needs a data dir\n" +
            "  --bind ADDRESS            address to listen on (default 127.0.0.1: this host only)\n" +
            "  --metrics-port PORT       serve Prometheus metrics at http://ADDRESS:PORT/metrics; 0 picks a free\n" +
            "                            port (printed on the log)\n" +
            "  --metrics-bind ADDRESS    address the metrics server listens on (default 127.0.0.1)\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws InterruptedException
    {
        final Args args = Args.parse(name(), argList,
            Set.of("--dir", "--data-dir", "--segment-length", "--config", "--client-timeout",
                "--unblock-timeout", "--net-port", "--bind", "--metrics-port", "--metrics-bind"),
            Set.of("--no-data-dir"));
        // the daemon persists by default; an embedded Broker persists only when given a data directory
        final BrokerContext ctx = new BrokerContext().log(err).archiveByDefault(true);
        if (args.has("--no-data-dir"))
        {
            if (args.has("--data-dir"))
            {
                throw new UsageException(name(), "--data-dir and --no-data-dir exclude each other");
            }
            ctx.noDataDir(true);
        }
        if (args.has("--dir"))
        {
            ctx.dir(Paths.get(args.get("--dir", null)));
        }
        if (args.has("--data-dir"))
        {
            ctx.dataDir(Paths.get(args.get("--data-dir", null)));
        }
        if (args.has("--config"))
        {
            ctx.configFile(Paths.get(args.get("--config", null)));
        }
        if (args.has("--net-port"))
        {
            final long port = args.getLong("--net-port", -1);
            if (port < 0 || port > 65535)
            {
                throw new UsageException(name(), "--net-port must be 0 to 65535: " + port);
            }
            ctx.netPort((int)port);
        }
        if (args.has("--bind"))
        {
            ctx.netBind(args.get("--bind", null));
        }
        if (args.has("--metrics-port"))
        {
            final long port = args.getLong("--metrics-port", -1);
            if (port < 0 || port > 65535)
            {
                throw new UsageException(name(), "--metrics-port must be 0 to 65535: " + port);
            }
            ctx.metricsPort((int)port);
        }
        if (args.has("--metrics-bind"))
        {
            ctx.metricsBind(args.get("--metrics-bind", null));
        }
        try
        {
            if (args.has("--client-timeout"))
            {
                ctx.clientLivenessTimeoutNs(
                    Durations.parseNs("--client-timeout", args.get("--client-timeout", null)));
            }
            if (args.has("--segment-length"))
            {
                ctx.segmentLength(
                    io.shmbus.client.Sizes.parse("--segment-length", args.get("--segment-length", null)));
            }
            if (args.has("--unblock-timeout"))
            {
                ctx.unblockTimeoutNs(Durations.parseNs("--unblock-timeout", args.get("--unblock-timeout", null)));
            }
        }
        catch (final io.shmbus.client.ConfigurationException ex)
        {
            throw new UsageException(name(), ex.getMessage());
        }

        final Broker broker = Broker.launch(ctx);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            err.println("shmbus broker: stopping (signal)");
            broker.close();
            stopped.countDown();
            err.flush();
            Runtime.getRuntime().halt(Main.EXIT_OK); // a clean stop on SIGTERM exits 0, not 143
        }, "shmbus-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return Main.EXIT_OK;
    }
}
