package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Walks a topic's segment files by stream position for the {@code transferTo} senders (the network server's
 * {@code SegmentSender} and {@link SegmentRangeSender}): finds the file that holds a position, opens the next one
 * at a segment end, bounds each {@link FileChannel#transferTo} call to the segment's end (frames never straddle
 * segments, and one call then moves at most a segment, 1 GiB) and tells a segment that ends before the archive
 * says it does from one that is gone.
 * <p>
 * The segment holding a position is computed from the segment length when the caller knows it (no directory
 * listing on the network thread), else found by listing the directory. Passed segments are either closed at
 * once (one open file per subscriber) or held open until {@link #close()}: an open file outlives its deletion by
 * retention, so a replay that opened its range up front is never cut short.
 * <p>
 * Not thread-safe: one thread.
 */
public final class SegmentCursor implements AutoCloseable
{
    /** The segment length to give when it is not known: segments are then found by listing the directory. */
    public static final long SEGMENT_LENGTH_UNKNOWN = 0;

    private final Path topicDir;
    private final long segmentLength;
    private final boolean holdPassedSegments;
    private final TreeMap<Long, FileChannel> open = new TreeMap<>();
    private FileChannel channel;
    private long base = -1;

    /**
     * @param topicDir           the topic's directory of segment files.
     * @param segmentLength      the topic's segment length, or {@link #SEGMENT_LENGTH_UNKNOWN}.
     * @param holdPassedSegments keep every segment opened until {@link #close()}, rather than only the current one.
     */
    public SegmentCursor(final Path topicDir, final long segmentLength, final boolean holdPassedSegments)
    {
        this.topicDir = topicDir;
        this.segmentLength = segmentLength;
        this.holdPassedSegments = holdPassedSegments;
    }

    /**
     * Opens every segment from the one holding {@code from} on, so that retention cannot take them away.
     *
     * @return true when a segment holding {@code from} or an earlier position is open.
     */
    public boolean openFrom(final long from) throws IOException
    {
        final List<Path> files = SegmentScanner.segmentFiles(topicDir); // in position order
        int first = 0;
        for (int i = 0; i < files.size(); i++)
        {
            if (baseOf(files.get(i)) <= from)
            {
                first = i;
            }
        }
        for (int i = first; i < files.size(); i++)
        {
            final long fileBase = baseOf(files.get(i));
            if (!open.containsKey(fileBase))
            {
                try
                {
                    open.put(fileBase, FileChannel.open(files.get(i), StandardOpenOption.READ));
                }
                catch (final NoSuchFileException ex)
                {
                    // deleted by retention since the listing: moveTo reports it when the stream gets there
                }
            }
        }
        return !open.isEmpty() && open.firstKey() <= from;
    }

    /**
     * Makes the segment holding {@code position}, a position below the archived one, the current segment.
     *
     * @throws NoSuchFileException       when no segment holds it any more (deleted by retention).
     * @throws SegmentTruncatedException when the segment that should hold it ends before it (damaged storage).
     * @throws IOException               when the segment cannot be opened.
     */
    public void moveTo(final long position) throws IOException
    {
        if (null != channel && base <= position && position < base + channel.size())
        {
            return;
        }
        final Map.Entry<Long, FileChannel> held = open.floorEntry(position);
        final long newBase;
        if (null != held && position < held.getKey() + held.getValue().size())
        {
            newBase = held.getKey(); // open already, perhaps deleted by retention since
        }
        else
        {
            newBase = segmentLength > 0 ?
                SegmentDescriptor.basePosition(position, segmentLength) : listedBaseAtOrBefore(position);
        }
        if (newBase < 0)
        {
            throw new NoSuchFileException("no segment in " + topicDir + " holds position " + position);
        }
        channel = null;
        base = -1;
        if (!holdPassedSegments)
        {
            closeAllBut(newBase);
        }
        FileChannel segment = open.get(newBase);
        if (null == segment)
        {
            segment = FileChannel.open(SegmentDescriptor.file(topicDir, newBase), StandardOpenOption.READ);
            open.put(newBase, segment);
        }
        if (newBase + segment.size() <= position)
        {
            throw new SegmentTruncatedException(newBase, "the segment ends at position " + (newBase + segment.size()) +
                ", before position " + position + " that the archive holds (truncated)");
        }
        channel = segment;
        base = newBase;
    }

    /** The current segment's base position. */
    public long base()
    {
        return base;
    }

    /** The current segment, for reads at file offset {@code position - base()}. */
    public FileChannel channel()
    {
        return channel;
    }

    /**
     * One {@code transferTo} of the stream from {@code position} toward {@code limit} from the current segment
     * (see {@link #moveTo}), never past its end.
     *
     * @return the bytes sent: 0 when a non-blocking target is full.
     * @throws IOException when the target fails.
     */
    public long transferTo(final long position, final long limit, final WritableByteChannel target)
        throws IOException
    {
        final long count = Math.min(limit, base + channel.size()) - position;
        return channel.transferTo(position - base, count, target);
    }

    public void close()
    {
        open.values().forEach(CloseHelper::quietClose);
        open.clear();
        channel = null;
        base = -1;
    }

    private long listedBaseAtOrBefore(final long position) throws IOException
    {
        long found = -1;
        for (final Path file : SegmentScanner.segmentFiles(topicDir))
        {
            final long fileBase = baseOf(file);
            if (fileBase <= position)
            {
                found = fileBase;
            }
        }
        return found;
    }

    private void closeAllBut(final long keep)
    {
        for (final Map.Entry<Long, FileChannel> entry : open.entrySet())
        {
            if (entry.getKey() != keep)
            {
                CloseHelper.quietClose(entry.getValue());
            }
        }
        open.keySet().removeIf(key -> key != keep);
    }

    private static long baseOf(final Path file)
    {
        return SegmentDescriptor.parseBasePosition(file.getFileName().toString());
    }

    /** A segment file shorter than the archive says: its bytes are lost, not just deleted. */
    public static final class SegmentTruncatedException extends IOException
    {
        private static final long serialVersionUID = 1L;

        private final long base;

        public SegmentTruncatedException(final long base, final String message)
        {
            super(message);
            this.base = base;
        }

        /** The base position of the truncated segment. */
        public long base()
        {
            return base;
        }
    }
}
