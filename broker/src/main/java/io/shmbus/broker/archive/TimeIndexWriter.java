package io.shmbus.broker.archive;

import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Appends to the sparse time index beside the segment being written ({@code <base>.tix}): one record per archiving
 * step, the time stamp of the step's first message and its position. {@link ArchiveFiles} reads the indexes.
 * <p>
 * Conductor thread only, owned by the topic's {@link SegmentWriter}.
 */
final class TimeIndexWriter implements AutoCloseable
{
    /** The time index file's suffix, in place of the segment's. */
    static final String SUFFIX = ".tix";

    /** A record: long time stamp (epoch ns), long position, little-endian. */
    static final int RECORD_LENGTH = 16;

    private static final Set<StandardOpenOption> CREATE_APPEND =
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);

    private final ByteBuffer record = ByteBuffer.allocate(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private FileChannel channel;
    private Path segmentFile;

    /** Closes the index being written, if any, and opens (or creates) the one beside the segment at a base. */
    void open(final Path topicDir, final long basePosition) throws IOException
    {
        CloseHelper.quietClose(channel);
        channel = null;
        segmentFile = SegmentDescriptor.file(topicDir, basePosition);
        channel = FileChannel.open(file(topicDir, basePosition), CREATE_APPEND, SegmentWriter.PRIVATE_FILE);
    }

    void append(final long timestamp, final long position)
    {
        record.clear();
        record.putLong(0, timestamp).putLong(8, position);
        try
        {
            while (record.hasRemaining())
            {
                channel.write(record);
            }
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot write the time index of " + segmentFile + ": " + ex.getMessage(), ex);
        }
    }

    /** The time index file beside a segment. */
    static Path file(final Path topicDir, final long basePosition)
    {
        return topicDir.resolve(SegmentDescriptor.fileName(basePosition).replace(SegmentDescriptor.SUFFIX, SUFFIX));
    }

    public void close()
    {
        CloseHelper.quietClose(channel);
        channel = null;
    }
}
