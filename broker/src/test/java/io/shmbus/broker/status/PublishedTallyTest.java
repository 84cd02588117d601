package io.shmbus.broker.status;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link PublishedTally}: data frames and their payload bytes are counted, padding is not, a walk stops at a claim
 * not yet committed, and a walk that producers lapped counts nothing and resumes at the tail. Frames are written
 * into a real topic log by hand, so every case is exact.
 */
@Timeout(30)
class PublishedTallyTest
{
    private static final int CAPACITY = 64 * 1024;

    private Path dir;
    private TopicLog log;
    private CountersManager counters;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "metrics-tally-");
        log = TopicLog.openOrCreate(dir, "tally", CAPACITY, 1024, 0, ShmDirectory.parseFilePermissions("rw-------"),
            1_000);
        counters = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        log.close();
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void countsDataFramesAndTheirPayloadNotPadding()
    {
        try (PublishedTally tally = new PublishedTally(log, counters))
        {
            frame(FrameDescriptor.TYPE_DATA, 10);
            frame(FrameDescriptor.TYPE_DATA, 100);
            frame(FrameDescriptor.TYPE_PAD, 200);
            frame(FrameDescriptor.TYPE_DATA, 0);
            tally.countCommitted(0, log.tailVolatile());
            assertEquals(3, value(CounterTypes.TOPIC_PUBLISHED_MESSAGES));
            assertEquals(110, value(CounterTypes.TOPIC_PUBLISHED_BYTES));
            assertEquals(log.tailVolatile(), tally.position());
        }
    }

    @Test
    void catchUpCountsWhatWasCommittedSinceAndStopsAtAnOpenClaim()
    {
        frame(FrameDescriptor.TYPE_DATA, 5); // before the tally: not counted, the broker was not there
        try (PublishedTally tally = new PublishedTally(log, counters))
        {
            assertEquals(0, tally.catchUp());
            frame(FrameDescriptor.TYPE_DATA, 20);
            frame(FrameDescriptor.TYPE_DATA, 30);
            final long claimed = log.tailVolatile();
            final int claimLength = FrameDescriptor.HEADER_LENGTH + 40;
            log.ring().putInt((int)claimed & log.mask(), -claimLength); // claimed, not committed
            log.tailRelease(claimed + FrameDescriptor.alignedLength(claimLength));
            frame(FrameDescriptor.TYPE_DATA, 50);

            assertEquals(1, tally.catchUp());
            assertEquals(2, value(CounterTypes.TOPIC_PUBLISHED_MESSAGES));
            assertEquals(50, value(CounterTypes.TOPIC_PUBLISHED_BYTES));
            assertEquals(claimed, tally.position(), "waits at the open claim");

            log.ring().putShort(((int)claimed & log.mask()) + FrameDescriptor.TYPE_OFFSET, FrameDescriptor.TYPE_DATA);
            log.ring().putIntVolatile((int)claimed & log.mask(), claimLength); // committed
            assertEquals(1, tally.catchUp());
            assertEquals(4, value(CounterTypes.TOPIC_PUBLISHED_MESSAGES));
            assertEquals(140, value(CounterTypes.TOPIC_PUBLISHED_BYTES));
            assertEquals(log.tailVolatile(), tally.position());
        }
    }

    @Test
    void aLappedWalkCountsNothingAndResumesAtTheTail()
    {
        try (PublishedTally tally = new PublishedTally(log, counters))
        {
            frame(FrameDescriptor.TYPE_DATA, 10);
            // producers cleaned (and may have rewritten) past where the tally stands before it walked there
            final long tail = log.tailVolatile() + CAPACITY;
            log.cleanPositionRelease(tail + CAPACITY / 2);
            log.tailRelease(tail);
            assertEquals(0, tally.catchUp());
            assertEquals(0, value(CounterTypes.TOPIC_PUBLISHED_MESSAGES));
            assertEquals(tail, tally.position());

            frame(FrameDescriptor.TYPE_DATA, 7);
            assertEquals(1, tally.catchUp());
            assertEquals(1, value(CounterTypes.TOPIC_PUBLISHED_MESSAGES));
            assertEquals(7, value(CounterTypes.TOPIC_PUBLISHED_BYTES));
        }
    }

    @Test
    void countingAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        try (PublishedTally tally = new PublishedTally(log, counters))
        {
            long clean = 0;
            for (int round = 0; round < 2_000 && clean < 100; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                frame(FrameDescriptor.TYPE_DATA, 64);
                final long from = log.tailVolatile();
                tally.catchUp();
                frame(FrameDescriptor.TYPE_DATA, 64);
                tally.countCommitted(from, log.tailVolatile());
                clean = threads.getCurrentThreadAllocatedBytes() == before ? clean + 1 : 0;
            }
            assertEquals(100, clean, "100 rounds in a row without allocation, once warm");
        }
    }

    /** Writes a committed frame of {@code type} with {@code payload} bytes at the tail and moves the tail past it. */
    private void frame(final short type, final int payload)
    {
        final long tail = log.tailVolatile();
        final int offset = (int)tail & log.mask();
        final int length = FrameDescriptor.HEADER_LENGTH + payload;
        log.ring().putShort(offset + FrameDescriptor.TYPE_OFFSET, type);
        log.ring().putLong(offset + FrameDescriptor.POSITION_OFFSET, tail);
        log.ring().putIntVolatile(offset + FrameDescriptor.FRAME_LENGTH_OFFSET, length);
        log.tailRelease(tail + FrameDescriptor.alignedLength(length));
    }

    private long value(final int typeId)
    {
        final int id = CounterFinder.find(counters, typeId, "tally");
        return counters.getCounterValue(id);
    }
}
