package io.shmbus.ipc;

import io.shmbus.broker.archive.SegmentScanner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archiving broker daemon runs under a file size limit ({@code prlimit --fsize}, the per-process form of a
 * full disk: writes past it fail with EFBIG, as they fail with ENOSPC on a full filesystem) smaller than one
 * segment. When its segment reaches the limit: a clear error, archiving pauses, the broker keeps running, the
 * producer is held back rather than lose a frame, and the archive up to the pause is sound. When the limit is lifted
 * (space freed), archiving resumes where it stopped and every message ends up in the archive exactly once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DiskFullBrokerTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final String ARCHIVED = "topic " + TOPIC + ": archived position";
    private static final String ERRORS = "topic " + TOPIC + ": archive errors";
    /** Above the CnC file (about 7.3 MiB), below a segment. */
    private static final long FILE_SIZE_LIMIT = 12L * 1024 * 1024;
    private static final int MESSAGES = 120_000; // about 30 MiB of frames: well past the limit
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aFullDiskPausesArchivingAndHoldsProducersWithoutLossThenArchivingResumes() throws IOException
    {
        final Path prlimit = Paths.get("/usr/bin/prlimit");
        Assumptions.assumeTrue(Files.isExecutable(prlimit), "needs prlimit (util-linux) to limit the file size");
        final Path dir = children.shmDirectory().resolve("bus");
        final Path dataDir = children.shmDirectory().resolve("data");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic.defaults]", "capacity = 256k", "durability = none");
        final JavaProcess broker = BrokerDaemon.startWrapped(children, "broker",
            List.of(prlimit.toString(), "--fsize=" + FILE_SIZE_LIMIT + ":unlimited"), dir,
            "--data-dir", dataDir.toString(), "--config", configFile.toString(), "--segment-length", "16m");

        final JavaProcess producer = children.start("producer", NumberedProducerMain.class, "dir=" + dir,
            "topic=" + TOPIC, "producer=0", "firstSeq=0");
        producer.awaitLine("READY", TIMEOUT);
        producer.send("GO " + MESSAGES);

        final String paused = broker.awaitErrLine("archiver: topic '" + TOPIC + "': archiving paused", TIMEOUT);
        assertTrue(paused.contains("File too large") && paused.contains("retrying every second"), paused);
        BrokerDaemon.awaitCounter(broker, dir, ERRORS, value -> value >= 1, ">= 1", TIMEOUT);
        final long pausedAt = BrokerDaemon.counter(dir, ARCHIVED);
        assertTrue(pausedAt > 0 && pausedAt <= FILE_SIZE_LIMIT, "paused at " + pausedAt);

        // held, not lost: the archived position stays while the broker retries, the producer cannot finish
        sleep(1500);
        assertEquals(pausedAt, BrokerDaemon.counter(dir, ARCHIVED), "nothing archived past the limit");
        assertTrue(broker.isAlive(), "the broker keeps running");
        assertTrue(producer.stdoutLines().stream().noneMatch(line -> line.startsWith("SENT")),
            "the producer is held back: " + producer.stdoutLines());
        final SegmentScanner.Result sound = new SegmentScanner().scan(dataDir.resolve(TOPIC), null);
        assertNull(sound.problem, () -> "archive before the pause: " + sound.problem + " at " +
            sound.problemPosition);
        assertTrue(sound.endPosition >= pausedAt, "the archive holds everything archived: " + sound.endPosition);

        // space is back: archiving resumes where it stopped and the producer finishes
        final Process lift = new ProcessBuilder(prlimit.toString(), "--pid", Long.toString(broker.pid()),
            "--fsize=unlimited:unlimited").inheritIO().start(); // soft up to the hard limit: no privilege needed
        assertEquals(0, waitFor(lift), "prlimit --pid");
        broker.awaitErrLine("archiver: topic '" + TOPIC + "': archiving resumed at position " + pausedAt, TIMEOUT);
        final KeyValues sent = KeyValues.parseLine(producer.awaitLine("SENT", TIMEOUT));
        assertEquals(MESSAGES, sent.getInt("next"), "every message sent: " + sent);
        final long end = sent.getLong("position");
        BrokerDaemon.awaitCounter(broker, dir, ARCHIVED, value -> value >= end, ">= " + end, TIMEOUT);
        producer.send("EXIT");
        producer.awaitSuccess(TIMEOUT);
        broker.terminate(TIMEOUT);

        final SegmentScanner.Result scan = new SegmentScanner().scan(dataDir.resolve(TOPIC), null);
        assertNull(scan.problem, () -> "archive: " + scan.problem + " at " + scan.problemPosition);
        assertEquals(0, scan.startPosition);
        assertEquals(end, scan.endPosition, "contiguous to the end");
        assertEquals(MESSAGES, scan.messages, "every message archived exactly once");
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    private static int waitFor(final Process process)
    {
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("prlimit did not finish in 10 s");
            }
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }
}
