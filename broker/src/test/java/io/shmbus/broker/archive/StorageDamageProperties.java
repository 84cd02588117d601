package io.shmbus.broker.archive;

import io.shmbus.client.log.DamagedSegment;
import io.shmbus.client.log.SegmentDescriptor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.Example;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Recovery and {@code verify} over a segment file with one random damage ({@link DamagedSegment}), with the time
 * and checksum indexes the archiver would have written:
 * <ul>
 *     <li>recovery never throws, never changes or cuts a byte of the intact prefix nor any frame that is still
 *     whole, resumes at or after the end of the last whole frame (no position stored twice), and cuts only bytes
 *     in which no whole frame is left (a torn tail);</li>
 *     <li>{@code verify} (the full scan) never throws, reports nothing for an undamaged segment, and reports every
 *     damage (default settings: the checksum index catches a changed payload byte) at or before the frame that
 *     holds the first changed byte.</li>
 * </ul>
 */
class StorageDamageProperties
{
    private static final io.shmbus.broker.logging.BrokerLogger QUIET =
        io.shmbus.broker.logging.BrokerLogger.text(new PrintStream(OutputStream.nullOutputStream()));
    private static Path root;
    private static Path topicDir;

    @BeforeContainer
    static void createDirectory() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-damage-properties-");
        topicDir = root.resolve("t");
        Files.createDirectories(topicDir);
    }

    @AfterContainer
    static void deleteDirectory() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<DamagedSegment> segments()
    {
        return DamagedSegment.arbitrary();
    }

    private static Path write(final DamagedSegment c, final byte[] bytes) throws IOException
    {
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        Files.write(segment, bytes);
        Files.write(TimeIndexWriter.file(topicDir, 0), c.timeIndex());
        Files.write(ChecksumIndexWriter.file(topicDir, 0), c.checksumIndex());
        return segment;
    }

    @Property(tries = 5000)
    void recoveryKeepsEveryWholeFrameAndNeverReusesAPosition(@ForAll("segments") final DamagedSegment c)
        throws IOException
    {
        final Path segment = write(c, c.damaged);
        final ArchiveRecovery.Recovered recovered = ArchiveRecovery.recover(topicDir, QUIET);
        final byte[] after = Files.readAllBytes(segment);

        final long intact = c.intactEnd();
        assertTrue(after.length >= intact, "the intact prefix is kept: " + after.length + " bytes left; " + c);
        assertArrayEquals(Arrays.copyOf(c.original, (int)intact), Arrays.copyOf(after, (int)intact), c.toString());
        assertTrue(Math.max(0, recovered.resumePosition) >= c.lastUnchangedFrameEnd(),
            "resumes at " + recovered.resumePosition + ", before the end of a whole frame at " +
            c.lastUnchangedFrameEnd() + ": positions would be stored twice; " + c);
        assertTrue(after.length == c.damaged.length || after.length == Math.max(0, recovered.resumePosition),
            "only a tail is cut, at the resume position: " + after.length + "; " + c);
        assertArrayEquals(Arrays.copyOf(c.damaged, after.length), after, "nothing but a cut: " + c);
        if (c.firstChangedByte() < 0)
        {
            assertTrue(recovered.damage.isEmpty(), recovered.damage + "; " + c);
            assertEquals(c.end(), recovered.resumePosition, c.toString());
        }
    }

    @Property(tries = 5000)
    void verifyReportsEveryDamageAtOrBeforeTheFirstDamagedFrame(@ForAll("segments") final DamagedSegment c)
        throws IOException
    {
        write(c, c.damaged);
        final SegmentScanner.Result result = new SegmentScanner().scan(topicDir, null);
        if (c.firstChangedByte() < 0)
        {
            assertNull(result.problem, result.problem + "; " + c);
            assertTrue(result.indexProblems.isEmpty(), result.indexProblems + "; " + c);
            assertEquals(c.frames(), result.frames, c.toString());
            return;
        }
        assertTrue(null != result.problem || !result.indexProblems.isEmpty(), "damage not reported: " + c);
        if (null != result.problem)
        {
            assertTrue(result.problemPosition <= c.firstDamagedFrame(), "reported at " + result.problemPosition +
                ", after the first damaged frame at " + c.firstDamagedFrame() + ": " + result.problem + "; " + c);
        }
        else
        {
            // the data ends cleanly at a frame boundary: frames were lost from the end, and the indexes say so
            assertEquals(c.intactEnd(), result.endPosition, result.indexProblems + "; " + c);
        }
    }

    /** Truncation at every byte of one segment: recovery keeps every whole frame and cuts the partial one. */
    @Example
    void truncationAtEveryByteKeepsEveryWholeFrame() throws IOException
    {
        final int[] lengths = {40, 32, 300, 64, 33, 96, 32, 1000, 48};
        int end = 0;
        final long[] ends = new long[lengths.length];
        for (int i = 0; i < lengths.length; i++)
        {
            end += io.shmbus.client.log.FrameDescriptor.alignedLength(lengths[i]);
            ends[i] = end;
        }
        final byte[] full = io.shmbus.client.log.StoredFrames.frames(0, 1, 32);
        final byte[] frames = new byte[end];
        int at = 0;
        for (final int length : lengths)
        {
            final java.nio.ByteBuffer frame = java.nio.ByteBuffer.wrap(frames, at, 32)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            frame.putLong(at, io.shmbus.client.log.FrameDescriptor.commitWord(length,
                io.shmbus.client.log.FrameDescriptor.TYPE_DATA, (byte)0));
            frame.putLong(at + io.shmbus.client.log.FrameDescriptor.POSITION_OFFSET, at);
            Arrays.fill(frames, at + 32, at + length, (byte)0x5A);
            at += io.shmbus.client.log.FrameDescriptor.alignedLength(length);
        }
        assertEquals(32, full.length);
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        Files.deleteIfExists(TimeIndexWriter.file(topicDir, 0));
        Files.deleteIfExists(ChecksumIndexWriter.file(topicDir, 0));
        for (int length = 1; length <= frames.length; length++)
        {
            Files.write(segment, Arrays.copyOf(frames, length));
            long whole = 0;
            for (final long e : ends)
            {
                whole = e <= length ? e : whole;
            }
            final ArchiveRecovery.Recovered recovered = ArchiveRecovery.recover(topicDir, QUIET);
            assertEquals(whole, Math.max(0, recovered.resumePosition), "truncated to " + length);
            assertEquals(whole, Files.size(segment), "cut to the last whole frame, truncated to " + length);
            assertTrue(recovered.damage.isEmpty(), "a torn tail is no damage, truncated to " + length);
        }
    }
}
