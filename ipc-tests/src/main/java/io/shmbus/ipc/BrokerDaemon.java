package io.shmbus.ipc;

import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

/**
 * The broker daemon run as a user runs it ({@code shmbus broker}, in a child JVM through {@link BrokerCliMain}) for
 * tests and the soak, and its counters read from the CnC file, as {@code shmbus stat} does.
 */
public final class BrokerDaemon
{
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    public static final String READY_PREFIX = "broker: pid ";

    public static final String CLIENTS_GONE = "broker: clients timed out or exited";
    public static final String CONSUMERS_FREED = "broker: consumer slots freed after death";
    public static final String CLAIMS_UNBLOCKED = "broker: abandoned claims unblocked";
    public static final String COMMANDS_REJECTED = "broker: commands rejected";

    private BrokerDaemon()
    {
    }

    /**
     * Starts {@code shmbus broker --dir DIR ARGS...} and waits for its "serving" log line.
     */
    public static JavaProcess start(
        final ProcessGroup children, final String name, final Path dir, final String... args)
    {
        return startWrapped(children, name, List.of(), dir, args);
    }

    /**
     * As {@link #start}, run through {@code wrapper} (a command that execs the rest of its command line, such as
     * {@code prlimit --fsize=N}), so the process keeps the pid it announces.
     */
    public static JavaProcess startWrapped(
        final ProcessGroup children, final String name, final List<String> wrapper, final Path dir,
        final String... args)
    {
        return start(children, name, wrapper, JavaProcess.DEFAULT_JVM_OPTIONS, dir, args);
    }

    /** As {@link #startWrapped}, with these JVM options instead of {@link JavaProcess#DEFAULT_JVM_OPTIONS}. */
    public static JavaProcess start(
        final ProcessGroup children,
        final String name,
        final List<String> wrapper,
        final List<String> jvmOptions,
        final Path dir,
        final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("broker", "--dir", dir.toString()));
        command.addAll(List.of(args));
        if (!command.contains("--data-dir"))
        {
            command.add("--no-data-dir"); // the daemon would otherwise archive into the user's default data dir
        }
        final JavaProcess broker = children.start(name, wrapper, jvmOptions, System.getProperty("java.class.path"),
            BrokerCliMain.class, command.toArray(new String[0]));
        final String line = broker.awaitErrLine(READY_PREFIX, START_TIMEOUT);
        if (!line.startsWith(READY_PREFIX + broker.pid() + " serving " + dir))
        {
            throw broker.failure("announced '" + line + "', not pid " + broker.pid() + " serving " + dir);
        }
        return broker;
    }

    /** The {@code HOST:PORT} a broker started with {@code --net-port} serves network subscribers on. */
    public static String netAddress(final JavaProcess broker)
    {
        final String prefix = "broker: serving network subscribers on ";
        return broker.awaitErrLine(prefix, START_TIMEOUT).substring(prefix.length()).trim();
    }

    /** Starts {@code shmbus ARGS...} without waiting for anything. */
    public static JavaProcess cli(final ProcessGroup children, final String name, final String... args)
    {
        return children.start(name, BrokerCliMain.class, args);
    }

    /** Writes a broker config file. */
    public static Path configFile(final Path file, final String... lines)
    {
        try
        {
            Files.write(file, List.of(lines), StandardCharsets.UTF_8);
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Every counter of the broker of {@code dir}, by label, read from a fresh mapping of its CnC file. */
    public static Map<String, Long> counters(final Path dir)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            new CountersReader(cnc.countersMetadata(), cnc.countersValues())
                .forEach((value, id, label) -> values.put(label, value));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map the CnC file of " + dir, ex);
        }
        return values;
    }

    /**
     * The flow-control state of a topic's log ({@link RingState}), for failure messages: a topic whose producers
     * stop shows here why (a clean lock held, a cleaning step pending, a limit at the tail, an open claim).
     */
    public static String topicState(final Path dir, final String topic)
    {
        try (io.shmbus.client.log.TopicLog log = io.shmbus.client.log.TopicLog.open(
            io.shmbus.client.log.TopicLog.fileOf(dir, topic), topic, 1_000))
        {
            return "topic " + topic + ": " + RingState.read(log);
        }
        catch (final RuntimeException ex)
        {
            return "topic " + topic + ": log not readable: " + ex.getMessage();
        }
    }

    /** One counter of the broker of {@code dir}, or -1 when it has none with this label. */
    public static long counter(final Path dir, final String label)
    {
        return counters(dir).getOrDefault(label, -1L);
    }

    /**
     * Waits until the counter satisfies {@code condition}.
     *
     * @return its value then.
     * @throws AssertionError naming the counter, its last value and the broker's recent output.
     */
    public static long awaitCounter(
        final JavaProcess broker,
        final Path dir,
        final String label,
        final LongPredicate condition,
        final String expectation,
        final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final long value = counter(dir, label);
            if (condition.test(value))
            {
                return value;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw broker.failure("counter '" + label + "' is " + value + " after " + timeout.toMillis() +
                    " ms, expected " + expectation + "; counters " + counters(dir));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
