package io.shmbus.bench;

import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.broker.status.CounterFinder;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches a persistent topic's archiver from the benchmark's parent process, as {@code shmbus stat} would: the
 * topic's tail in its shared-memory log against the broker's {@code archived position} counter in the CnC file.
 * Samples the lag once a millisecond while a run goes on, then measures the lag when the consumer got its last
 * message and how long the archive took to catch up. After the broker stopped, {@link #verify} compares the bytes
 * in the segment files with what the producer published.
 * <p>
 * Used by the parent's main thread; the sampler thread only reads.
 */
final class ArchiveProbe implements AutoCloseable
{
    private static final long SAMPLE_INTERVAL_MS = 1;
    /** Frame-by-frame checks read each header with a system call: only for archives this small. */
    private static final long SCAN_LIMIT_BYTES = 64L * 1024 * 1024;

    private final CncFile cnc;
    private final TopicLog log;
    private final CountersReader counters;
    private final int archivedCounterId;
    private final Thread sampler;
    private volatile boolean sampling = true;
    private volatile long maxLagBytes;

    /** What the probe saw at the end of a run, and the archive's check. */
    record Stats(long lagAtEndBytes, long maxLagBytes, long catchUpNs, long publishedBytes, long archivedBytes,
        long scannedMessages, String problem)
    {
        boolean ok()
        {
            return null == problem;
        }
    }

    private ArchiveProbe(final CncFile cnc, final TopicLog log, final int archivedCounterId)
    {
        this.cnc = cnc;
        this.log = log;
        this.counters = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
        this.archivedCounterId = archivedCounterId;
        this.sampler = new Thread(this::sample, "archive-lag-sampler");
        sampler.setDaemon(true);
    }

    /**
     * Maps the broker's CnC file and the topic's log; the topic must exist (a consumer joined).
     *
     * @throws BenchException when the broker has no archiver for the topic.
     */
    static ArchiveProbe open(final Path shmDir, final String topic)
    {
        final CncFile cnc;
        try
        {
            cnc = CncFile.map(CncFile.fileIn(shmDir));
        }
        catch (final IOException ex)
        {
            throw new BenchException("cannot map the broker's CnC file in " + shmDir + ": " + ex.getMessage(), ex);
        }
        try
        {
            final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
            final int id = CounterFinder.find(reader, CounterTypes.ARCHIVE_ARCHIVED_POSITION, topic);
            if (id < 0)
            {
                throw new BenchException("the broker in " + shmDir + " has no archived position counter for topic '" +
                    topic + "': is the topic persistent?");
            }
            final ArchiveProbe probe = new ArchiveProbe(cnc, TopicLog.open(TopicLog.fileOf(shmDir, topic), topic,
                5_000), id);
            probe.sampler.start();
            return probe;
        }
        catch (final RuntimeException ex)
        {
            cnc.close();
            throw ex;
        }
    }

    /** The topic's tail in its shared-memory log: what producers (or a mirror's receiver) have claimed. */
    long tailPosition()
    {
        return log.tailVolatile();
    }

    long archivedPosition()
    {
        return counters.getCounterValue(archivedCounterId);
    }

    /**
     * Called when the consumer has every message: the lag now, then the time until the archive reaches the tail.
     *
     * @return lag at the end in bytes, the largest lag sampled, and the catch-up time (-1 if it never caught up).
     */
    Stats awaitCatchUp(final long timeoutMs)
    {
        final long startNs = System.nanoTime();
        final long tail = log.tailVolatile();
        final long lag = tail - archivedPosition();
        sampling = false;
        long catchUpNs = -1;
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (archivedPosition() >= tail)
            {
                catchUpNs = System.nanoTime() - startNs;
                break;
            }
            LockSupport.parkNanos(10_000); // the broker needs the CPU more than this loop
        }
        return new Stats(lag, Math.max(maxLagBytes, lag), catchUpNs, tail - log.initialPosition(), -1, -1,
            catchUpNs < 0 ? "the archive did not reach the tail within " + timeoutMs + " ms" : null);
    }

    /**
     * Checks the archive once the broker stopped: the segment files hold exactly the bytes from the log's first
     * position to the producer's last one, and, for a small archive or when asked, every frame is sound (its own
     * position, length, type) and the message count is the number sent.
     */
    Stats verify(
        final Stats atEnd, final Path topicDir, final long lastPosition, final long sent, final boolean scanAll)
    {
        final long published = lastPosition - log.initialPosition();
        try
        {
            final List<Path> segments = SegmentScanner.segmentFiles(topicDir);
            long archived = 0;
            for (final Path segment : segments)
            {
                archived += Files.size(segment);
            }
            if (!segments.isEmpty())
            {
                try (FileChannel first = FileChannel.open(segments.get(0), StandardOpenOption.READ))
                {
                    archived -= SegmentScanner.firstFrameOffset(first); // a stream need not start at a segment's base
                }
            }
            String problem = atEnd.problem();
            if (null == problem && archived != published)
            {
                problem = "the segment files hold " + archived + " bytes of stream, the producer published " +
                    published;
            }
            long scanned = -1;
            if (null == problem && (scanAll || archived <= SCAN_LIMIT_BYTES))
            {
                final SegmentScanner.Result scan = new SegmentScanner().scan(topicDir, null);
                scanned = scan.messages;
                if (null != scan.problem)
                {
                    problem = "segment " + scan.problemFile + " at position " + scan.problemPosition + ": " +
                        scan.problem;
                }
                else if (scan.messages != sent || scan.endPosition != lastPosition)
                {
                    problem = "the archive holds " + scan.messages + " messages ending at position " +
                        scan.endPosition + ", the producer sent " + sent + " ending at " + lastPosition;
                }
            }
            return new Stats(atEnd.lagAtEndBytes(), atEnd.maxLagBytes(), atEnd.catchUpNs(), published, archived,
                scanned, problem);
        }
        catch (final IOException ex)
        {
            return new Stats(atEnd.lagAtEndBytes(), atEnd.maxLagBytes(), atEnd.catchUpNs(), published, -1, -1,
                "cannot read the archive in " + topicDir + ": " + ex.getMessage());
        }
    }

    private void sample()
    {
        while (sampling)
        {
            final long lag = log.tailVolatile() - archivedPosition();
            if (lag > maxLagBytes)
            {
                maxLagBytes = lag;
            }
            try
            {
                Thread.sleep(SAMPLE_INTERVAL_MS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    public void close()
    {
        sampling = false;
        sampler.interrupt();
        try
        {
            sampler.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        log.close();
        cnc.close();
    }
}
