package io.shmbus.ipc;

import io.shmbus.broker.archive.SegmentScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
    private static final int HEADER_LENGTH = 32;
    private static final int FRAME_ALIGNMENT = 32;
    private static final short TYPE_PADDING = 1;
    private static final short TYPE_DATA = 2;

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

        // the segments: sound and contiguous...
        final SegmentScanner.Result scan = new SegmentScanner().scan(topicDir, null);
        assertNull(scan.problem, () -> "segment problem at " + scan.problemPosition + " in " + scan.problemFile +
            ": " + scan.problem);
        assertEquals(0, scan.startPosition, "the archive starts at the ring's start");
        assertTrue(scan.endPosition >= finalEnd, "archive ends at " + scan.endPosition + " < " + finalEnd);

        // ...and every message once, in its producer's order
        final int[] expectedSeq = new int[PRODUCERS];
        final int[] archivedBeforeKillSeq = new int[PRODUCERS];
        final long messages = readArchive(scan.segments, archivedBeforeKill, expectedSeq, archivedBeforeKillSeq);
        assertEquals(scan.messages, messages, "messages read vs counted by the scanner");
        for (int p = 0; p < PRODUCERS; p++)
        {
            assertTrue(archivedBeforeKillSeq[p] > 0, "producer " + p + " had messages archived before the kill");
            assertTrue(archivedBeforeKillSeq[p] <= sentBeforeKill[p], "producer " + p + ": " +
                archivedBeforeKillSeq[p] + " archived before the kill but only " + sentBeforeKill[p] + " sent");
            assertEquals(nextSeq[p], expectedSeq[p], "producer " + p + ": messages in the archive " +
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

    /**
     * Reads every frame of the segments in position order and checks each data frame is the next message of its
     * producer (seq == expected, then expected + 1) with its length and filler.
     *
     * @param expectedSeq         filled with each producer's next expected seq (so: messages archived).
     * @param seqBeforeBound      filled with each producer's messages whose frames end at or below {@code bound}.
     * @return data frames read.
     */
    private static long readArchive(
        final List<Path> segments, final long bound, final int[] expectedSeq, final int[] seqBeforeBound)
        throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer payload = ByteBuffer.allocate(NumberedProducerMain.MAX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        long messages = 0;
        long position = -1;
        for (final Path segment : segments)
        {
            final long base = Long.parseLong(segment.getFileName().toString().replace(".seg", ""));
            try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ))
            {
                final long size = channel.size();
                long offset = 0;
                if (position < 0)
                {
                    position = base;
                }
                assertEquals(position, base, "segment " + segment + " continues the previous one");
                while (offset + HEADER_LENGTH <= size)
                {
                    header.clear();
                    readFully(channel, header, offset);
                    final int length = header.getInt(0);
                    if (0 == length)
                    {
                        break; // the zeros after the end of the data
                    }
                    final short type = header.getShort(4);
                    assertEquals(base + offset, header.getLong(8), "frame position in " + segment);
                    final int aligned = (length + FRAME_ALIGNMENT - 1) & -FRAME_ALIGNMENT;
                    if (TYPE_DATA == type)
                    {
                        final int payloadLength = length - HEADER_LENGTH;
                        assertTrue(payloadLength >= 8 && payloadLength <= NumberedProducerMain.MAX_LENGTH,
                            "payload length " + payloadLength + " at " + (base + offset));
                        payload.clear().limit(payloadLength);
                        readFully(channel, payload, offset + HEADER_LENGTH);
                        payload.flip();
                        final int p = payload.getInt(0);
                        final int seq = payload.getInt(4);
                        if (p < 0 || p >= expectedSeq.length)
                        {
                            fail("unknown producer " + p + " at position " + (base + offset));
                        }
                        if (seq != expectedSeq[p])
                        {
                            fail("producer " + p + ": seq " + seq + " at position " + (base + offset) +
                                ", expected " + expectedSeq[p] + (seq < expectedSeq[p] ?
                                " (duplicate or reordered)" : " (" + (seq - expectedSeq[p]) + " missing)"));
                        }
                        assertTrue(NumberedProducerMain.isIntact(payload, p, seq),
                            "producer " + p + " seq " + seq + " intact at position " + (base + offset));
                        expectedSeq[p]++;
                        messages++;
                        if (base + offset + aligned <= bound)
                        {
                            seqBeforeBound[p] = expectedSeq[p];
                        }
                    }
                    else
                    {
                        assertEquals(TYPE_PADDING, type, "frame type at " + (base + offset));
                    }
                    offset += aligned;
                }
                position = base + offset;
            }
        }
        return messages;
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long offset)
        throws IOException
    {
        long at = offset;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, at);
            if (n < 0)
            {
                throw new IOException("unexpected end of file at " + at);
            }
            at += n;
        }
    }
}
