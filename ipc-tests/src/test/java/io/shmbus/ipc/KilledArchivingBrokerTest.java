package io.shmbus.ipc;

import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archiving broker daemon ({@code --data-dir}) is killed with SIGKILL while two producer processes publish at
 * full speed into a small ring (it laps many times, so only the archiver's consumer slot keeps unarchived frames).
 * A broker restarted on the same directories recovers the archive and resumes archiving exactly at its end; new
 * producer processes continue each producer's numbering. Finally the segments are scanned: positions are contiguous
 * and every frame sound ({@link SegmentScanner}), every message archived before the kill is there exactly once and
 * in its producer's order, and so is everything published after the restart.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KilledArchivingBrokerTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final String ARCHIVED = "topic " + TOPIC + ": archived position";
    private static final int CAPACITY = 256 * 1024;
    private static final int PRODUCERS = 2;
    private static final long ARCHIVED_BEFORE_KILL = 16L * CAPACITY;
    private static final int MESSAGES_AFTER_RESTART = 50_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration NOTICE_TIMEOUT = Duration.ofSeconds(15);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void archiveIsContiguousAndCompleteAcrossABrokerKilledWhileProducersPublish() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path dataDir = children.shmDirectory().resolve("data");
        final Path topicDir = dataDir.resolve(TOPIC);
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic.defaults]", "capacity = 256k", "persistent = true");
        final String[] brokerArgs = { "--data-dir", dataDir.toString(), "--config", configFile.toString() };

        final JavaProcess broker1 = BrokerDaemon.start(children, "broker-1", dir, brokerArgs);
        final List<JavaProcess> first = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            first.add(producer(dir, "producer-" + p + "a", p, 0));
        }
        first.forEach(producer -> producer.send("GO"));

        // let the ring lap many times, then read the counter just before the kill: a lower bound of what the dead
        // broker archived (it may archive a little more before the signal lands; the value read after the kill from
        // the CnC file, which SIGKILL leaves behind, is the exact end and is checked to be no lower)
        BrokerDaemon.awaitCounter(broker1, dir, ARCHIVED, value -> value >= ARCHIVED_BEFORE_KILL,
            ">= " + ARCHIVED_BEFORE_KILL + " (producers publishing)", RUN_TIMEOUT);
        final long archivedBeforeKill = BrokerDaemon.counter(dir, ARCHIVED);
        assertTrue(broker1.kill(Duration.ofSeconds(10)), "broker-1 killed");
        final long archivedAfterKill = BrokerDaemon.counter(dir, ARCHIVED);
        assertTrue(archivedAfterKill >= archivedBeforeKill,
            "archived position after the kill " + archivedAfterKill + " < before " + archivedBeforeKill);

        // each first-generation producer notices the loss (CLOSED or the error handler) and reports its next seq
        final int[] nextSeq = new int[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++)
        {
            final JavaProcess producer = first.get(p);
            final KeyValues sent = KeyValues.parseLine(producer.awaitLine("SENT", NOTICE_TIMEOUT));
            assertNoErrors(producer);
            nextSeq[p] = sent.getInt("next");
            producer.send("EXIT");
            producer.awaitSuccess(RUN_TIMEOUT);
        }
        final int[] sentBeforeKill = nextSeq.clone();

        // a new broker on the same directories recovers the archive and goes on from its end
        final JavaProcess broker2 = BrokerDaemon.start(children, "broker-2", dir, brokerArgs);
        final List<JavaProcess> second = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            second.add(producer(dir, "producer-" + p + "b", p, nextSeq[p]));
        }
        second.forEach(producer -> producer.send("GO " + MESSAGES_AFTER_RESTART));
        long endPosition = 0;
        for (int p = 0; p < PRODUCERS; p++)
        {
            final JavaProcess producer = second.get(p);
            final KeyValues sent;
            try
            {
                sent = KeyValues.parseLine(producer.awaitLine("SENT", RUN_TIMEOUT));
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + "\n" + BrokerDaemon.topicState(dir, TOPIC), ex);
            }
            assertNoErrors(producer);
            assertEquals((long)nextSeq[p] + MESSAGES_AFTER_RESTART, sent.getLong("next"),
                producer.name() + " sent every message after the restart: " + sent);
            nextSeq[p] = sent.getInt("next");
            endPosition = Math.max(endPosition, sent.getLong("position"));
        }
        final long finalEnd = endPosition;
        BrokerDaemon.awaitCounter(broker2, dir, ARCHIVED, value -> value >= finalEnd,
            ">= " + finalEnd + " (every message published after the restart archived)", RUN_TIMEOUT);
        for (final JavaProcess producer : second)
        {
            producer.send("EXIT");
            producer.awaitSuccess(RUN_TIMEOUT);
        }
        broker2.terminate(RUN_TIMEOUT);

        // the segments: sound and contiguous, and every message once, in its producer's order (each data frame of
        // the scan goes through the check; frames that end at or below the position read before the kill count
        // as archived before it)
        final NumberedStreams streams = new NumberedStreams(true);
        final int[] archivedBeforeKillSeq = new int[PRODUCERS];
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        final SegmentScanner.Result scan = new SegmentScanner().scan(topicDir, null, (position, producerId, payload) ->
        {
            view.wrap(payload, 0, payload.limit());
            streams.onMessage(view, 0, payload.limit(), position);
            final int p = NumberedMessages.stream(view, 0);
            final long frameEnd = position + FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH +
                payload.limit());
            if (p >= 0 && p < PRODUCERS && frameEnd <= archivedBeforeKill)
            {
                archivedBeforeKillSeq[p] = NumberedMessages.seq(view, 0) + 1;
            }
        });
        assertNull(scan.problem, () -> "segment problem at " + scan.problemPosition + " in " + scan.problemFile +
            ": " + scan.problem);
        assertEquals(0, scan.startPosition, "the archive starts at the ring's start");
        assertTrue(scan.endPosition >= finalEnd, "archive ends at " + scan.endPosition + " < " + finalEnd);
        assertEquals(0, streams.errorCount(), () -> "archived streams: " + streams.errors());
        assertEquals(PRODUCERS, streams.streams().size(), "producers in the archive: " + streams.streamRanges());
        final long messages = streams.messages();
        assertEquals(scan.messages, messages, "messages checked vs counted by the scanner");
        for (int p = 0; p < PRODUCERS; p++)
        {
            assertTrue(archivedBeforeKillSeq[p] > 0, "producer " + p + " had messages archived before the kill");
            assertTrue(archivedBeforeKillSeq[p] <= sentBeforeKill[p], "producer " + p + ": " +
                archivedBeforeKillSeq[p] + " archived before the kill but only " + sentBeforeKill[p] + " sent");
            assertEquals(nextSeq[p], streams.stream(p).nextSeq, "producer " + p + ": messages in the archive " +
                "(all sent ones, before and after the restart)");
        }
        System.out.printf("%s: archived %,d before the kill (%,d at the kill), %,d messages from %d producers " +
            "(%s sent before the kill, %s archived before it), archive %,d..%,d, %d segment(s)%n",
            getClass().getSimpleName(), archivedBeforeKill, archivedAfterKill, messages, PRODUCERS,
            java.util.Arrays.toString(sentBeforeKill), java.util.Arrays.toString(archivedBeforeKillSeq),
            scan.startPosition, scan.endPosition, scan.segments.size());
    }

    private JavaProcess producer(final Path dir, final String name, final int producer, final int firstSeq)
    {
        final JavaProcess child = children.start(name, NumberedProducerMain.class, "dir=" + dir, "topic=" + TOPIC,
            "producer=" + producer, "firstSeq=" + firstSeq);
        child.awaitLine("READY", START_TIMEOUT);
        return child;
    }

    private static void assertNoErrors(final JavaProcess producer)
    {
        if (producer.stdoutLines().stream().anyMatch(line -> line.startsWith("ERROR")))
        {
            throw producer.failure("reported an error");
        }
    }
}
