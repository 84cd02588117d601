package io.shmbus.broker.archive;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The segment file being written and its time index: copies ranges of the ring into the segment and forces it to
 * disk when the {@link SegmentDurability} says so.
 * <p>
 * Conductor thread only, owned by the topic's {@link TopicArchiver}.
 */
final class SegmentWriter implements AutoCloseable
{
    /** Segments and indexes hold every message: readable by their owner only (0600, under a 0700 directory). */
    static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
        PosixFilePermissions.asFileAttribute(ShmDirectory.PRIVATE_FILE);
    private static final Set<StandardOpenOption> CREATE_WRITE =
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);

    private final TopicLog log;
    private final Path topicDir;
    private final boolean syncNewEntries;
    /** A view of the ring's mapping (independent position and limit), the source of every copy. */
    private final ByteBuffer ringView;
    private final TimeIndexWriter timeIndex = new TimeIndexWriter();
    private final ChecksumIndexWriter checksums = new ChecksumIndexWriter();
    private FileChannel segment;
    private long base;

    /**
     * @param syncNewEntries sync the directory after creating a segment, so that its entry survives a power loss.
     */
    SegmentWriter(final TopicLog log, final Path topicDir, final boolean syncNewEntries)
    {
        this.log = log;
        this.topicDir = topicDir;
        this.syncNewEntries = syncNewEntries;
        this.ringView = log.newRingView();
    }

    /** False before the first {@link #open} and after one failed: the next archiving step opens the segment. */
    boolean isOpen()
    {
        return null != segment;
    }

    /** The base position of the segment being written. */
    long base()
    {
        return base;
    }

    /**
     * Closes the segment being written and opens (or creates) the one at {@code basePosition}, and its index.
     *
     * @return true when it created the segment file.
     */
    boolean open(final long basePosition)
    {
        CloseHelper.quietClose(segment);
        segment = null;
        final Path file = SegmentDescriptor.file(topicDir, basePosition);
        try
        {
            final boolean created = !Files.exists(file);
            segment = FileChannel.open(file, CREATE_WRITE, PRIVATE_FILE);
            base = basePosition;
            timeIndex.open(topicDir, basePosition);
            checksums.open(topicDir, basePosition);
            if (created && syncNewEntries)
            {
                // the new file's directory entry must survive a power loss too, or its synced data is unreachable
                try (FileChannel dir = FileChannel.open(topicDir, StandardOpenOption.READ))
                {
                    dir.force(true);
                }
            }
            return created;
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(segment);
            segment = null;
            throw new ShmbusException("cannot open segment " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Records the time stamp of the message at {@code position} in the segment's time index. */
    void indexTime(final long timestamp, final long position)
    {
        timeIndex.append(timestamp, position);
    }

    /**
     * Copies the committed frames in {@code [from, to)} from the ring to the segment: one positional write from the
     * ring's mapping per contiguous range (two when it wraps). The kernel copies straight from the mapped pages into
     * the segment's page cache; measured against {@code transferTo} from the shm file (sendfile between files), a put
     * into a mapped segment, writes in 128 KiB or 256 KiB pieces each checksummed just before its write, and
     * read/write loops with {@code scripts/bench archive-copy}, it was among the cheapest in CPU with the fewest
     * system calls. The CRC32C of the range, taken from the same mapping, goes to the checksum index once the write
     * is done.
     */
    void copy(final long from, final long to)
    {
        final int capacity = log.capacity();
        final int mask = log.mask();
        try
        {
            checksums.begin();
            long position = from;
            while (position < to)
            {
                final int ringOffset = (int)position & mask;
                final int chunk = (int)Math.min(to - position, capacity - ringOffset);
                ringView.limit(ringOffset + chunk).position(ringOffset);
                checksums.update(ringView);
                long fileOffset = position - base;
                while (ringView.hasRemaining())
                {
                    fileOffset += segment.write(ringView, fileOffset);
                }
                position += chunk;
            }
            checksums.append(from, to);
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("archiving topic '" + log.topic() + "' failed at position " + from + " in " +
                SegmentDescriptor.file(topicDir, base) + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Forces the segment's data to disk.
     *
     * @return false when no segment is open (nothing to force).
     */
    boolean force()
    {
        if (null == segment)
        {
            return false;
        }
        try
        {
            segment.force(true);
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("fsync of " + SegmentDescriptor.file(topicDir, base) + " failed: " +
                ex.getMessage(), ex);
        }
        return true;
    }

    /** Forces the segment's data to disk if one is open, ignoring a failure. */
    void forceQuietly()
    {
        if (null != segment)
        {
            try
            {
                segment.force(true);
            }
            catch (final IOException ignore)
            {
                // closing: the data is in the page cache and survives this process
            }
        }
    }

    public void close()
    {
        checksums.close();
        timeIndex.close();
        CloseHelper.quietClose(segment);
        segment = null;
    }
}
