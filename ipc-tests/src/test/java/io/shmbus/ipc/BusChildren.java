package io.shmbus.ipc;

import java.time.Duration;

/**
 * Starts the {@link BusProducerMain} and {@link BusConsumerMain} children of a test (clients of a broker) and reads
 * their report lines.
 */
final class BusChildren
{
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private BusChildren()
    {
    }

    /** Starts a producer process and waits for its {@code READY} line. */
    static JavaProcess producer(
        final ChildProcesses children, final IpcTestConfig config, final int process, final String... extra)
    {
        final JavaProcess producer = children.start(
            "producer-" + process, BusProducerMain.class, config.producerArgs(process, 0, extra));
        producer.awaitLine("READY", START_TIMEOUT);
        return producer;
    }

    /**
     * Starts a consumer process and waits for its {@code READY} line.
     *
     * @param expect messages per thread of each producer process, or {@link StreamVerifier#UNKNOWN}.
     */
    static JavaProcess consumer(
        final ChildProcesses children,
        final IpcTestConfig config,
        final String name,
        final String start,
        final long[] expect,
        final String... extra)
    {
        final JavaProcess consumer = children.start(
            name, BusConsumerMain.class, config.consumerArgs(name, start, expect, extra));
        consumer.awaitLine("READY", START_TIMEOUT);
        return consumer;
    }

    /**
     * Waits for the {@code SENT} line of round {@code round} and checks the round ended as {@code expectClosed}
     * says and without errors.
     */
    static KeyValues awaitSent(
        final JavaProcess producer, final int round, final boolean expectClosed, final Duration timeout)
    {
        final KeyValues sent = KeyValues.parseLine(producer.awaitLine("SENT round=" + round + " ", timeout));
        if (expectClosed != Boolean.parseBoolean(sent.get("closed")) ||
            producer.stdoutLines().stream().anyMatch(line -> line.startsWith("ERROR")))
        {
            throw producer.failure("round " + round + " should end with closed=" + expectClosed +
                " and no ERROR line: " + sent);
        }
        return sent;
    }

    /** Tells a producer to exit and checks it exits 0. */
    static void exit(final JavaProcess producer, final Duration timeout)
    {
        producer.send("EXIT");
        producer.awaitSuccess(timeout);
    }

    static long sum(final long[] values)
    {
        long sum = 0;
        for (final long value : values)
        {
            sum += value;
        }
        return sum;
    }
}
