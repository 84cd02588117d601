package io.shmbus.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code scripts/bench startup}: what starting the short commands of {@code scripts/shmbus} costs. Against a broker
 * of its own (on a fresh directory under /dev/shm, with a small archived topic), runs publish, subscribe --count,
 * stat, topics, verify and replay (a stored range to a local receiver) to their ends, each started three ways
 * ({@link StartupReport.Start}), in rounds, and writes the medians to bench-results/startup-<timestamp>.md. The
 * first run of each command, the one that writes its class-data archive, is measured once beforehand. One thread,
 * but for the receiver's.
 */
public final class StartupBenchmark
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench startup [--runs N] [--quick] [--before DIR] [--out FILE]",
        "",
        "Runs each short command of scripts/shmbus (publish, subscribe --count, stat, topics, verify, replay to a",
        "local receiver) against a broker of its own, started three ways: the default JVM without an archive, the",
        "script without its class-data archive (SHMBUS_CDS=off) and the script as it is. Measures CPU (user + sys)",
        "and wall seconds per run with bash's time. Writes bench-results/startup-<yyyyMMdd-HHmmss>.md.",
        "Rewrites each command's archive under broker/target/cds/ (its first run is measured too).",
        "",
        "  --runs N     rounds; medians are reported (default 15; quick 5)",
        "  --quick      5 rounds, about half a minute",
        "  --before DIR also start each command from an earlier build: DIR holds that code with its broker",
        "               packaged, e.g. git archive REV | tar -x -C DIR; (cd DIR && mvn -B -o -q -DskipTests",
        "               package -pl broker -am); its default JVM is then the anchor of the ratios",
        "  --out FILE   write the report here instead",
        "  --help       this text");

    private static final String TOPIC = "startup";
    private static final int MESSAGES = 100;
    private static final long BROKER_START_TIMEOUT_MS = 120_000;

    private StartupBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int runs = 15;
        Path out = null;
        Path before = null;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--help", "-h" ->
                    {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--quick" -> runs = 5;
                    case "--runs" -> runs = BenchOptions.positiveInt("--runs", BenchOptions.value(args, ++i, "--runs"));
                    case "--out" -> out = Paths.get(BenchOptions.value(args, ++i, "--out"));
                    case "--before" -> before = Paths.get(BenchOptions.value(args, ++i, "--before")).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench startup: " + ex.getMessage() + "\n\n" + USAGE);
            System.exit(2);
        }
        if (runs < 1)
        {
            System.err.println("bench startup: --runs must be at least 1");
            System.exit(2);
        }
        final Path root = BenchMain.root().toAbsolutePath();
        final LocalDateTime started = LocalDateTime.now();
        final Path report = BenchMain.reportFile(out, "startup", started);
        if (null != before && !Files.isRegularFile(jar(before)))
        {
            System.err.println("bench startup: --before " + before + ": no " + jar(before) + " (build it first)");
            System.exit(2);
        }
        try
        {
            run(root, before, runs, started, report);
        }
        catch (final BenchException ex)
        {
            System.err.println("bench startup: " + ex.getMessage());
            System.exit(1);
        }
    }


    private static Path jar(final Path root)
    {
        return root.resolve("broker").resolve("target").resolve("shmbus-broker-0.1.0-SNAPSHOT.jar");
    }

    private static void run(
        final Path root, final Path before, final int runs, final LocalDateTime started, final Path reportFile)
        throws IOException, InterruptedException
    {
        final String loadBefore = MachineInfo.loadAverage();
        final long startNs = System.nanoTime();
        final Path scratch = BenchDirs.createFresh(BenchDirs.shmParent(), "shmbus-bench-startup-");
        final Path shm = scratch.resolve("shm");
        final Path data = scratch.resolve("data");
        final Path script = root.resolve("scripts").resolve("shmbus");
        Process broker = null;
        try (ServerSocketChannel receiver = ServerSocketChannel.open()
            .bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            startReceiver(receiver);
            broker = startBroker(script, shm, data, scratch.resolve("broker.log"));
            final TimedCommand timed = new TimedCommand(scratch);
            final String lines = lines();
            timed.run(List.of(script.toString(), "publish", "--dir", shm.toString(), "--topic", TOPIC), Map.of(),
                lines);
            final Map<String, List<String>> commands = commands(shm, data, receiver);
            final StartupReport report = new StartupReport();
            for (final Map.Entry<String, List<String>> command : commands.entrySet())
            {
                removeArchive(root, command.getValue().get(0));
                final TimedCommand.Times first = timed.run(scriptCommand(script, command.getValue()), Map.of(),
                    lines);
                report.addFirstRun(command.getKey(), first);
                System.out.printf(Locale.ROOT, "%-20s first run (writes the archive): CPU %.3f s, wall %.3f s%n",
                    command.getKey(), first.cpuS(), first.wallS());
            }
            final List<StartupReport.Start> starts = new ArrayList<>(List.of(StartupReport.Start.values()));
            if (null == before)
            {
                starts.remove(StartupReport.Start.BEFORE_DEFAULT_JVM);
                starts.remove(StartupReport.Start.BEFORE_SCRIPT);
            }
            for (int round = 0; round < runs; round++)
            {
                for (final Map.Entry<String, List<String>> command : commands.entrySet())
                {
                    for (int i = 0; i < starts.size(); i++)
                    {
                        final StartupReport.Start start = starts.get((i + round) % starts.size());
                        report.add(command.getKey(), start, timed.run(startCommand(root, before, start,
                            command.getValue()), environment(start), lines));
                    }
                }
                System.out.printf(Locale.ROOT, "round %d of %d: replay CPU %.3f s (%s) vs %.3f s " +
                    "(script), medians so far%n", round + 1, runs, report.medianCpuS("replay", report.anchor()),
                    report.anchor().title,
                    report.medianCpuS("replay", StartupReport.Start.SCRIPT));
            }
            final Map<String, String> settings = new LinkedHashMap<>();
            final MachineInfo machine = MachineInfo.collect();
            settings.put("date", started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) +
                String.format(Locale.ROOT, ", took %.0f s", (System.nanoTime() - startNs) / 1e9));
            settings.put("command", "`" + System.getProperty(IpcBenchmark.COMMAND_PROP_NAME, "scripts/bench startup") +
                "`");
            settings.put("code", System.getProperty(IpcBenchmark.CODE_PROP_NAME, "unknown"));
            settings.put("machine", "nproc " + machine.nproc() + ", " + machine.cpuModel() + ", Linux " +
                machine.kernel() + ", RAM " + machine.memTotal());
            settings.put("load average", "before " + loadBefore + ", after " + MachineInfo.loadAverage() +
                " (1/5/15 min)" + (MachineInfo.isBusy(loadBefore, machine.nproc()) ?
                " — **other processes were running: compare the ratios, not the seconds**" : ""));
            settings.put("java", machine.java());
            if (null != before)
            {
                settings.put("earlier code", "`" + before + "` (--before)");
            }
            settings.put("rounds", runs + "; per run bash's `time` of the command to its end (JVM exit included)");
            settings.put("workload", "a broker (`scripts/shmbus broker`, not measured) on /dev/shm with a data " +
                "directory; topic `" + TOPIC + "` of " + MESSAGES + "-message publishes; publish sends " + MESSAGES +
                " lines, subscribe reads " + MESSAGES + " from the earliest, replay sends the topic's frames " +
                "(sendfile) to a local receiver");
            final String markdown = report.markdown(settings);
            Files.createDirectories(reportFile.toAbsolutePath().getParent());
            Files.writeString(reportFile, markdown);
            System.out.println();
            System.out.print(markdown);
            System.out.println("\nwrote " + reportFile);
        }
        finally
        {
            if (null != broker)
            {
                broker.destroy(); // SIGTERM: the broker stops cleanly
                if (!broker.waitFor(30, TimeUnit.SECONDS))
                {
                    broker.destroyForcibly().waitFor();
                }
            }
            BenchDirs.deleteRecursively(scratch);
        }
    }

    /** The measured commands by label: the scripts/shmbus arguments, the command's name first. */
    private static Map<String, List<String>> commands(
        final Path shm, final Path data, final ServerSocketChannel receiver) throws IOException
    {
        final String dir = shm.toString();
        final int port = ((InetSocketAddress)receiver.getLocalAddress()).getPort();
        final Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("publish", List.of("publish", "--dir", dir, "--topic", TOPIC));
        commands.put("subscribe --count", List.of("subscribe", "--dir", dir, "--topic", TOPIC, "--from", "earliest",
            "--count", String.valueOf(MESSAGES)));
        commands.put("stat", List.of("stat", "--dir", dir));
        commands.put("topics", List.of("topics", "--dir", dir));
        commands.put("verify", List.of("verify", data.resolve(TOPIC).toString()));
        commands.put("replay", List.of("replay", "--dir", dir, "--topic", TOPIC, "--connect", "127.0.0.1:" + port));
        return commands;
    }

    private static List<String> startCommand(
        final Path root, final Path before, final StartupReport.Start start, final List<String> args)
    {
        switch (start)
        {
            case BEFORE_DEFAULT_JVM:
                return defaultJvmCommand(before, args);
            case BEFORE_SCRIPT:
                return scriptCommand(before.resolve("scripts").resolve("shmbus"), args);
            case DEFAULT_JVM:
                return defaultJvmCommand(root, args);
            default:
                return scriptCommand(root.resolve("scripts").resolve("shmbus"), args);
        }
    }

    /** What scripts/shmbus ran before it chose JVM options: the JVM's defaults, no archive. */
    private static List<String> defaultJvmCommand(final Path root, final List<String> args)
    {
        final List<String> command = new ArrayList<>(List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp",
            jar(root) + ":" + root.resolve("broker").resolve("target").resolve("lib") + "/*",
            "io.shmbus.broker.cli.Main"));
        command.addAll(args);
        return command;
    }

    private static List<String> scriptCommand(final Path script, final List<String> args)
    {
        final List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(args);
        return command;
    }

    private static Map<String, String> environment(final StartupReport.Start start)
    {
        return StartupReport.Start.NO_ARCHIVE == start ? Map.of("SHMBUS_CDS", "off") : Map.of();
    }

    /** Removes a command's archive and its records, so that the next run makes them again. */
    private static void removeArchive(final Path root, final String commandName) throws IOException
    {
        final Path cds = root.resolve("broker").resolve("target").resolve("cds");
        if (Files.isDirectory(cds))
        {
            try (Stream<Path> files = Files.list(cds))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    if (file.getFileName().toString().startsWith(commandName + "."))
                    {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    private static String lines()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MESSAGES; i++)
        {
            sb.append("start-up benchmark message ").append(i).append('\n');
        }
        return sb.toString();
    }

    private static Process startBroker(final Path script, final Path shm, final Path data, final Path log)
        throws IOException, InterruptedException
    {
        final Process broker = new ProcessBuilder(script.toString(), "broker", "--dir", shm.toString(),
            "--data-dir", data.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.currentTimeMillis() + BROKER_START_TIMEOUT_MS;
        while (!(Files.exists(log) && Files.readString(log).contains(" serving ")))
        {
            if (!broker.isAlive() || System.currentTimeMillis() > deadline)
            {
                broker.destroyForcibly().waitFor();
                throw new BenchException("the broker did not start: " +
                    (Files.exists(log) ? Files.readString(log).trim() : "no output"));
            }
            Thread.sleep(50);
        }
        return broker;
    }

    /** Accepts every connection and discards what arrives: the receiver of {@code shmbus replay --connect}. */
    private static void startReceiver(final ServerSocketChannel server)
    {
        final Thread thread = new Thread(() ->
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
            while (server.isOpen())
            {
                try (SocketChannel connection = server.accept())
                {
                    while (connection.read(buffer.clear()) >= 0)
                    {
                        // discard
                    }
                }
                catch (final IOException closed)
                {
                    // the server closed at the end, or a connection failed: the command reports its own errors
                }
            }
        }, "startup-receiver");
        thread.setDaemon(true);
        thread.start();
    }
}
