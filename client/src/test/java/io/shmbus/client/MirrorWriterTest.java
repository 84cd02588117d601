package io.shmbus.client;

import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.ProcessDeath;
import io.shmbus.client.log.StoreHook;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.shmbus.client.log.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The mirror's ring writer on real mapped logs: a source topic written by a producer, its frames copied into a
 * mirror topic at their positions; and each crash point of docs/reliability.md ("Mirror writer") built by stopping
 * the writer right after that store ({@link StoreHook}) and resuming with a new writer on a new mapping, as the
 * next broker would.
 */
@Timeout(30)
class MirrorWriterTest
{
    private static final int CAPACITY = 64 * 1024;

    private final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final List<Long> received = new ArrayList<>();
    private final FragmentHandler recorder = (buffer, offset, length, header) -> received.add(buffer.getLong(offset));
    private Path dir;
    private Topic source;
    private Topic mirror;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("mirror-in-writer");
        source = Topic.open(new Topic.Context().dir(dir).topic("source").capacity(CAPACITY));
        mirror = Topic.open(new Topic.Context().dir(dir).topic("mirror").capacity(CAPACITY));
    }

    @AfterEach
    void tearDown()
    {
        mirror.close();
        source.close();
        TestDirs.delete(dir);
    }

    private static MirrorWriter writerOf(final TopicLog log)
    {
        final MirrorWriter writer = new MirrorWriter(log, new FlowControl(log, new ConsumerSlots(log)));
        writer.resumePosition();
        return writer;
    }

    /** Publishes {@code count} messages of growing length on the source; returns each frame's bytes. */
    private List<UnsafeBuffer> publish(final Producer producer, final int count, final int first)
    {
        final List<UnsafeBuffer> frames = new ArrayList<>();
        final Consumer reader = source.addConsumer(StartPosition.LATEST);
        for (int i = 0; i < count; i++)
        {
            src.putLong(0, first + i);
            assertTrue(producer.offer(src, 0, 8 + (i * 97) % 3000) > 0);
        }
        final UnsafeBuffer ring = source.log().ring();
        long position = reader.position();
        final long tail = source.tailPosition();
        while (position < tail)
        {
            final int offset = (int)position & (CAPACITY - 1);
            final int length = alignedLength(ring.getInt(offset));
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
            frame.putBytes(0, ring, offset, length);
            frames.add(frame);
            position += length;
        }
        reader.close();
        return frames;
    }

    private static void writeAll(final MirrorWriter writer, final List<UnsafeBuffer> frames)
    {
        for (final UnsafeBuffer frame : frames)
        {
            assertTrue(writer.write(frame, 0) > 0, "frame at " + frame.getLong(POSITION_OFFSET));
        }
    }

    private void assertRingsEqual(final long from, final long to)
    {
        for (long position = from; position < to; position += 8)
        {
            final int offset = (int)position & (CAPACITY - 1);
            assertEquals(source.log().ring().getLong(offset), mirror.log().ring().getLong(offset),
                "ring bytes at position " + position);
        }
    }

    @Test
    void copiesAStreamWithEndOfRingPaddingByteForByteAtTheSamePositions()
    {
        final Producer producer = source.addProducer();
        final MirrorWriter writer = writerOf(mirror.log());
        final Consumer consumer = mirror.addConsumer(StartPosition.EARLIEST);
        long padFrames = 0;
        for (int round = 0; round < 5; round++)
        {
            final List<UnsafeBuffer> frames = publish(producer, 40, round * 40);
            padFrames += frames.stream().filter(f -> f.getShort(TYPE_OFFSET) == TYPE_PAD).count();
            final long from = writer.position();
            writeAll(writer, frames);
            assertEquals(source.tailPosition(), writer.position());
            assertEquals(source.tailPosition(), mirror.tailPosition());
            assertRingsEqual(from, writer.position());
            while (consumer.poll(recorder, 100) > 0)
            {
                // drains, so the writer may go round the ring
            }
        }
        assertTrue(padFrames > 0, "the stream wrapped the ring with end padding");
        assertEquals(200, received.size());
        for (int i = 0; i < 200; i++)
        {
            assertEquals(i, received.get(i));
        }
    }

    @Test
    void refusesAFrameNotAtTheTailAndWritesNothing()
    {
        final List<UnsafeBuffer> frames = publish(source.addProducer(), 3, 0);
        final MirrorWriter writer = writerOf(mirror.log());
        final MirrorFrameException gap = assertThrows(MirrorFrameException.class, () -> writer.write(frames.get(1), 0));
        assertTrue(gap.getMessage().contains("gap"), gap.getMessage());
        assertEquals(0, mirror.tailPosition());
        assertEquals(0, mirror.log().ring().getLong(0));
        assertTrue(writer.write(frames.get(0), 0) > 0);
        final MirrorFrameException duplicate = assertThrows(MirrorFrameException.class,
            () -> writer.write(frames.get(0), 0));
        assertTrue(duplicate.getMessage().contains("duplicate"), duplicate.getMessage());
        assertEquals(frames.get(1).getLong(POSITION_OFFSET), mirror.tailPosition());
    }

    @Test
    void refusesAFrameCrossingTheEndOfARingSmallerThanTheSourcesNamingItsCapacity()
    {
        mirror.close();
        TopicLog.fileOf(dir, "mirror").toFile().delete();
        final long start = CAPACITY - 64; // a frame a source of twice the capacity holds whole
        mirror = Topic.open(new Topic.Context().dir(dir).topic("mirror").capacity(CAPACITY)
            .initialPosition(start));
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        frame.putLong(POSITION_OFFSET, start);
        frame.putLong(FRAME_LENGTH_OFFSET, commitWord(100, TYPE_DATA, (byte)0));
        final MirrorWriter writer = writerOf(mirror.log());
        final MirrorFrameException refused = assertThrows(MirrorFrameException.class, () -> writer.write(frame, 0));
        assertTrue(refused.getMessage().contains("capacity " + CAPACITY), refused.getMessage());
        assertEquals(start, mirror.tailPosition());
    }

    @Test
    void isBackPressuredByAConsumerThatDoesNotReadThenGoesOn()
    {
        final Producer producer = source.addProducer();
        final MirrorWriter writer = writerOf(mirror.log());
        final Consumer idle = mirror.addConsumer(StartPosition.EARLIEST);
        final List<UnsafeBuffer> frames = new ArrayList<>();
        for (int round = 0; round < 4; round++)
        {
            frames.addAll(publish(producer, 40, round * 40));
        }
        int written = 0;
        while (written < frames.size() && writer.write(frames.get(written), 0) > 0)
        {
            written++;
        }
        assertTrue(written < frames.size(), "the ring filled before the consumer read");
        assertEquals(Producer.BACK_PRESSURED, writer.write(frames.get(written), 0));
        while (idle.poll(recorder, 1000) > 0)
        {
            // reads what was written
        }
        assertTrue(writer.write(frames.get(written), 0) > 0, "space freed by the consumer");
    }

    /** The crash point after one of the writer's stores: the mirror as the next broker finds it. */
    private void crashAfter(final String store, final boolean frameCommitted, final boolean tailPublished)
    {
        final List<UnsafeBuffer> frames = publish(source.addProducer(), 3, 0);
        final MirrorWriter first = writerOf(mirror.log());
        assertTrue(first.write(frames.get(0), 0) > 0);
        final long before = mirror.tailPosition();
        final long after = frames.get(2).getLong(POSITION_OFFSET);

        final StoreHook hook = new StoreHook();
        final TopicLog stoppedLog = TopicLog.open(mirror.file(), "mirror", 5_000, hook);
        try
        {
            final MirrorWriter stopped = writerOf(stoppedLog);
            hook.armAfter(store, () ->
            {
                throw new ProcessDeath(store);
            });
            assertThrows(ProcessDeath.class, () -> stopped.write(frames.get(1), 0));
            hook.disarm();
        }
        finally
        {
            stoppedLog.close();
        }
        assertEquals(tailPublished ? after : before, mirror.tailPosition(), "tail after the death");

        final Consumer consumer = mirror.addConsumer(StartPosition.EARLIEST);
        assertEquals(frameCommitted ? 2 : 1, consumer.poll(recorder, 10));
        final MirrorWriter resumed = new MirrorWriter(mirror.log(),
            new FlowControl(mirror.log(), new ConsumerSlots(mirror.log())));
        final long resume = resumed.resumePosition();
        assertEquals(frameCommitted ? after : before, resume, "resume position");
        if (!tailPublished)
        {
            for (long position = before; position < before + 4096; position += 8)
            {
                assertEquals(0, mirror.log().ring().getLong((int)position & (CAPACITY - 1)),
                    "zeroed past the tail at " + position);
            }
        }
        for (int i = frameCommitted ? 2 : 1; i < frames.size(); i++)
        {
            assertTrue(resumed.write(frames.get(i), 0) > 0);
        }
        consumer.poll(recorder, 10);
        assertEquals(List.of(0L, 1L, 2L), received, "every frame once, in order");
        assertEquals(source.tailPosition(), mirror.tailPosition());
        assertRingsEqual(0, source.tailPosition());
    }

    @Test
    void deathAfterTheHeaderAndPayloadPastTheTailIsZeroedAndWrittenAgain()
    {
        crashAfter("ring store bytes", false, false);
    }

    @Test
    void deathAfterTheNegativeCommitWordPastTheTailIsZeroedAndWrittenAgain()
    {
        crashAfter("ring store commit word", false, false);
    }

    @Test
    void deathAfterTheTailLeavesAClaimThatIsWrittenAgainAtItsPosition()
    {
        crashAfter("meta release store tailPosition", false, true);
    }

    @Test
    void deathAfterTheCommitLeavesNothingToRepair()
    {
        crashAfter("ring release store commit word", true, true);
    }

    @Test
    void writesTheStoresOfTheCrashPointTableInThatOrder()
    {
        final List<UnsafeBuffer> frames = publish(source.addProducer(), 2, 0);
        final StoreHook hook = new StoreHook();
        final TopicLog hooked = TopicLog.open(mirror.file(), "mirror", 5_000, hook);
        try
        {
            final MirrorWriter writer = writerOf(hooked);
            hook.arm(0, null);
            assertTrue(writer.write(frames.get(0), 0) > 0);
            assertEquals(List.of("ring store bytes", "ring store commit word", "meta release store tailPosition",
                "ring release store commit word"), hook.trace());
        }
        finally
        {
            hook.disarm();
            hooked.close();
        }
    }
}
