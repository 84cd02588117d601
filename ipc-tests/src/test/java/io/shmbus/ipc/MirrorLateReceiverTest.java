package io.shmbus.ipc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A mirror started after the source has archived {@code shmbus.mirror.late.bytes} (1 GiB): it catches up from the
 * source's archive over TCP, then switches to the live stream, with no gap and no duplicate (a consumer of the
 * mirror reads the live part once, in order) and the same segment files as the source's.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MirrorLateReceiverTest
{
    private static final String TOPIC = "late";
    private static final long LATE_BYTES = Long.getLong("shmbus.mirror.late.bytes", 1L << 30);
    private static final int PRODUCERS = 3;
    private static final int LIVE_MESSAGES = 20_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aMirrorStartedLateCatchesUpThenGoesLive()
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "1m", "64m");
        pair.startSource("source");
        final List<JavaProcess> producers = producers(pair, "early", new long[PRODUCERS]);
        final long startNs = System.nanoTime();
        producers.forEach(p -> p.send("GO"));
        BrokerDaemon.awaitCounter(pair.source, pair.sourceDir, "topic " + TOPIC + ": archived position",
            v -> v >= LATE_BYTES, ">= " + LATE_BYTES, TIMEOUT);
        producers.forEach(p -> p.send("STOP"));
        final long[] next = new long[PRODUCERS];
        long archivedEnd = 0;
        for (int p = 0; p < PRODUCERS; p++)
        {
            final KeyValues sent = KeyValues.parseLine(producers.get(p).awaitLine("SENT", TIMEOUT));
            next[p] = sent.getLong("next");
            archivedEnd = Math.max(archivedEnd, sent.getLong("position"));
        }
        exit(producers);
        final long caughtUpEnd = archivedEnd;
        pair.awaitArchivedAtSource(caughtUpEnd, TIMEOUT);
        final double publishS = (System.nanoTime() - startNs) / 1e9;

        final long catchUpStartNs = System.nanoTime();
        pair.startMirror("mirror");
        BrokerDaemon.awaitCounter(pair.mirror, pair.mirrorDir, "mirror " + TOPIC + ": position",
            v -> v >= caughtUpEnd, ">= " + caughtUpEnd, TIMEOUT);
        final double catchUpS = (System.nanoTime() - catchUpStartNs) / 1e9;

        final JavaProcess consumer = children.start("reader", NumberedConsumerMain.class, "dir=" + pair.mirrorDir,
            "topic=" + TOPIC, "name=reader", "start=latest", "reportMs=500");
        consumer.awaitLine("READY", TIMEOUT);
        final List<JavaProcess> live = producers(pair, "live", next); // the same streams, going on
        live.forEach(p -> p.send("GO " + LIVE_MESSAGES));
        long end = 0;
        for (final JavaProcess producer : live)
        {
            final KeyValues sent = KeyValues.parseLine(producer.awaitLine("SENT", TIMEOUT));
            end = Math.max(end, sent.getLong("position"));
        }
        consumer.send("FINISH end=" + end);
        final int status = consumer.awaitExit(TIMEOUT);
        final KeyValues summary = KeyValues.parseLine(consumer.awaitLine("SUMMARY", Duration.ZERO));
        assertEquals(0, status, summary.toString());
        assertEquals(0, summary.getLong("errors"), summary.toString());
        for (int p = 0; p < PRODUCERS; p++)
        {
            assertTrue(summary.get("streams").contains(p + ":" + next[p] + ":" + (next[p] + LIVE_MESSAGES)),
                "the live part of stream " + p + " once, in order, right after the caught-up part: " + summary);
        }
        pair.awaitArchivedAtSource(end, TIMEOUT);
        pair.awaitMirrored(end, TIMEOUT);
        final int segments = pair.assertSegmentsEqual();
        assertEquals(2, pair.mirrorCounter("state"), "live");
        System.out.printf("%s: %,d bytes archived at the source in %.1f s; the mirror caught up in %.1f s " +
            "(%.0f MB/s), then went live: %,d live messages once each, %d segment files equal, %d catch-up(s)%n",
            getClass().getSimpleName(), archivedEnd, publishS, catchUpS, archivedEnd / catchUpS / 1e6,
            (long)LIVE_MESSAGES * PRODUCERS, segments, pair.mirrorCounter("catch-ups"));
        exit(live);
    }

    private List<JavaProcess> producers(final MirrorPair pair, final String name, final long[] firstSeq)
    {
        final List<JavaProcess> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final JavaProcess producer = children.start(name + "-producer-" + p, NumberedProducerMain.class,
                "dir=" + pair.sourceDir, "topic=" + TOPIC, "producer=" + p, "firstSeq=" + firstSeq[p]);
            producer.awaitLine("READY", TIMEOUT);
            producers.add(producer);
        }
        return producers;
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
