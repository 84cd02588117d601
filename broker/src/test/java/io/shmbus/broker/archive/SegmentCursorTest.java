package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The segment walk both {@code transferTo} senders share: the file holding a position (computed from the segment
 * length or found by listing), transfers bounded by a segment's end, a deleted segment told apart from a
 * truncated one, and passed segments held open against retention.
 */
@Timeout(30)
class SegmentCursorTest
{
    private static final int SEGMENT_LENGTH = 64 * 1024;
    private Path topicDir;
    private byte[] stream;

    @BeforeEach
    void setUp() throws IOException
    {
        topicDir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-segment-cursor-").resolve("t");
        Files.createDirectories(topicDir);
        stream = new byte[3 * SEGMENT_LENGTH];
        for (int i = 0; i < stream.length; i++)
        {
            stream[i] = (byte)(i * 31 + i / SEGMENT_LENGTH);
        }
        for (int base = 0; base < stream.length; base += SEGMENT_LENGTH)
        {
            Files.write(SegmentDescriptor.file(topicDir, base),
                Arrays.copyOfRange(stream, base, base + SEGMENT_LENGTH));
        }
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(topicDir.getParent()))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void eachTransferStopsAtTheSegmentEndWithTheSegmentLengthKnownOrListed() throws IOException
    {
        for (final long segmentLength : new long[]{SEGMENT_LENGTH, SegmentCursor.SEGMENT_LENGTH_UNKNOWN})
        {
            try (SegmentCursor cursor = new SegmentCursor(topicDir, segmentLength, false))
            {
                assertArrayEquals(Arrays.copyOfRange(stream, 100, stream.length - 7),
                    sendAll(cursor, 100, stream.length - 7, SEGMENT_LENGTH - 100));
            }
        }
    }

    @Test
    void aDeletedSegmentIsToldApartFromATruncatedOne() throws IOException
    {
        Files.delete(SegmentDescriptor.file(topicDir, 0));
        Files.write(SegmentDescriptor.file(topicDir, SEGMENT_LENGTH), new byte[100]);
        for (final long segmentLength : new long[]{SEGMENT_LENGTH, SegmentCursor.SEGMENT_LENGTH_UNKNOWN})
        {
            try (SegmentCursor cursor = new SegmentCursor(topicDir, segmentLength, false))
            {
                assertThrows(NoSuchFileException.class, () -> cursor.moveTo(10));
                assertThrows(SegmentCursor.SegmentTruncatedException.class, () -> cursor.moveTo(SEGMENT_LENGTH + 100));
                cursor.moveTo(SEGMENT_LENGTH + 99);
                assertEquals(SEGMENT_LENGTH, cursor.base());
            }
        }
    }

    @Test
    void heldSegmentsOutliveTheirDeletion() throws IOException
    {
        Files.delete(SegmentDescriptor.file(topicDir, 0));
        try (SegmentCursor cursor = new SegmentCursor(topicDir, SegmentCursor.SEGMENT_LENGTH_UNKNOWN, true))
        {
            assertTrue(cursor.openFrom(SEGMENT_LENGTH + 5));
            Files.delete(SegmentDescriptor.file(topicDir, SEGMENT_LENGTH));
            assertArrayEquals(Arrays.copyOfRange(stream, SEGMENT_LENGTH + 5, stream.length),
                sendAll(cursor, SEGMENT_LENGTH + 5, stream.length, SEGMENT_LENGTH - 5));
            assertFalse(cursor.openFrom(SEGMENT_LENGTH - 1), "nothing holds a position before the first segment");
        }
    }

    /** Sends [from, to) checking that the first transfer ends at the segment end, {@code firstCall} bytes. */
    private static byte[] sendAll(final SegmentCursor cursor, final long from, final long to, final long firstCall)
        throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final WritableByteChannel target = Channels.newChannel(out);
        long position = from;
        while (position < to)
        {
            cursor.moveTo(position);
            final long sent = cursor.transferTo(position, to, target);
            if (position == from)
            {
                assertEquals(firstCall, sent);
            }
            assertTrue(sent > 0);
            position += sent;
        }
        return out.toByteArray();
    }
}
