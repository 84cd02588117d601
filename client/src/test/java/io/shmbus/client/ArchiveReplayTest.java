package io.shmbus.client;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer reading the archive while the archiver appends to the same segment: the file's size can be read in
 * the middle of an append (the kernel raises it page by page), so a mapping may end inside a frame that the
 * archived position then covers. The reader maps again instead of calling the frame damaged.
 */
class ArchiveReplayTest
{
    private Path dir;
    private Topic topic;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("archive-replay");
        topic = Topic.open(new Topic.Context().dir(dir).topic("t").capacity(65536));
    }

    @AfterEach
    void tearDown()
    {
        topic.close();
        TestDirs.delete(dir);
    }

    @Test
    void aFrameThatWasOnlyHalfWrittenWhenTheSegmentWasMappedIsReadAfterTheArchiveCoversIt() throws IOException
    {
        final Path topicDir = Files.createDirectories(dir.resolve("archive").resolve("t"));
        final ByteBuffer frames = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        final int first = frame(frames, 0, 0, 100);
        final int second = frame(frames, first, 1, 5000);
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            channel.write(frames.duplicate().limit(first + 4096).position(0), 0); // the second frame half written
            topic.log().archivedPositionRelease(first);

            final ArchiveReplay replay = new ArchiveReplay(topicDir, 0, topic.log());
            final IntArrayList seen = new IntArrayList();
            final Header header = new Header();
            assertEquals(1, replay.poll((b, o, l, h) -> seen.addInt(b.getInt(o)), 10, header));
            assertTrue(replay.isDone(), "up to the archived position");

            channel.write(frames.duplicate().limit(first + second).position(first + 4096), first + 4096);
            topic.log().archivedPositionRelease(first + second);
            assertFalse(replay.isDone());
            assertEquals(1, replay.poll((b, o, l, h) -> seen.addInt(b.getInt(o)), 10, header));
            assertEquals(2, seen.size());
            assertEquals(1, seen.getInt(1));
            assertTrue(replay.isDone());
            replay.close();
        }
    }

    /** Writes a data frame carrying {@code value} at {@code position}; returns its aligned length. */
    private static int frame(final ByteBuffer buffer, final int position, final int value, final int payload)
    {
        final int length = FrameDescriptor.HEADER_LENGTH + payload;
        buffer.putLong(position, FrameDescriptor.commitWord(length, FrameDescriptor.TYPE_DATA, (byte)0));
        buffer.putLong(position + FrameDescriptor.POSITION_OFFSET, position);
        buffer.putInt(position + FrameDescriptor.HEADER_LENGTH, value);
        return FrameDescriptor.alignedLength(length);
    }
}
