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
import java.util.zip.CRC32C;

/**
 * Appends to the checksum index beside the segment being written ({@code <base>.sum}): one record per archiving
 * step, the CRC32C of the bytes the step copied, so that {@code shmbus verify} finds a changed payload byte in any
 * archived frame, with or without per-frame checksums. The archiver computes it from the ring's mapping right
 * before its write, off the producers' path.
 * <p>
 * Conductor thread only, owned by the topic's {@link SegmentWriter}.
 */
final class ChecksumIndexWriter implements AutoCloseable
{
    /** The checksum index file's suffix, in place of the segment's. */
    static final String SUFFIX = ".sum";

    /** A record: long position of the step's first byte, int length, int CRC32C of those bytes; little-endian. */
    static final int RECORD_LENGTH = 16;

    private static final Set<StandardOpenOption> CREATE_WRITE =
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);

    private final ByteBuffer record = ByteBuffer.allocate(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private FileChannel channel;
    private Path segmentFile;
    /** Where the next record goes: a record that failed half-way (disk full) is written again in place. */
    private long nextOffset;

    /** Closes the index being written, if any, and opens (or creates) the one beside the segment at a base. */
    void open(final Path topicDir, final long basePosition) throws IOException
    {
        CloseHelper.quietClose(channel);
        channel = null;
        segmentFile = SegmentDescriptor.file(topicDir, basePosition);
        channel = FileChannel.open(file(topicDir, basePosition), CREATE_WRITE, SegmentWriter.PRIVATE_FILE);
        nextOffset = channel.size() - channel.size() % RECORD_LENGTH;
    }

    /** Starts the checksum of a step. */
    void begin()
    {
        crc.reset();
    }

    /** Adds bytes of the step (a view's remaining bytes; its position is left as it was). */
    void update(final ByteBuffer bytes)
    {
        final int position = bytes.position();
        crc.update(bytes);
        bytes.position(position);
    }

    /** Writes the record of the step that copied {@code [from, to)}. */
    void append(final long from, final long to)
    {
        record.clear();
        record.putLong(0, from).putInt(8, (int)(to - from)).putInt(12, (int)crc.getValue());
        try
        {
            long offset = nextOffset;
            while (record.hasRemaining())
            {
                offset += channel.write(record, offset);
            }
            nextOffset = offset;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot write the checksum index of " + segmentFile + ": " + ex.getMessage(),
                ex);
        }
    }

    /** The checksum index file beside a segment. */
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
