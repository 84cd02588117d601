package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;

import io.shmbus.client.log.FrameDescriptor;

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
 * Reads a topic's segment files frame by frame and checks each frame on its own: length, type, version, its own
 * stream position, and the CRC32C when the frame carries one. Stops at the first frame that fails and says where
 * and why; everything before it is sound. Used by {@code shmbus verify}, by the archiver's recovery, and by checks
 * that read every message of an archive (a {@link DataFrameHandler} gets each sound data frame in order).
 * <p>
 * Not thread-safe; allocates one read buffer per scan.
 */
public final class SegmentScanner
{
    /** What a scan found. */
    public static final class Result
    {
        public final List<Path> segments = new ArrayList<>();
        public long startPosition = -1;
        public long endPosition = -1;
        public long frames;
        public long messages;
        public long checksummed;
        /** Null when every byte up to the end of the last segment's data is sound. */
        public String problem;
        public Path problemFile;
        public long problemPosition = -1;
        /** The problem is a partly written last frame (or zeros after it), as a crash leaves it. */
        public boolean tornTail;

        public boolean isEmpty()
        {
            return segments.isEmpty() || startPosition < 0;
        }
    }

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

    private final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer payload = ByteBuffer.allocate(64 * 1024);
    private final CRC32C crc = new CRC32C();

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
        final Result result = new Result();
        result.segments.addAll(segmentFiles(topicDir));
        long expected = -1;
        for (int i = 0; i < result.segments.size() && null == result.problem; i++)
        {
            final Path file = result.segments.get(i);
            final long base = SegmentDescriptor.parseBasePosition(file.getFileName().toString());
            final boolean last = i == result.segments.size() - 1;
            if (expected >= 0 && base != expected)
            {
                fail(result, file, expected, false, "segment missing: expected one starting at position " +
                    expected + ", next is " + file.getFileName());
                break;
            }
            expected = scanSegment(file, base, expected, last, result, handler);
            if (null != progress)
            {
                progress.accept(file);
            }
        }
        return result;
    }

    /**
     * Scans only the newest segment: enough to find where the archive ends and to cut a torn tail, in a time that
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
        final long base = SegmentDescriptor.parseBasePosition(newest.getFileName().toString());
        if (files.size() > 1)
        {
            result.startPosition = base; // an older segment exists: this one is full from its base
            scanSegment(newest, base, base, true, result, null);
        }
        else
        {
            scanSegment(newest, base, -1, true, result, null);
        }
        return result;
    }

    private long scanSegment(
        final Path file,
        final long base,
        final long expectedStart,
        final boolean last,
        final Result result,
        final DataFrameHandler handler)
        throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            long offset = 0;
            if (expectedStart < 0)
            {
                offset = firstFrameOffset(channel);
                if (offset >= size)
                {
                    if (!last)
                    {
                        fail(result, file, base + offset, false, "segment holds no frame");
                    }
                    return base + offset;
                }
                result.startPosition = base + offset;
            }
            while (offset < size)
            {
                final long position = base + offset;
                if (size - offset < HEADER_LENGTH)
                {
                    fail(result, file, position, last, "truncated frame header (" + (size - offset) + " bytes)");
                    return position;
                }
                header.clear();
                readFully(channel, header, offset);
                final int length = header.getInt(FRAME_LENGTH_OFFSET);
                if (0 == length && last && allZero(channel, offset, size))
                {
                    result.endPosition = position;
                    return position; // the clean end of the data
                }
                final String problem = check(header, length, position, size - offset);
                if (null != problem)
                {
                    fail(result, file, position, last && length > 0 && position + alignedLength(length) > base + size,
                        problem);
                    return position;
                }
                final boolean data = header.getShort(TYPE_OFFSET) == TYPE_DATA;
                final boolean checksummed = data && (header.get(FLAGS_OFFSET) & FLAG_CHECKSUM) != 0;
                if (checksummed || (data && null != handler))
                {
                    final int payloadLength = length - HEADER_LENGTH;
                    if (payload.capacity() < payloadLength)
                    {
                        payload = ByteBuffer.allocate(payloadLength);
                    }
                    payload.clear().limit(payloadLength);
                    readFully(channel, payload, offset + HEADER_LENGTH);
                    payload.flip();
                }
                if (checksummed)
                {
                    crc.reset();
                    crc.update(payload);
                    payload.rewind();
                    if ((int)crc.getValue() != header.getInt(CHECKSUM_OFFSET))
                    {
                        fail(result, file, position, false, "checksum mismatch");
                        return position;
                    }
                    result.checksummed++;
                }
                result.frames++;
                if (data)
                {
                    result.messages++;
                    if (null != handler)
                    {
                        handler.onDataFrame(position, header.getInt(PRODUCER_ID_OFFSET), payload);
                    }
                }
                offset += alignedLength(length);
            }
            result.endPosition = base + offset;
            return base + offset;
        }
    }

    private static String check(final ByteBuffer header, final int length, final long position, final long available)
    {
        if (length < HEADER_LENGTH)
        {
            return length < 0 ? "frame claimed but never committed (length " + length + ")" :
                "bad frame length " + length;
        }
        if (alignedLength(length) > available)
        {
            return "frame of " + length + " bytes runs past the end of the file";
        }
        if (!FrameDescriptor.isKnownType(header.getShort(TYPE_OFFSET)))
        {
            return "unknown frame type " + header.getShort(TYPE_OFFSET);
        }
        if (header.get(VERSION_OFFSET) != CURRENT_VERSION && header.getShort(TYPE_OFFSET) == TYPE_DATA)
        {
            return "unknown frame version " + header.get(VERSION_OFFSET);
        }
        final long framePosition = header.getLong(POSITION_OFFSET);
        if (framePosition != position)
        {
            return "frame says position " + framePosition + " but sits at " + position;
        }
        return null;
    }

    private static void fail(
        final Result result, final Path file, final long position, final boolean torn, final String reason)
    {
        result.problem = reason;
        result.problemFile = file;
        result.problemPosition = position;
        result.tornTail = torn;
        result.endPosition = position;
    }

    private boolean allZero(final FileChannel channel, final long from, final long size) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(8192);
        long offset = from;
        while (offset < size)
        {
            buffer.clear().limit((int)Math.min(buffer.capacity(), size - offset));
            readFully(channel, buffer, offset);
            for (int i = 0; i < buffer.limit(); i++)
            {
                if (buffer.get(i) != 0)
                {
                    return false;
                }
            }
            offset += buffer.limit();
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
            readFully(channel, word, offset);
            if (word.getLong(0) != 0)
            {
                return offset;
            }
            offset += FRAME_ALIGNMENT;
        }
        return offset;
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long offset)
        throws IOException
    {
        long at = offset;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, at);
            if (n < 0)
            {
                throw new IOException("unexpected end of file at " + at);
            }
            at += n;
        }
    }
}
