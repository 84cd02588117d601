package io.shmbus.broker.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static io.shmbus.client.log.FrameDescriptor.TYPE_DATA;

/**
 * Checks the indexes beside one segment against its frames as {@link SegmentScanner} walks them, and rebuilds them
 * when asked ({@code shmbus verify --repair}). Indexes are derived data: repairing one never touches a frame.
 * <ul>
 *     <li>time index ({@code .tix}): every record must name the start of a sound data frame and that frame's time
 *     stamp, in position order, below the end of the data. A rebuilt index has a record at the segment's first
 *     message and then at the first message at least 1 MiB (an archiving step) after the previous record.</li>
 *     <li>checksum index ({@code .sum}): every record must start at a frame and end within the data (its CRC32C
 *     is checked by the scanner). A repair drops records that describe no sound data; it never rewrites a record
 *     whose checksum does not match, which would hide damaged frames.</li>
 * </ul>
 * Not thread-safe: owned by one scanner.
 */
final class IndexCheck
{
    /** A rebuilt time index has a record at least this often, as the archiver writes one per step. */
    private static final long REBUILT_RECORD_INTERVAL = 1024 * 1024;

    private Path topicDir;
    private long base;
    private boolean hasTimeIndex;
    private boolean hasChecksumIndex;
    private long[] times = new long[64];
    private int timeCount;
    private int timeNext;
    private long[] sums = new long[192];
    /** Checksum records a repair drops: they start at no frame. */
    private boolean[] dropSum = new boolean[64];
    private int sumCount;
    private int sumNext;
    private long[] damaged = new long[16];
    private int damagedCount;
    private long[] rebuilt = new long[64];
    private int rebuiltCount;
    private long lastRebuilt;
    private int badTimeRecords;
    private int badSumRecords;
    private boolean timesOutOfOrder;
    private boolean sumsOutOfOrder;

    /** Reads the indexes of the segment at {@code base}; a missing index reads as empty. */
    void load(final Path topicDir, final long base) throws IOException
    {
        this.topicDir = topicDir;
        this.base = base;
        timeCount = timeNext = sumCount = sumNext = damagedCount = rebuiltCount = 0;
        badTimeRecords = badSumRecords = 0;
        final ByteBuffer timeBytes = read(TimeIndexWriter.file(topicDir, base));
        hasTimeIndex = null != timeBytes;
        final ByteBuffer sumBytes = read(ChecksumIndexWriter.file(topicDir, base));
        hasChecksumIndex = null != sumBytes;
        timesOutOfOrder = false;
        sumsOutOfOrder = false;
        if (null != timeBytes)
        {
            final int n = timeBytes.capacity() / TimeIndexWriter.RECORD_LENGTH;
            times = ensure(times, 2 * n);
            for (int i = 0; i < n; i++)
            {
                times[2 * i] = timeBytes.getLong(i * TimeIndexWriter.RECORD_LENGTH);
                times[2 * i + 1] = timeBytes.getLong(i * TimeIndexWriter.RECORD_LENGTH + 8);
                timesOutOfOrder |= i > 0 && times[2 * i + 1] < times[2 * i - 1];
            }
            timeCount = n;
            badTimeRecords += timeBytes.capacity() % TimeIndexWriter.RECORD_LENGTH != 0 ? 1 : 0;
        }
        if (null != sumBytes)
        {
            final int n = sumBytes.capacity() / ChecksumIndexWriter.RECORD_LENGTH;
            sums = ensure(sums, 3 * n);
            dropSum = n <= dropSum.length ? dropSum : new boolean[Math.max(n, 2 * dropSum.length)];
            Arrays.fill(dropSum, false);
            for (int i = 0; i < n; i++)
            {
                final int at = i * ChecksumIndexWriter.RECORD_LENGTH;
                sums[3 * i] = sumBytes.getLong(at);
                sums[3 * i + 1] = sumBytes.getInt(at + 8) & 0xFFFF_FFFFL;
                sums[3 * i + 2] = sumBytes.getInt(at + 12);
                sumsOutOfOrder |= i > 0 && sums[3 * i] < sums[3 * i - 3];
            }
            sumCount = n;
            badSumRecords += sumBytes.capacity() % ChecksumIndexWriter.RECORD_LENGTH != 0 ? 1 : 0;
        }
    }

    /** A sound frame of the segment, in position order. */
    void onFrame(final long position, final short type, final long timestamp)
    {
        if (!timesOutOfOrder)
        {
            while (timeNext < timeCount && times[2 * timeNext + 1] <= position)
            {
                final long recorded = times[2 * timeNext + 1];
                if (recorded < position ? !isDamaged(recorded) :
                    TYPE_DATA != type || times[2 * timeNext] != timestamp)
                {
                    badTimeRecords++;
                }
                timeNext++;
            }
        }
        if (!sumsOutOfOrder)
        {
            while (sumNext < sumCount && sums[3 * sumNext] <= position)
            {
                if (sums[3 * sumNext] < position && !isDamaged(sums[3 * sumNext]))
                {
                    badSumRecords++;
                    dropSum[sumNext] = true;
                }
                sumNext++;
            }
        }
        if (TYPE_DATA == type && (0 == rebuiltCount || position - lastRebuilt >= REBUILT_RECORD_INTERVAL))
        {
            rebuilt = ensure(rebuilt, 2 * rebuiltCount + 2);
            rebuilt[2 * rebuiltCount] = timestamp;
            rebuilt[2 * rebuiltCount + 1] = position;
            rebuiltCount++;
            lastRebuilt = position;
        }
    }

