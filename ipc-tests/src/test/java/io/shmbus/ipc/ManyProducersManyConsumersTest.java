package io.shmbus.ipc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.ipc.ChildReports.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three producer processes, each with two threads sharing one producer (one thread offers, one claims), and two
 * consumer processes, on one topic: more than a million messages of 1 B to 4 KiB. Each consumer process checks on
 * the fly that it gets every message of every producer thread exactly once, in that thread's order, with the
 * right length and content.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ManyProducersManyConsumersTest
{
    private static final int PRODUCER_PROCESSES = 3;
    private static final int THREADS_PER_PRODUCER = 2;
    private static final int MESSAGES_PER_THREAD = 170_000;
    private static final int CONSUMER_PROCESSES = 2;
    private static final int CAPACITY = 4 * 1024 * 1024;
    private static final int MAX_LENGTH = 4096;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(100);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void everyConsumerProcessGetsEveryMessageOnceInOrderAndIntact()
    {
        final IpcTestConfig config = new IpcTestConfig(children.shmDirectory().toString(), CAPACITY,
            PRODUCER_PROCESSES, THREADS_PER_PRODUCER, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config);
        final long[] perThread = filled(PRODUCER_PROCESSES, MESSAGES_PER_THREAD);

        final List<JavaProcess> consumers = new ArrayList<>();
        for (int i = 0; i < CONSUMER_PROCESSES; i++)
        {
            consumers.add(children.start("consumer-" + i, ConsumerMain.class,
                config.consumerArgs("c" + i, "earliest", perThread)));
        }
        for (final JavaProcess consumer : consumers)
        {
            consumer.awaitLine("READY", START_TIMEOUT);
        }

        final List<JavaProcess> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCER_PROCESSES; p++)
        {
            // process 0 also writes frame checksums, which the consumers then verify
            producers.add(children.start("producer-" + p, ProducerMain.class,
                config.producerArgs(p, MESSAGES_PER_THREAD, "checksums=" + (0 == p))));
        }
        for (final JavaProcess producer : producers)
        {
            producer.awaitLine("READY", START_TIMEOUT);
        }

        final long startNs = System.nanoTime();
        producers.forEach(producer -> producer.send("GO"));
        long backPressured = 0;
        for (final JavaProcess producer : producers)
        {
            final KeyValues sent = awaitSent(producer, RUN_TIMEOUT);
            assertArrayEquals(filled(THREADS_PER_PRODUCER, MESSAGES_PER_THREAD), sent.getLongs("counts"),
                producer.name());
            backPressured += sent.getLong("backPressured");
        }
        final long producersNs = System.nanoTime() - startNs;

        consumers.forEach(consumer -> consumer.send("FINISH"));
        final long[] perStream = filled(PRODUCER_PROCESSES * THREADS_PER_PRODUCER, MESSAGES_PER_THREAD);
        long bytes = 0;
        long endPosition = 0;
        for (final JavaProcess consumer : consumers)
        {
            final KeyValues summary = awaitPerfectStream(consumer, perStream, DRAIN_TIMEOUT);
            assertEquals((long)THREADS_PER_PRODUCER * MESSAGES_PER_THREAD, summary.getLong("frameChecksums"),
                consumer.name() + " verified the frame checksums of process 0");
            bytes = summary.getLong("bytes");
            endPosition = summary.getLong("lastPosition");
        }
        final long elapsedNs = System.nanoTime() - startNs;

        final long total = (long)PRODUCER_PROCESSES * THREADS_PER_PRODUCER * MESSAGES_PER_THREAD;
        final double seconds = elapsedNs / 1e9;
        System.out.printf("%s: %,d messages (%,d payload bytes, %d laps of the ring) from %d producer processes " +
            "x %d threads to %d consumer processes in %.2f s (producers done after %.2f s): %,.0f msg/s, " +
            "%.1f MB/s per consumer; %,d back-pressured attempts%n",
            getClass().getSimpleName(), total, bytes, endPosition / CAPACITY, PRODUCER_PROCESSES,
            THREADS_PER_PRODUCER, CONSUMER_PROCESSES, seconds, producersNs / 1e9, total / seconds,
            bytes / seconds / 1e6, backPressured);
    }
}
