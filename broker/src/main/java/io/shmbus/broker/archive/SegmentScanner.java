package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrameCheck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Reads a topic's segment files frame by frame ({@link StoredFrameWalk}) and checks each frame on its own (length,
 * type, version, its own stream position, the CRC32C when the frame carries one), each archiving step against its
 * record in the checksum index, and the indexes beside each segment ({@link IndexCheck}). Used by
 * {@code shmbus verify}, by the archiver's recovery, and by checks that read every message of an archive (a
 * {@link DataFrameHandler} gets each sound data frame in order).
 * <p>
 * The rule that tells damage from a torn tail: past a frame that fails its check the scanner looks for any sound
 * frame further on ({@link StoredFrameWalk#resync()}). If there is one, the bytes in between were written once and
 * are damaged: that is reported as {@link Damage} and the scan goes on from the sound frame, so nothing after it is
 * lost. If there is none, and this is the newest segment, what follows the last sound frame was never completely
 * written: a torn tail, which recovery may cut (zeros alone are just the end of the data).
 * <p>
 * Not thread-safe; one scanner per scan.
 */
public final class SegmentScanner
{
    /** Receives each data frame of a {@link #scan} in position order, once the frame has passed its checks. */
    @FunctionalInterface
    public interface DataFrameHandler
    {
        /**
         * @param position   the frame's stream position.
         * @param producerId the producer id in its header.
         * @param payload    its payload, from position 0 to the limit; valid during the call only.
         */
        void onDataFrame(long position, int producerId, ByteBuffer payload);
    }

    /** A damaged range: the sound frames resume at {@link #resumesAt}, or nowhere in this segment (-1). */
    public static final class Damage
    {
        public final Path file;
        public final long position;
        public final long resumesAt;
        public final String reason;

        Damage(final Path file, final long position, final long resumesAt, final String reason)
        {
            this.file = file;
            this.position = position;
            this.resumesAt = resumesAt;
            this.reason = reason;
        }

        public String toString()
        {
            return file.getFileName() + " at position " + position + ": " + reason +
                (resumesAt >= 0 ? " (sound frames again from position " + resumesAt + ")" : "");
        }
    }

    /** What a scan found. */
    public static final class Result
    {
        public final List<Path> segments = new ArrayList<>();
        public long startPosition = -1;
        /** The end of the sound data: after the last sound frame of the newest segment. */
        public long endPosition = -1;
        public long frames;
        public long messages;
        public long checksummed;
        /** Archiving steps checked against the checksum index. */
        public long checkedSteps;
        /** Segments without a checksum index (archived by an older broker): their payloads are not checked. */
        public int segmentsWithoutChecksums;
        /** Damage: bytes that were written once and are wrong now, in position order. Never cut. */
        public final List<Damage> damage = new ArrayList<>();
        /** Problems with the time and checksum indexes (the frames are not affected); see {@link IndexCheck}. */
        public final List<String> indexProblems = new ArrayList<>();
        /** A partly written end of the newest segment, from {@link #endPosition} to the end of the file. */
        public String tornTail;
        public Path tornTailFile;
        /** The first damage or the torn tail: null when every byte up to the end of the data is sound. */
        public String problem;
        public Path problemFile;
        public long problemPosition = -1;

        public boolean isEmpty()
        {
            return segments.isEmpty() || startPosition < 0;
        }

        /** True when the first problem is a torn tail (there is no damage). */
        public boolean isTornTail()
        {
            return damage.isEmpty() && null != tornTail;
        }

        void damage(final Path file, final long position, final long resumesAt, final String reason)
        {
            damage.add(new Damage(file, position, resumesAt, reason));
            if (null == problem || position < problemPosition)
            {
                problem = reason;
                problemFile = file;
                problemPosition = position;
            }
        }
    }

    private final StoredFrameWalk walk = new StoredFrameWalk(StoredFrameCheck.MAX_FRAME_LENGTH);
    private final IndexCheck indexes = new IndexCheck();
    private DataFrameHandler handler;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer block = ByteBuffer.allocateDirect(StoredFrameWalk.CHUNK_LENGTH);
    private List<String> repairs;

    /** The segment files of a topic directory in position order. */
    public static List<Path> segmentFiles(final Path topicDir) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(topicDir))
        {
            return files;
        }
        try (Stream<Path> stream = Files.list(topicDir))
        {
            stream.filter(p -> SegmentDescriptor.parseBasePosition(p.getFileName().toString()) >= 0 &&
                Files.isRegularFile(p))
                .sorted()
                .forEach(files::add);
        }
        return files;
    }

    /**
     * Scans every segment of a topic directory.
     *
     * @param progress called after each segment with its path, or null.
     */
    public Result scan(final Path topicDir, final java.util.function.Consumer<Path> progress) throws IOException
    {
        return scan(topicDir, progress, null);
    }

    /**
     * Scans every segment of a topic directory and hands each sound data frame to {@code handler}.
     *
     * @param progress called after each segment with its path, or null.
     * @param handler  called for each data frame in position order, or null.
     */
    public Result scan(
        final Path topicDir, final java.util.function.Consumer<Path> progress, final DataFrameHandler handler)
        throws IOException
    {
        this.handler = handler;
        final Result result = new Result();
        result.segments.addAll(segmentFiles(topicDir));
        final long segmentLength = segmentLength(result.segments);
        long expected = -1;
        for (int i = 0; i < result.segments.size(); i++)
        {
            final Path file = result.segments.get(i);
            final long base = baseOf(file);
            final boolean last = i == result.segments.size() - 1;
            if (expected >= 0 && base != expected)
            {
                result.damage(file, expected, base, expected < base ? "segment missing: expected one starting at " +
                    "position " + expected + ", next is " + file.getFileName() : "segment " + file.getFileName() +
                    " overlaps the one before it, which ends at position " + expected);
            }
            final long segmentEnd = last ? -1 : Math.min(base + segmentLength, baseOf(result.segments.get(i + 1)));
            expected = scanSegment(file, base, 0 == i, segmentEnd, result);
            if (null != progress)
            {
                progress.accept(file);
            }
        }
        return result;
    }

    /**
     * The topic's segment length as the files show it: complete segments are exactly one segment long, and bases
     * are multiples of it, so it is the smaller of the smallest distance between two bases and the largest older
     * segment's size rounded up to a power of two (a missing segment widens one distance, a truncated one shrinks
     * one size). {@link Long#MAX_VALUE} with a single segment.
     */
    private static long segmentLength(final List<Path> segments) throws IOException
    {
        long length = Long.MAX_VALUE;
        long largest = 0;
        for (int i = 0; i + 1 < segments.size(); i++)
        {
            length = Math.min(length, baseOf(segments.get(i + 1)) - baseOf(segments.get(i)));
            largest = Math.max(largest, Files.size(segments.get(i)));
        }
        if (largest > 1)
        {
            length = Math.min(length, Long.highestOneBit(largest - 1) << 1);
        }
        return Math.max(FRAME_ALIGNMENT, length);
    }

    /**
     * Also rewrites the time and checksum indexes of every segment whose indexes are wrong (never a frame), and
     * adds a line per segment saying what it did.
     */
    public SegmentScanner repairIndexes(final List<String> actions)
    {
        this.repairs = actions;
        return this;
    }

    /**
     * Scans only the newest segment: enough to find where the archive ends and to find a torn tail, in a time that
     * does not grow with the archive (a full {@link #scan} is for {@code shmbus verify}).
     */
    public Result scanNewest(final Path topicDir) throws IOException
    {
        final Result result = new Result();
        final List<Path> files = segmentFiles(topicDir);
        if (files.isEmpty())
        {
            return result;
        }
        final Path newest = files.get(files.size() - 1);
        result.segments.add(newest);
        final long base = baseOf(newest);
        if (files.size() > 1)
        {
            result.startPosition = base; // an older segment exists: this one is full from its base
        }
        scanSegment(newest, base, files.size() == 1, -1, result);
        return result;
    }

    /**
     * @param first      the oldest segment: it may begin with zeros up to where archiving started.
     * @param segmentEnd the next segment's base (this one must be whole up to it), or -1 for the newest segment.
     * @return the end of this segment's sound data.
     */
    private long scanSegment(
        final Path file, final long base, final boolean first, final long segmentEnd, final Result result)
        throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            indexes.load(file.getParent(), base);
            // the oldest segment begins with zeros up to where archiving started, which its first checksum record
            // names even when the first frame's header is damaged
            final long recordedStart = indexes.firstRecorded();
            final long from = !first ? base : recordedStart >= base ?
                Math.min(recordedStart, base + firstFrameOffset(channel)) : base + firstFrameOffset(channel);
            if (first)
            {
                if (from >= base + size)
                {
                    if (segmentEnd >= 0)
                    {
                        result.damage(file, from, -1, "segment holds no frame");
                    }
                    else
                    {
                        final long recordedEnd = indexes.recordedEnd();
                        if (recordedEnd > from)
                        {
                            result.damage(file, from, -1, "the segment holds no frame, but the checksum index " +
                                "shows the archive was written up to position " + recordedEnd + " (truncated)");
                            indexes.damaged(from, Long.MAX_VALUE);
                        }
                        result.endPosition = Math.max(from, recordedEnd);
                    }
                    finishIndexes(file, from, result);
                    return from;
                }
                result.startPosition = from;
            }
            final long end = segmentEnd >= 0 ? segmentEnd : base + size;
            walk.start(channel, base, from, end);
            long dataEnd = from;
            final long recordedEnd = segmentEnd < 0 ? indexes.recordedEnd() : -1;
            while (true)
            {
                while (walk.hasFrame())
                {
                    countFrame(file, result);
                    walk.next();
                }
                dataEnd = walk.position();
                if (null == walk.problem())
                {
                    break;
                }
                long damaged = walk.position();
                String reason = walk.problem();
                final long overlapped = walk.previous();
                final boolean zeros = walk.stoppedAtZeroLength();
                final long resumes = walk.resync();
                if (resumes >= 0)
                {
                    if (resumes < damaged)
                    {
                        damaged = overlapped; // its length carried the walk over a sound frame: it is damaged
                        reason = "the frame's length runs over the sound frame at position " + resumes;
                    }
                    result.damage(file, damaged, resumes, reason);
                    indexes.damaged(damaged, resumes);
                    continue;
                }
                if (segmentEnd >= 0)
                {
                    result.damage(file, damaged, -1, reason + (damaged >= base + size ? "" :
                        "; nothing sound after it up to the next segment"));
                    indexes.damaged(damaged, Long.MAX_VALUE);
                }
                else if (damaged < recordedEnd)
                {
                    // the checksum index shows the data reached further: written once, so damaged, never cut
                    result.damage(file, damaged, -1, reason + "; the checksum index shows the archive was written " +
                        "up to position " + recordedEnd);
                    indexes.damaged(damaged, Long.MAX_VALUE);
                    dataEnd = recordedEnd;
                    if (recordedEnd < base + size && !allZero(channel, recordedEnd - base, size))
                    {
                        result.tornTail = "bytes after the last archiving step the checksum index records";
                        result.tornTailFile = file;
                    }
                }
                else if (!zeros || !allZero(channel, damaged - base, size))
                {
                    result.tornTail = reason;
                    result.tornTailFile = file;
                    if (result.damage.isEmpty() || damaged < result.problemPosition)
                    {
                        result.problem = reason;
                        result.problemFile = file;
                        result.problemPosition = damaged;
                    }
                }
                break;
            }
            if (segmentEnd < 0 && null == walk.problem() && dataEnd < recordedEnd)
            {
                result.damage(file, dataEnd, -1, "the segment ends at position " + dataEnd + ", but the checksum " +
                    "index shows the archive was written up to position " + recordedEnd + " (truncated)");
                indexes.damaged(dataEnd, Long.MAX_VALUE);
                dataEnd = recordedEnd;
            }
            if (segmentEnd < 0)
            {
                result.endPosition = dataEnd;
            }
            checkSteps(channel, file, base, base + size, result);
            if (indexes.lacksChecksums())
            {
                result.segmentsWithoutChecksums++;
            }
            finishIndexes(file, dataEnd, result);
            return segmentEnd >= 0 ? segmentEnd : dataEnd;
        }
    }

    private void finishIndexes(final Path file, final long dataEnd, final Result result) throws IOException
    {
        if (indexes.finish(file, dataEnd, result.indexProblems) && null != repairs)
        {
            repairs.add(file.getFileName() + ": " + indexes.repair());
        }
    }

    private void countFrame(final Path file, final Result result) throws IOException
    {
        final short type = walk.type();
        if ((walk.flags() & FLAG_CHECKSUM) != 0 && TYPE_DATA == type)
        {
            crc.reset();
            crc.update(walk.payload());
            if ((int)crc.getValue() != walk.checksum())
            {
                result.damage(file, walk.position(), walk.position() + StoredFrameCheck.alignedLength(
                    walk.frameLength()), "checksum mismatch: the frame's payload changed since it was written");
            }
            result.checksummed++;
        }
        result.frames++;
        if (TYPE_DATA == type)
        {
            result.messages++;
            if (null != handler)
            {
                handler.onDataFrame(walk.position(), walk.producerId(), walk.payload().slice());
            }
        }
        indexes.onFrame(walk.position(), type, walk.timestamp());
    }

    /** Checks the bytes of every archiving step the file holds ({@code fileEnd}) against its checksum record. */
    private void checkSteps(
        final FileChannel channel, final Path file, final long base, final long fileEnd, final Result result)
        throws IOException
    {
        final long[] steps = indexes.checksumRecords();
        for (int i = 0; i < indexes.checksumRecordCount(); i++)
        {
            final long from = steps[3 * i];
            final long to = from + steps[3 * i + 1];
            if (to > fileEnd || from < base)
            {
                continue; // describes no sound data: an index problem, reported by the index check
            }
            crc.reset();
            long offset = from - base;
            while (offset < to - base)
            {
                block.clear().limit((int)Math.min(block.capacity(), to - base - offset));
                final int n = channel.read(block, offset);
                if (n < 0)
                {
                    break;
                }
                block.flip();
                crc.update(block);
                offset += n;
            }
            result.checkedSteps++;
            if ((int)crc.getValue() != (int)steps[3 * i + 2])
            {
                result.damage(file, from, to, "the bytes archived in positions [" + from + ", " + to + ") changed " +
                    "since they were written (checksum index mismatch): a frame in that range is damaged");
            }
        }
        result.damage.sort((a, b) -> Long.compare(a.position, b.position));
    }

    private boolean allZero(final FileChannel channel, final long from, final long size) throws IOException
    {
        long offset = from;
        while (offset < size)
        {
            block.clear().limit((int)Math.min(block.capacity(), size - offset));
            final int n = channel.read(block, offset);
            if (n <= 0)
            {
                return true;
            }
            for (int i = 0; i < n; i++)
            {
                if (block.get(i) != 0)
                {
                    return false;
                }
            }
            offset += n;
        }
        return true;
    }

    /**
     * The offset of the first frame in the oldest segment, which begins with zeros up to where archiving started:
     * the first frame-aligned offset whose first 8 bytes are not zero, or the aligned offset past the last full
     * word when there is none.
     */
    public static long firstFrameOffset(final FileChannel channel) throws IOException
    {
        final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        final long size = channel.size();
        long offset = 0;
        while (offset + word.capacity() <= size)
        {
            word.clear();
            while (word.hasRemaining() && channel.read(word, offset + word.position()) >= 0)
            {
                // a positional read of 8 bytes below the size
            }
            if (word.getLong(0) != 0)
            {
                return offset;
            }
            offset += FRAME_ALIGNMENT;
        }
        return offset;
    }

    static long baseOf(final Path file)
    {
        return SegmentDescriptor.parseBasePosition(file.getFileName().toString());
    }
}