    /** The frames in {@code [from, to)} are damaged: index records there are not held against the index. */
    void damaged(final long from, final long to)
    {
        damaged = ensure(damaged, 2 * damagedCount + 2);
        damaged[2 * damagedCount] = from;
        damaged[2 * damagedCount + 1] = to;
        damagedCount++;
    }

    /** The position of the first checksum record: where archiving started in this segment; -1 without one. */
    long firstRecorded()
    {
        long first = -1;
        for (int i = 0; i < sumCount; i++)
        {
            first = first < 0 ? sums[3 * i] : Math.min(first, sums[3 * i]);
        }
        return first;
    }

    /**
     * Where the data of the segment reached when the archiver last recorded a step: the end of the furthest checksum
     * record, or -1 without one. The archiver writes a record only after the step's bytes, so everything below it
     * was completely written once.
     */
    long recordedEnd()
    {
        long end = -1;
        for (int i = 0; i < sumCount; i++)
        {
            end = Math.max(end, sums[3 * i] + sums[3 * i + 1]);
        }
        return end;
    }

    /** The checksum records: position, length, CRC32C, three longs each ({@link #checksumRecordCount()}). */
    long[] checksumRecords()
    {
        return sums;
    }

    int checksumRecordCount()
    {
        return sumCount;
    }

    /**
     * Ends the segment, whose sound data ends at {@code dataEnd}: adds what is wrong with its indexes.
     *
     * @return true when an index should be rebuilt.
     */
    boolean finish(final Path segment, final long dataEnd, final List<String> problems)
    {
        int pastEnd = 0;
        for (int i = timeNext; i < timeCount && !timesOutOfOrder; i++)
        {
            if (isDamaged(times[2 * i + 1]))
            {
                continue; // in damaged data: the data is reported, not the index
            }
            if (times[2 * i + 1] >= dataEnd)
            {
                pastEnd++;
            }
            else
            {
                badTimeRecords++;
            }
        }
        final String name = segment.getFileName().toString();
        final int before = problems.size();
        if (!hasTimeIndex)
        {
            problems.add(name + ": no time index (time lookups read every index or scan frames)");
        }
        if (timesOutOfOrder)
        {
            problems.add(name + ": time index records are not in position order");
        }
        if (badTimeRecords > 0)
        {
            problems.add(name + ": " + badTimeRecords + " time index record(s) name no message start or the " +
                "wrong time");
        }
        if (pastEnd > 0)
        {
            problems.add(name + ": " + pastEnd + " time index record(s) point past the end of the data (" +
                dataEnd + ")");
        }
        if (sumsOutOfOrder || badSumRecords > 0)
        {
            problems.add(name + ": " + (sumsOutOfOrder ? "checksum index records are not in position order" :
                badSumRecords + " checksum index record(s) start at no frame"));
        }
        return problems.size() > before;
    }

    /** True when the segment has no checksum index: its payloads cannot be checked (archived by an older broker). */
    boolean lacksChecksums()
    {
        return !hasChecksumIndex;
    }

    /**
     * Rewrites the segment's indexes from its frames (after {@link #finish}): the time index anew, the checksum
     * index without the records that describe no sound data. Each file is replaced atomically.
     *
     * @return what it did.
     */
    String repair() throws IOException
    {
        final ByteBuffer timeBytes = ByteBuffer.allocate(rebuiltCount * TimeIndexWriter.RECORD_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rebuiltCount; i++)
        {
            timeBytes.putLong(rebuilt[2 * i]).putLong(rebuilt[2 * i + 1]);
        }
        replace(TimeIndexWriter.file(topicDir, base), timeBytes.flip());
        final StringBuilder done = new StringBuilder("rebuilt the time index (" + rebuiltCount + " records)");
        if (hasChecksumIndex)
        {
            if (sumsOutOfOrder)
            {
                done.append("; left the checksum index as it is (out of order: sort or delete it by hand)");
                return done.toString();
            }
            final ByteBuffer sumBytes = ByteBuffer.allocate(sumCount * ChecksumIndexWriter.RECORD_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
            int kept = 0;
            for (int i = 0; i < sumCount; i++)
            {
                if (!dropSum[i])
                {
                    sumBytes.putLong(sums[3 * i]).putInt((int)sums[3 * i + 1]).putInt((int)sums[3 * i + 2]);
                    kept++;
                }
            }
            if (kept < sumCount)
            {
                replace(ChecksumIndexWriter.file(topicDir, base), sumBytes.flip());
                done.append("; dropped ").append(sumCount - kept).append(" checksum record(s) that start at no " +
                    "frame");
            }
        }
        return done.toString();
    }

    private boolean isDamaged(final long position)
    {
        for (int i = 0; i < damagedCount; i++)
        {
            if (position >= damaged[2 * i] && position < damaged[2 * i + 1])
            {
                return true;
            }
        }
        return false;
    }

    private static void replace(final Path file, final ByteBuffer bytes) throws IOException
    {
        final Path temporary = file.resolveSibling(file.getFileName() + ".repair");
        try (FileChannel channel = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), SegmentWriter.PRIVATE_FILE))
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ByteBuffer read(final Path file) throws IOException
    {
        try
        {
            return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    private static long[] ensure(final long[] array, final int length)
    {
        return array.length >= length ? array : Arrays.copyOf(array, Math.max(length, 2 * array.length));
    }
}
