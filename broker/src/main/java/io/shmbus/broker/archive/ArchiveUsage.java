package io.shmbus.broker.archive;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.ShmbusException;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A topic's segment files on disk: how many there are and how many bytes they hold (segments only; the small time
 * and checksum indexes beside them are not included), as counters in the CnC file. The directory is listed once when
 * the archiver starts; after that the archiver and retention tell it what they create, write and delete, so keeping
 * the figures costs a few stores and no listing.
 * <p>
 * Conductor thread only, owned by the topic's {@link TopicArchiver}.
 */
final class ArchiveUsage implements AutoCloseable
{
    private final AtomicCounter segments;
    private final AtomicCounter diskBytes;

    ArchiveUsage(final String topic, final CountersManager counters)
    {
        segments = counters.newCounter("topic " + topic + ": segment files", CounterTypes.ARCHIVE_SEGMENTS,
            CounterKey.topic(topic));
        diskBytes = counters.newCounter("topic " + topic + ": segment bytes on disk",
            CounterTypes.ARCHIVE_DISK_BYTES, CounterKey.topic(topic));
    }

    /** Counts the segment files already in {@code topicDir}. */
    void listed(final Path topicDir)
    {
        try
        {
            long bytes = 0;
            int count = 0;
            for (final Path file : SegmentScanner.segmentFiles(topicDir))
            {
                bytes += Files.size(file);
                count++;
            }
            segments.setRelease(count);
            diskBytes.setRelease(bytes);
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot list the segments of " + topicDir + ": " + ex.getMessage(), ex);
        }
    }

    void onSegmentCreated()
    {
        segments.setRelease(segments.getPlain() + 1);
    }

    void onWritten(final long bytes)
    {
        diskBytes.setRelease(diskBytes.getPlain() + bytes);
    }

    void onSegmentDeleted(final long bytes)
    {
        segments.setRelease(segments.getPlain() - 1);
        diskBytes.setRelease(diskBytes.getPlain() - bytes);
    }

    long segments()
    {
        return segments.getPlain();
    }

    long diskBytes()
    {
        return diskBytes.getPlain();
    }

    public void close()
    {
        segments.close();
        diskBytes.close();
    }
}
