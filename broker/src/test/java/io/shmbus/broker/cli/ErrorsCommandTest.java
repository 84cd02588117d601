package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.cnc.CncDescriptor;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus errors}: the broker's distinct-error log in its CnC file, each error once with a count that grows
 * on repetition, first and last time, most recent first; empty; of a broker that is gone.
 */
@Timeout(60)
class ErrorsCommandTest
{
    private static final Pattern ENTRY_HEAD = Pattern.compile(
        "(\\d+) times?, first (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z), " +
        "last (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)");

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("errlog-errors-");
    /** Added to the broker's clock: each error of a test happens a whole second after the one before. */
    private final AtomicLong clockOffsetMs = new AtomicLong();

    private void startBroker(final Path dataDir)
    {
        fixture.launch(new BrokerContext().dataDir(dataDir)
            .epochClock(() -> System.currentTimeMillis() + clockOffsetMs.get()));
    }

    private CliRun errors()
    {
        final CliRun run = CliRun.runOn(fixture.shm(), "", "errors");
        assertEquals(0, run.code, run.stderr);
        return run;
    }

    @Test
    void anEmptyLogSaysNoErrors()
    {
        startBroker(null);
        final CliRun run = errors();
        assertEquals("no errors (broker pid " + ProcessHandle.current().pid() + ", running)\n", run.stdout);
    }

    @Test
    void aBadCommandIsOneEntryWhoseCountGrowsWithEachRepetition() throws Exception
    {
        startBroker(null);
        sendUnknownCommands(3);
        awaitCounter("broker: commands rejected", 3);
        final String first = errors().stdout;
        assertTrue(first.startsWith("1 distinct error (broker pid " + ProcessHandle.current().pid() +
            ", running), most recent first:\n"), first);
        final Matcher head = ENTRY_HEAD.matcher(first);
        assertTrue(head.find(), first);
        assertEquals("3", head.group(1), first);
        assertTrue(first.contains("\n  conductor: rejected command: UNKNOWN_COMMAND: unknown command type 999\n"),
            first);
        assertTrue(fixture.log().contains("WARN conductor: rejected command "), fixture.log());

        clockOffsetMs.addAndGet(2_000);
        sendUnknownCommands(2);
        awaitCounter("broker: commands rejected", 5);
        final String again = errors().stdout;
        final Matcher later = ENTRY_HEAD.matcher(again);
        assertTrue(later.find(), again);
        assertEquals("5", later.group(1), again);
        assertEquals(head.group(2), later.group(2), "the first time stays");
        assertTrue(later.group(3).compareTo(later.group(2)) > 0, "the last time moved: " + again);
        assertFalse(later.find(), "still one entry: " + again);
    }

