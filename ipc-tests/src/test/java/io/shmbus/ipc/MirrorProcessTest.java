package io.shmbus.ipc;

import io.shmbus.client.ShmBus;
import io.shmbus.client.TopicMirroredException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A topic mirrored between two broker daemons on this host over loopback UDP (Aeron), as a user runs them: three
 * producer processes publish on the source, a consumer process reads the mirror, and every message arrives exactly
 * once, in order, with the mirror's segment files byte for byte the source's. Then the same through a SIGKILL of the
 * mirror broker (it catches up from the source's archive and rejoins the live stream) and of the source broker (the
 * mirror resumes when it is back).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MirrorProcessTest
{
    private static final String TOPIC = "mirrored";
    private static final int PRODUCERS = 3;
    private static final Duration TIMEOUT = MirrorPair.TIMEOUT;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void everyMessageOfThreeProducersArrivesOnceInOrderAndTheSegmentsAreTheSame()
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "256k", "1m");
        pair.startSource("source");
        pair.startMirror("mirror");
        final JavaProcess consumer = consumer(pair, "reader");
        final List<JavaProcess> producers = producers(pair, false);
        producers.forEach(p -> p.send("GO 30000"));
        final long end = awaitSent(producers);

        consumer.send("FINISH end=" + end);
        checkExactlyOnce(consumer, 30_000);
        pair.awaitArchivedAtSource(end, TIMEOUT);
        pair.awaitMirrored(end, TIMEOUT);
        final int segments = pair.assertSegmentsEqual();

        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(pair.mirrorDir)))
        {
            final TopicMirroredException refused = assertThrows(TopicMirroredException.class,
                () -> bus.addProducer(TOPIC));
            assertTrue(refused.getMessage().contains("is a mirror of"), refused.getMessage());
        }

        System.out.printf("%s: %,d messages of %d producer processes mirrored, positions 0..%,d, %d segment files " +
            "equal, %d catch-up(s)%n", getClass().getSimpleName(), 30_000L * PRODUCERS, PRODUCERS, end, segments,
            pair.mirrorCounter("catch-ups"));
        exit(producers);
    }

    @Test
    void aKilledMirrorBrokerCatchesUpFromTheSourceAndRejoinsWithNoGapAndNoDuplicate()
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "256k", "1m");
        pair.startSource("source");
        pair.startMirror("mirror-1");
        final JavaProcess consumer = consumer(pair, "reader");
        final List<JavaProcess> producers = producers(pair, false);
        producers.forEach(p -> p.send("GO"));

        awaitMirrorPosition(pair, 2 << 20);
        assertTrue(pair.mirror.kill(TIMEOUT), "mirror killed");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // the source goes on meanwhile
        pair.startMirror("mirror-2");
        awaitMirrorPosition(pair, pair.mirrorCounter("position") + (2 << 20));

        producers.forEach(p -> p.send("STOP"));
        final long end = awaitSent(producers);
        consumer.send("FINISH end=" + end);
        checkConsumer(consumer);
        pair.awaitArchivedAtSource(end, TIMEOUT);
        pair.awaitMirrored(end, TIMEOUT);
        pair.assertSegmentsEqual();
        assertTrue(pair.mirrorCounter("catch-ups") >= 1, "the restarted mirror caught up");
        exit(producers);
    }

    @Test
    void aKilledSourceBrokerIsFollowedAgainWhenItIsBack()
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "256k", "1m");
        pair.startSource("source-1");
        pair.startMirror("mirror");
        final JavaProcess consumer = consumer(pair, "reader");
        final List<JavaProcess> producers = producers(pair, true);
        producers.forEach(p -> p.send("GO"));

        awaitMirrorPosition(pair, 2 << 20);
        assertTrue(pair.source.kill(TIMEOUT), "source killed");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        pair.startSource("source-2");
        final long resumed = pair.mirrorCounter("position");
        awaitMirrorPosition(pair, resumed + (2 << 20));

        producers.forEach(p -> p.send("STOP"));
        final long end = awaitSent(producers);
        pair.awaitArchivedAtSource(end, TIMEOUT);
        consumer.send("FINISH end=" + end);
        checkConsumer(consumer);
        pair.awaitMirrored(end, TIMEOUT);
        pair.assertSegmentsEqual();
        exit(producers);
    }

    /**
     * A catch-up that stalls (the source broker stopped with SIGSTOP for 300 ms, its live stream's image still
     * there) must not be taken for the live edge: the source publishes nothing more, so a mirror that went live at
     * the stalled position would stay behind for good.
     */
    @Test
    void aStalledCatchUpIsNotTakenForTheLiveEdge() throws Exception
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "1m", "16m");
        pair.startSource("source");
        final List<JavaProcess> producers = producers(pair, false, "");
        producers.forEach(p -> p.send("GO 400000"));
        final long end = awaitSent(producers);
        pair.awaitArchivedAtSource(end, TIMEOUT);

        pair.startMirror("mirror");
        awaitMirrorPosition(pair, 1 << 20);
        signal("STOP", pair.source);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        signal("CONT", pair.source);
        pair.awaitMirrored(end, TIMEOUT);
        pair.assertSegmentsEqual();
        exit(producers);
    }

    private static void signal(final String signal, final JavaProcess process) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }

    private JavaProcess consumer(final MirrorPair pair, final String name)
    {
        final JavaProcess consumer = children.start(name, NumberedConsumerMain.class, "dir=" + pair.mirrorDir,
            "topic=" + TOPIC, "name=" + name, "start=earliest", "reportMs=500", "reconnectTimeoutMs=60000");
        consumer.awaitLine("READY", TIMEOUT);
        return consumer;
    }

    /** Producers on the source; paced, so a stream goes on across a broker's kill and restart. */
    private List<JavaProcess> producers(final MirrorPair pair, final boolean reconnect)
    {
        return producers(pair, reconnect, "rate=20000");
    }

    private List<JavaProcess> producers(final MirrorPair pair, final boolean reconnect, final String pace)
    {
        final List<JavaProcess> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final JavaProcess producer = children.start("producer-" + p, NumberedProducerMain.class,
                "dir=" + pair.sourceDir, "topic=" + TOPIC, "producer=" + p, "firstSeq=0", pace.isEmpty() ?
                "rate=0" : pace, "burst=100", "reconnect=" + reconnect);
            producer.awaitLine("READY", TIMEOUT);
            producers.add(producer);
        }
        return producers;
    }

    /** @return the highest position after a producer's last message: the end of the stream. */
    private static long awaitSent(final List<JavaProcess> producers)
    {
        long end = 0;
        for (final JavaProcess producer : producers)
        {
            end = Math.max(end, KeyValues.parseLine(producer.awaitLine("SENT", TIMEOUT)).getLong("position"));
        }
        return end;
    }

    private static void awaitMirrorPosition(final MirrorPair pair, final long position)
    {
        BrokerDaemon.awaitCounter(pair.mirror, pair.mirrorDir, "mirror " + TOPIC + ": position",
            v -> v >= position, ">= " + position, TIMEOUT);
    }

    /** The consumer's summary: no error, each producer's stream complete from 0 to {@code messages}. */
    private static void checkExactlyOnce(final JavaProcess consumer, final long messages)
    {
        final KeyValues summary = checkConsumer(consumer);
        for (int p = 0; p < PRODUCERS; p++)
        {
            assertTrue(summary.get("streams").contains(p + ":0:" + messages), "stream " + p + ": " + summary);
        }
    }

    private static KeyValues checkConsumer(final JavaProcess consumer)
    {
        final int status = consumer.awaitExit(TIMEOUT);
        final KeyValues summary = KeyValues.parseLine(consumer.awaitLine("SUMMARY", Duration.ZERO));
        if (0 != status || 0 != summary.getLong("errors") || 0 != summary.getLong("missing") ||
            0 != summary.getLong("duplicates"))
        {
            throw consumer.failure("exited with status " + status + ": " + summary);
        }
        return summary;
    }

    private static void exit(final List<JavaProcess> producers)
    {
        for (final JavaProcess producer : producers)
        {
            producer.send("EXIT");
            producer.awaitSuccess(TIMEOUT);
        }
    }
}
