package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code shmbus demo}: a producer process and two consumer processes exchange messages through one topic in a
 * fresh shared-memory directory; prints what each did and the rates, then removes everything it created.
 */
final class DemoCommand implements Command
{
    public String name()
    {
        return "demo";
    }

    public String summary()
    {
        return "run producer and consumer processes end to end and show the rates";
    }

    public String usage()
    {
        return "usage: shmbus demo [--messages N] [--size BYTES] [--consumers N]\n\n" +
            "Starts an embedded broker on a new directory under /dev/shm, then consumer processes and a\n" +
            "producer process on one topic; verifies every consumer got every message once and in order,\n" +
            "prints the rates and the broker's counters,\n" +
            "and cleans up.\n\n" +
            "  --messages N       messages to send (default 5000000)\n" +
            "  --size BYTES       payload bytes per message, >= 16 (default 64)\n" +
            "  --consumers N      consumer processes, 1 to 8 (default 2)\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(name(), argList, Set.of("--messages", "--size", "--consumers"), Set.of());
        final long messages = args.getLong("--messages", 5_000_000);
        final long size = args.getLong("--size", 64);
        final long consumers = args.getLong("--consumers", 2);
        if (messages < 1)
        {
            throw new UsageException(name(), "--messages must be >= 1");
        }
        if (size < 16 || size > 65_536)
        {
            throw new UsageException(name(), "--size must be between 16 and 65536 bytes");
        }
        if (consumers < 1 || consumers > 8)
        {
            throw new UsageException(name(), "--consumers must be between 1 and 8");
        }

        final Path parent = ShmDirectory.defaultDirectory().toAbsolutePath().getParent();
        Files.createDirectories(parent);
        final Path dir = Files.createTempDirectory(parent, "shmbus-demo-");
        final List<Process> processes = new ArrayList<>();
        final AtomicReference<Throwable> relayFailure = new AtomicReference<>();
        final PrintStream brokerLog = new PrintStream(new java.io.OutputStream()
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
        final Broker broker = Broker.launch(new Broker.Context().dir(dir).log(brokerLog));
        final Thread cleanup = new Thread(() ->
        {
            cleanUp(processes, dir);
            broker.close();
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            out.println("shmbus demo: embedded broker on " + dir + "; topic 'demo'; " + consumers +
                " consumer process(es), 1 producer process, " + messages + " messages of " + size + " bytes");
            final List<Thread> relays = new ArrayList<>();
            final List<Process> consumerProcesses = new ArrayList<>();
            for (int i = 1; i <= consumers; i++)
            {
                final Process consumer = start(dir, DemoConsumer.class, Long.toString(messages), Long.toString(size));
                processes.add(consumer);
                consumerProcesses.add(consumer);
                relays.add(relay(consumer, "consumer-" + i, out, relayFailure));
            }
            for (final Process consumer : consumerProcesses)
            {
                awaitFile(dir.resolve("ready-" + consumer.pid()), consumer, 60);
            }
            final Process producer = start(dir, DemoProducer.class, Long.toString(messages), Long.toString(size));
            processes.add(producer);
            relays.add(relay(producer, "producer", out, relayFailure));

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, messages / 50_000));
            boolean ok = true;
            for (final Process process : processes)
            {
                final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!process.waitFor(Math.max(1, remainingMs), TimeUnit.MILLISECONDS))
                {
                    err.println("shmbus demo: a process did not finish in time; stopping");
                    ok = false;
                    break;
                }
                ok &= process.exitValue() == 0;
            }
            for (final Thread relay : relays)
            {
                relay.join(5_000);
            }
            printCounters(dir, out);
            out.println(ok ?
                "shmbus demo: OK: every consumer received all " + messages + " messages exactly once, in order" :
                "shmbus demo: FAILED (see the output above)");
            return ok ? Main.EXIT_OK : Main.EXIT_FAILURE;
        }
        finally
        {
            for (final Process process : processes)
            {
                process.destroyForcibly();
            }
            broker.close();
            cleanUp(processes, dir);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down: the hook runs anyway
            }
        }
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
                if (!label.contains("heartbeat"))
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

    private static void cleanUp(final List<Process> processes, final Path dir)
    {
        for (final Process process : processes)
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (final Process process : processes)
        {
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (Files.exists(dir))
        {
            try (Stream<Path> paths = Files.walk(dir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            catch (final IOException ignore)
            {
                // best effort
            }
        }
    }
}
