package io.shmbus.broker.archive;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.shmbus.broker.logging.BrokerLogger.ARCHIVER;

/**
 * What a topic's existing segment files tell the broker when it starts: where archiving resumes (the newest
 * segment checked, a torn tail cut, damage reported and kept) and where the archive begins.
 * <p>
 * Conductor thread, before the topic's {@link TopicArchiver} starts writing.
 */
public final class ArchiveRecovery
{
    private ArchiveRecovery()
    {
    }

    /** What recovery found: where archiving resumes, and the damage it reported (nothing of it was cut). */
    public static final class Recovered
    {
        /** No archive to recover. */
        public static final Recovered NONE = new Recovered(-1, List.of());

        /** The end of the sound archive, where archiving resumes; -1 when there is none. */
        public final long resumePosition;
        public final List<SegmentScanner.Damage> damage;

        Recovered(final long resumePosition, final List<SegmentScanner.Damage> damage)
        {
            this.resumePosition = resumePosition;
            this.damage = damage;
        }
    }

    /**
     * Checks a topic's newest segment before archiving resumes (older ones are complete and were checked when
     * they were written; {@code shmbus verify} checks them all).
     * <ul>
     *     <li>A torn tail, the bytes after the last sound frame when no sound frame follows them (a frame only
     *     partly written when the broker died), is cut off, with the index records that point into it.</li>
     *     <li>Damage, bytes that fail the frame check or the checksum index while sound frames follow them, is
     *     reported and kept as it is: every sound frame after it stays, and archiving resumes after the last one,
     *     so no position is ever stored twice. Readers stop at the damage and report it.</li>
     * </ul>
     *
     * @return where archiving resumes and the damage found.
     * @throws ShmbusException when the files cannot be read at all.
     */
    public static Recovered recover(final Path topicDir, final BrokerLogger out)
    {
        try
        {
            final SegmentScanner.Result result = new SegmentScanner().scanNewest(topicDir);
            if (result.segments.isEmpty())
            {
                return Recovered.NONE;
            }
            for (final SegmentScanner.Damage damage : result.damage)
            {
                out.error(ARCHIVER, "topic '" + topicDir.getFileName() + "': DAMAGED archive in " +
                    damage.file + " at position " + damage.position + ": " + damage.reason +
                    (damage.resumesAt >= 0 ? "; sound frames again from position " + damage.resumesAt : "") +
                    "; nothing was cut; readers stop at the damage (see: shmbus verify " + topicDir + ")");
            }
            if (null != result.tornTail)
            {
                cutTornTail(topicDir, result, out);
            }
            else
            {
                cutIndexes(topicDir, SegmentScanner.baseOf(result.segments.get(0)), result.endPosition, out);
            }
            if (result.isEmpty() && result.damage.isEmpty())
            {
                return Recovered.NONE; // a segment with no frame yet: archiving starts where the ring does
            }
            return new Recovered(result.endPosition, List.copyOf(result.damage));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new ShmbusException("cannot read the archive in " + topicDir + ": " + ex, ex);
        }
    }

    private static void cutTornTail(final Path topicDir, final SegmentScanner.Result result, final BrokerLogger out)
        throws IOException
    {
        final Path file = result.tornTailFile;
        final long base = SegmentScanner.baseOf(file);
        final long cut = result.endPosition;
        final long size = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(cut - base);
        }
        out.warn(ARCHIVER, "cut a torn tail of " + (size - (cut - base)) + " bytes at position " + cut +
            " from " + file + " (" + result.tornTail + "; no sound frame after it)");
        cutIndexes(topicDir, base, cut, out);
    }

    /** Drops the newest segment's index records that point at or past the end of its data. */
    private static void cutIndexes(final Path topicDir, final long base, final long end, final BrokerLogger out)
        throws IOException
    {
        final long cut = Math.max(base, end);
        final int timeRecords = cutIndex(TimeIndexWriter.file(topicDir, base), TimeIndexWriter.RECORD_LENGTH, cut,
            false);
        final int sumRecords = cutIndex(ChecksumIndexWriter.file(topicDir, base), ChecksumIndexWriter.RECORD_LENGTH,
            cut, true);
        if (timeRecords + sumRecords > 0)
        {
            out.warn(ARCHIVER, "dropped " + timeRecords + " time and " + sumRecords + " checksum index " +
                "record(s) of " + SegmentDescriptor.file(topicDir, base) + " that point past the end of its data (" +
                cut + ")");
        }
    }

    /**
     * Drops an index's records that point at or past {@code cut} (a checksum record whose range ends past it).
     *
     * @return how many it dropped.
     */
    private static int cutIndex(final Path index, final int recordLength, final long cut, final boolean checksums)
        throws IOException
    {
        if (!Files.exists(index))
        {
            return 0;
        }
        final ByteBuffer records = ByteBuffer.wrap(Files.readAllBytes(index)).order(ByteOrder.LITTLE_ENDIAN);
        final int count = records.capacity() / recordLength;
        int keep = 0;
        while (keep < count)
        {
            final int at = keep * recordLength;
            final long end = checksums ? records.getLong(at) + (records.getInt(at + 8) & 0xFFFF_FFFFL) :
                records.getLong(at + 8) + 1;
            if (end > cut)
            {
                break; // records are in position order: the rest are past the cut too
            }
            keep++;
        }
        if (keep * (long)recordLength == records.capacity())
        {
            return 0;
        }
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.WRITE))
        {
            channel.truncate((long)keep * recordLength);
        }
        return count - keep;
    }

    /**
     * The position of the oldest segment's first frame, never past {@code archivedPosition}: that is returned when
     * there is no segment or it cannot be read.
     */
    static long firstPosition(final Path topicDir, final long archivedPosition)
    {
        try
        {
            final List<Path> files = SegmentScanner.segmentFiles(topicDir);
            if (files.isEmpty())
            {
                return archivedPosition;
            }
            final Path first = files.get(0);
            final long base = SegmentDescriptor.parseBasePosition(first.getFileName().toString());
            try (FileChannel channel = FileChannel.open(first, StandardOpenOption.READ))
            {
                return Math.min(archivedPosition, base + SegmentScanner.firstFrameOffset(channel));
            }
        }
        catch (final IOException ex)
        {
            return archivedPosition;
        }
    }
}
