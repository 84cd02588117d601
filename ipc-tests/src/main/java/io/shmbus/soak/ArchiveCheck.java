package io.shmbus.soak;

import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.ipc.NumberedStreams;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one topic's whole archive, every segment file frame by frame ({@link SegmentScanner}: each frame sound, the
 * positions contiguous), checks every stream in it ({@link NumberedStreams}: each starts at seq 0 and goes on one by
 * one, intact) and counts the messages between the positions the consumers reported, so that each consumer's count
 * can be compared with what the archive holds in the same range. Not thread-safe.
 */
final class ArchiveCheck implements SegmentScanner.DataFrameHandler
{
    final String topic;
    final NumberedStreams streams = new NumberedStreams(true);
    SegmentScanner.Result scan;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final long[] boundaries;
    private final long[] messagesBefore;
    private int nextBoundary;
    private long messages;

    private ArchiveCheck(final String topic, final long[] boundaries)
    {
        this.topic = topic;
        this.boundaries = boundaries;
        this.messagesBefore = new long[boundaries.length];
    }

    /**
     * Scans the topic's directory and fills each read's {@link ReadRecord#archived}.
     *
     * @param reads the consumer incarnations of this topic.
     */
    static ArchiveCheck run(final Path topicDir, final String topic, final List<ReadRecord> reads)
        throws IOException
    {
        final long[] boundaries = reads.stream().filter(ReadRecord::hasRange)
            .flatMapToLong(read -> java.util.stream.LongStream.of(read.start, read.position))
            .sorted().distinct().toArray();
        final ArchiveCheck check = new ArchiveCheck(topic, boundaries);
        check.scan = new SegmentScanner().scan(topicDir, null, check);
        while (check.nextBoundary < boundaries.length)
        {
            check.messagesBefore[check.nextBoundary++] = check.messages;
        }
        for (final ReadRecord read : reads)
        {
            if (read.hasRange() && (null == check.scan.problem || read.position <= check.scan.endPosition))
            {
                read.archived = check.messagesBefore(read.position) - check.messagesBefore(read.start);
            }
        }
        return check;
    }

    public void onDataFrame(final long position, final int producerId, final ByteBuffer payload)
    {
        while (nextBoundary < boundaries.length && boundaries[nextBoundary] <= position)
        {
            messagesBefore[nextBoundary++] = messages;
        }
        messages++;
        view.wrap(payload, 0, payload.limit());
        streams.onMessage(view, 0, payload.limit(), position);
    }

    private long messagesBefore(final long position)
    {
        return messagesBefore[Arrays.binarySearch(boundaries, position)];
    }

    /** Data frames in the archive. */
    long messages()
    {
        return messages;
    }
}