    @Test
    void aCorruptSegmentFoundByTheArchiverIsOneEntryCountedEachTimeItIsMet() throws Exception
    {
        final Path data = fixture.dataDir();
        final Path topicDir = Files.createDirectories(data.resolve("t"));
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        StoredFrames.write(segment, 0, 1000, 64);
        StoredFrames.putInt(segment, 20 * 64, 100_000); // a damaged length with sound frames after it
        startBroker(data);

        final String atStart = errors().stdout;
        assertTrue(atStart.contains("1 time, first "), atStart);
        assertTrue(atStart.contains("  archiver: topic 't': DAMAGED archive in " + segment + " at position 1280"),
            atStart);

        // a consumer asking for a position past the damage makes the archiver walk into it, every time
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            for (int i = 0; i < 3; i++)
            {
                clockOffsetMs.addAndGet(1_000);
                assertThrows(ShmbusException.class, () -> bus.addConsumer("t", StartPosition.at(64 * 30)));
            }
        }
        final String out = errors().stdout;
        assertTrue(out.startsWith("3 distinct errors ("), out);
        final String damage = "topic 't': damaged archive in " + segment + " at position 1280";
        final String[] entries = out.split("\n\n");
        assertEquals(4, entries.length, out);
        // the most recent first: the refusals and the archiver's finding share their last time; the finding at
        // start is the oldest
        assertTrue(entries[3].contains("DAMAGED archive in"), out);
        assertTrue(entries[3].startsWith("1 time, "), out);
        final String archiver = entries[1].contains("  archiver: " + damage) ? entries[1] : entries[2];
        final String rejected = entries[1].contains("  archiver: " + damage) ? entries[2] : entries[1];
        assertTrue(archiver.contains("  archiver: " + damage), out);
        assertTrue(archiver.startsWith("3 times, "), out);
        assertTrue(rejected.startsWith("3 times, "), out);
        assertTrue(rejected.contains("  conductor: rejected command: "), out);
        assertTrue(fixture.log().contains("ERROR archiver: " + damage), fixture.log());
    }

    @Test
    void theErrorsOfABrokerThatDiedAreReadFromTheFileItLeftBehind() throws Exception
    {
        Files.createDirectories(fixture.shm());
        try (CncFile cnc = CncFile.create(fixture.shm(),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
            TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(10), CncDescriptor.ERROR_LOG_MIN_LENGTH))
        {
            final long[] now = { 1_796_587_262_005L };
            final DistinctErrorLog log = new DistinctErrorLog(cnc.errorLog(), () -> now[0]);
            final IllegalStateException bug = new IllegalStateException("something broke");
            log.record(bug);
            now[0] += 60_000;
            log.record(new IllegalArgumentException("a later one"));
            now[0] += 60_000;
            log.record(bug);
            cnc.header().putLong(CncDescriptor.BROKER_PID_OFFSET, deadPid());
            CncDescriptor.signalReady(cnc.header());
        }
        final String out = errors().stdout;
        assertTrue(out.startsWith("2 distinct errors (broker pid "), out);
        assertTrue(out.contains(", not running), most recent first:\n"), out);
        final String[] entries = out.split("\n\n");
        assertTrue(entries[1].startsWith("2 times, first 2026-12-06T20:01:02.005Z, last 2026-12-06T20:03:02.005Z\n" +
            "  java.lang.IllegalStateException: something broke\n  \tat "), out);
        assertTrue(entries[2].startsWith("1 time, first 2026-12-06T20:02:02.005Z, last 2026-12-06T20:02:02.005Z\n" +
            "  java.lang.IllegalArgumentException: a later one\n"), out);
    }

    @Test
    void noBrokerAndNoFileIsAFailureWithAMessage()
    {
        final CliRun run = CliRun.runOn(fixture.shm(), "", "errors");
        assertEquals(1, run.code);
        assertTrue(run.stderr.contains("no broker is running on " + fixture.shm()), run.stderr);
        assertEquals(2, CliRun.run("", "errors", "--frobnicate").code);
    }

    private void sendUnknownCommands(final int count) throws IOException
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(fixture.shm())))
        {
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(cnc.toBroker());
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
            for (int i = 0; i < count; i++)
            {
                final CommandFlyweight command = new CommandFlyweight().wrap(buffer, 0).clear()
                    .correlationId(ring.nextCorrelationId()).clientId(1).clientPid(ProcessHandle.current().pid());
                assertTrue(ring.write(999, buffer, 0, command.length()));
            }
        }
    }

    private void awaitCounter(final String label, final long expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (CncFile cnc = CncFile.map(CncFile.fileIn(fixture.shm())))
            {
                final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
                final long[] value = { -1 };
                reader.forEach((id, type, key, text) ->
                {
                    if (text.equals(label))
                    {
                        value[0] = reader.getCounterValue(id);
                    }
                });
                if (value[0] == expected)
                {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, label + " is " + value[0] + ", expected " + expected);
            }
            Thread.sleep(5);
        }
    }

    private static long deadPid() throws Exception
    {
        final Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
