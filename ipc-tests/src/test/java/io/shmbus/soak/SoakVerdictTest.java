package io.shmbus.soak;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.ipc.NumberedMessages;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
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
 * The soak's verdict on archives written by hand: a complete archive passes, and each kind of damage the soak looks
 * for (a gap in a stream, a duplicate, committed messages missing from the archive, a consumer that received fewer
 * messages than the archive holds in its range) is counted and fails the run.
 */
class SoakVerdictTest
{
    private static final String TOPIC = "soak-a";

    @TempDir
    Path dir;

    @Test
    void aCompleteArchiveWithEveryConsumerRangeMatchingPasses() throws IOException
    {
        final long end = writeSegment(new int[][] { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0, 2 } });
        final Soak soak = soak(new long[] { 3, 2 });
        soak.reads.add(read(0, end, 5));
        final SoakReport report = verdict(soak);
        assertTrue(report.passed(), "passed");
        assertEquals(0, report.lost + report.lostInDelivery + report.duplicated + report.streamErrors);
    }

    @Test
    void aGapInAStreamIsALoss() throws IOException
    {
        writeSegment(new int[][] { { 0, 0 }, { 0, 2 }, { 1, 0 } });
        final SoakReport report = verdict(soak(new long[] { 1, 1 }));
        assertFalse(report.passed(), "failed");
        assertEquals(1, report.lost, "the missing seq 1 of stream 0");
    }

    @Test
    void aDuplicateIsCounted() throws IOException
    {
        writeSegment(new int[][] { { 0, 0 }, { 0, 1 }, { 0, 1 }, { 1, 0 } });
        final SoakReport report = verdict(soak(new long[] { 2, 1 }));
        assertFalse(report.passed(), "failed");
        assertEquals(1, report.duplicated);
        assertEquals(0, report.lost);
    }

    @Test
    void committedMessagesMissingFromTheArchiveAreLost() throws IOException
    {
        writeSegment(new int[][] { { 0, 0 }, { 0, 1 }, { 1, 0 } });
        final SoakReport report = verdict(soak(new long[] { 5, 1 }));
        assertFalse(report.passed(), "failed");
        assertEquals(3, report.lost, "stream 0 committed 5 by its last report, 2 archived");
    }

    @Test
    void aConsumerThatReceivedLessThanTheArchiveHoldsInItsRangeLostMessages() throws IOException
    {
        final long end = writeSegment(new int[][] { { 0, 0 }, { 1, 0 }, { 0, 1 } });
        final Soak soak = soak(new long[] { 2, 1 });
        soak.reads.add(read(0, end, 2));
        final SoakReport report = verdict(soak);
        assertFalse(report.passed(), "failed");
        assertEquals(1, report.lostInDelivery);
        assertEquals(0, report.lost);
    }

    private Soak soak(final long[] committed)
    {
        final Soak soak = new Soak(SoakOptions.parse(new String[] { "--out", dir.resolve("out").toString() }, dir),
            new PrintStream(OutputStream.nullOutputStream()));
        for (int stream = 0; stream < committed.length; stream++)
        {
            final StreamRecord record = new StreamRecord(stream, TOPIC, "producer-" + stream + ".1");
            record.committed = committed[stream];
            record.exact = true;
            soak.streams.add(record);
        }
        return soak;
    }

    private static ReadRecord read(final long start, final long position, final long received)
    {
        final ReadRecord read = new ReadRecord("consumer-" + TOPIC + ".1", TOPIC, false);
        read.start = start;
        read.position = position;
        read.received = received;
        return read;
    }

    private SoakReport verdict(final Soak soak) throws IOException
    {
        soak.archives.put(TOPIC, ArchiveCheck.run(dir.resolve(TOPIC), TOPIC, soak.reads));
        return new SoakReport(soak);
    }

    /**
     * Writes one segment at base 0 holding the numbered messages {@code {stream, seq}} in order, each in a data
     * frame as the archiver stores it.
     *
     * @return the position after the last frame.
     */
    private long writeSegment(final int[][] messages) throws IOException
    {
        final Path topicDir = Files.createDirectories(dir.resolve(TOPIC));
        final ByteBuffer bytes = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        int position = 0;
        for (final int[] message : messages)
        {
            final int length = NumberedMessages.encode(buffer, position + FrameDescriptor.HEADER_LENGTH, message[0],
                message[1]);
            buffer.putInt(position + FrameDescriptor.FRAME_LENGTH_OFFSET, FrameDescriptor.HEADER_LENGTH + length,
                ByteOrder.LITTLE_ENDIAN);
            buffer.putShort(position + FrameDescriptor.TYPE_OFFSET, FrameDescriptor.TYPE_DATA, ByteOrder.LITTLE_ENDIAN);
            buffer.putByte(position + FrameDescriptor.VERSION_OFFSET, FrameDescriptor.CURRENT_VERSION);
            buffer.putLong(position + FrameDescriptor.POSITION_OFFSET, position, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(position + FrameDescriptor.PRODUCER_ID_OFFSET, message[0] + 1, ByteOrder.LITTLE_ENDIAN);
            position += FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + length);
        }
        bytes.limit(position + 4096); // the zeros after the data, as in a segment still being written
        try (FileChannel channel = FileChannel.open(SegmentDescriptor.file(topicDir, 0),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel.write(bytes, 0);
        }
        return position;
    }
}
