package io.shmbus.broker.demo;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo behind {@code shmbus demo}: the whole data flow on a fresh shared-memory directory and a fresh data
 * directory. Consumer processes and a producer process exchange numbered messages through one topic; the embedded
 * broker archives the topic into segment files meanwhile; then this process reads the archive back over TCP from
 * the broker's network server ({@link DemoArchiveReplay}). Prints what each part did and its rate, then removes
 * everything it created, on failure and Ctrl-C too ({@link DemoCleanup}).
 * <p>
 * One run at a time per instance; {@link #run} blocks the calling thread until the demo is over.
 */
public final class Demo
{
    public static final String TOPIC = "demo";
    public static final int SEGMENT_LENGTH_MIB = 32;
    public static final int RETENTION_MIB = 256;
    public static final int MIN_SIZE = 16;
    public static final int MAX_SIZE = 65_536;
    public static final int MAX_CONSUMERS = 8;
    /**
     * The demo topic is persistent without fsync (the demo shows the data path, not the disk) and bounded by
     * retention, so the archive stays near 256 MiB on disk whatever {@code --messages} says.
     */
    private static final String ARCHIVE_CONFIG =
        "segment.length = " + SEGMENT_LENGTH_MIB + "m\n\n" +
        "[topic " + TOPIC + "]\n" +
        "durability = none\n" +
        "retention.bytes = " + RETENTION_MIB + "m\n";

    private final long messages;
    private final long size;
    private final long consumers;
    private final boolean archive;

    /**
     * @param messages  messages to send, >= 1.
     * @param size      payload bytes per message, {@link #MIN_SIZE} to {@link #MAX_SIZE}.
     * @param consumers consumer processes, 1 to {@link #MAX_CONSUMERS}.
     * @param archive   false for shared memory only: no data directory, no network server, no replay.
     */
    public Demo(final long messages, final long size, final long consumers, final boolean archive)
    {
        this.messages = messages;
        this.size = size;
        this.consumers = consumers;
        this.archive = archive;
    }

    /**
     * Runs the demo, printing what it does on {@code out}.
     *
     * @return true when every consumer got every message once and in order (and the archive replayed in full).
     */
    public boolean run(final PrintStream out, final PrintStream err) throws Exception
    {
        final DemoCleanup cleanup = new DemoCleanup();
        final Thread hook = new Thread(cleanup, "shmbus-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            final Path parent = ShmDirectory.defaultDirectory().toAbsolutePath().getParent();
            Files.createDirectories(parent);
            final Path dir = cleanup.newDirectory(parent, "shmbus-demo-");
            final BrokerContext ctx = new BrokerContext().dir(dir).log(brokerLog(out));
            Path dataDir = null;
            if (archive)
            {
                dataDir = cleanup.newDirectory(null, "shmbus-demo-data-");
                final Path config = dir.resolve("demo-broker.conf");
                Files.writeString(config, ARCHIVE_CONFIG);
                ctx.dataDir(dataDir).configFile(config).netPort(0);
            }
            final Broker broker = Broker.launch(ctx);
            cleanup.broker(broker);

            out.println("shmbus demo: embedded broker on " + dir + "; topic '" + TOPIC + "'; " + consumers +
                " consumer process(es), 1 producer process, " + messages + " messages of " + size + " bytes");
            if (archive)
            {
                out.println("shmbus demo: archive in " + dataDir.resolve(TOPIC) + " (durability none, segments of " +
                    SEGMENT_LENGTH_MIB + " MiB, retention " + RETENTION_MIB + " MiB); network server on 127.0.0.1:" +
                    broker.netPort());
            }
            if (!runProcesses(dir, messages, size, consumers, cleanup, out, err))
            {
                printCounters(dir, out);
                out.println("shmbus demo: FAILED (see the output above)");
                return false;
            }
            String replayed = null;
            if (archive)
            {
                replayed = new DemoArchiveReplay(dir, dataDir.resolve(TOPIC), broker.netPort(), messages, (int)size,
                    out).run();
            }
            printCounters(dir, out);
            out.println("shmbus demo: OK: every consumer received all " + messages +
                " messages exactly once, in order");
            if (archive)
            {
                out.println(null != replayed ? "shmbus demo: OK: " + replayed :
                    "shmbus demo: FAILED: the archive or its replay over TCP (see the output above)");
            }
            return !archive || null != replayed;
        }
        finally
        {
            cleanup.run();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down: the hook runs anyway, and finds nothing left to do
            }
        }
    }

    /**
     * Starts the consumer processes, then (once they are registered, so they see every message) the producer, and
     * waits for all of them.
     *
     * @return true when every process exited with 0: each consumer checked every message.
     */
    private static boolean runProcesses(
        final Path dir,
        final long messages,
        final long size,
        final long consumers,
        final DemoCleanup cleanup,
        final PrintStream out,
        final PrintStream err) throws IOException, InterruptedException
    {
        final AtomicReference<Throwable> relayFailure = new AtomicReference<>();
        final Map<Process, String> processes = new LinkedHashMap<>();
        final List<Thread> relays = new ArrayList<>();
        for (int i = 1; i <= consumers; i++)
        {
            final Process consumer = start(dir, DemoConsumer.class, Long.toString(messages), Long.toString(size));
            cleanup.process(consumer);
            processes.put(consumer, "consumer-" + i);
            relays.add(relay(consumer, "consumer-" + i, out, relayFailure));
        }
        for (final Process consumer : processes.keySet())
        {
            awaitFile(dir.resolve("ready-" + consumer.pid()), consumer, 60);
        }
        final Process producer = start(dir, DemoProducer.class, Long.toString(messages), Long.toString(size));
        cleanup.process(producer);
        processes.put(producer, "producer");
        relays.add(relay(producer, "producer", out, relayFailure));

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, messages / 50_000));
        boolean ok = true;
        for (final Map.Entry<Process, String> entry : processes.entrySet())
        {
            final Process process = entry.getKey();
            final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (!process.waitFor(Math.max(1, remainingMs), TimeUnit.MILLISECONDS))
            {
                err.println("shmbus demo: " + entry.getValue() + " (pid " + process.pid() +
                    ") did not finish in time; stopping");
                ok = false;
                break;
            }
            if (0 != process.exitValue())
            {
                err.println("shmbus demo: " + entry.getValue() + " (pid " + process.pid() + ") exited with code " +
                    process.exitValue());
                ok = false;
            }
        }
        for (final Thread relay : relays)
        {
            relay.join(5_000);
        }
        return ok;
    }

    /** The embedded broker's log lines, each marked as the broker's, interleaved with the processes' lines. */
    private static PrintStream brokerLog(final PrintStream out)
    {
        return new PrintStream(new java.io.OutputStream()
        {
            private final StringBuilder line = new StringBuilder();

            public void write(final int b)
            {
                if (b == '\n')
                {
                    synchronized (out)
                    {
                        out.println("  [broker, embedded] " + line);
                    }
                    line.setLength(0);
                }
                else
                {
                    line.append((char)b);
                }
            }
        }, true);
    }

    private static void printCounters(final Path dir, final PrintStream out)
    {
        try (io.shmbus.client.cnc.CncFile cnc = io.shmbus.client.cnc.CncFile.map(
            io.shmbus.client.cnc.CncFile.fileIn(dir)))
        {
            final org.agrona.concurrent.status.CountersReader reader =
                new org.agrona.concurrent.status.CountersReader(cnc.countersMetadata(), cnc.countersValues());
            out.println("shmbus demo: broker counters:");
            reader.forEach((id, type, key, label) ->
            {
                if (CounterTypes.BROKER_HEARTBEAT != type)
                {
                    out.printf("    %-45s %,d%n", label, reader.getCounterValue(id));
                }
            });
        }
        catch (final IOException | RuntimeException ex)
        {
            out.println("shmbus demo: counters unavailable: " + ex.getMessage());
        }
    }

    private static Process start(final Path dir, final Class<?> mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(JvmRequirements.ADD_EXPORTS.split(" ")));
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.add(dir.toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Thread relay(
        final Process process, final String label, final PrintStream out, final AtomicReference<Throwable> failure)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    synchronized (out)
                    {
                        out.println("  [" + label + " pid " + process.pid() + "] " + line);
                    }
                }
            }
            catch (final IOException ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, "relay-" + label);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void awaitFile(final Path file, final Process process, final int seconds)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.exists(file))
        {
            if (!process.isAlive())
            {
                throw new io.shmbus.client.ShmbusException("consumer process exited early with code " +
                    process.exitValue());
            }
            if (System.nanoTime() > deadline)
            {
                throw new io.shmbus.client.ShmbusException("consumer process not ready after " + seconds + " s");
            }
            Thread.sleep(10);
        }
    }
}
