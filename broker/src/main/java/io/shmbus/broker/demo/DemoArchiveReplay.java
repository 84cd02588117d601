package io.shmbus.broker.demo;

import io.shmbus.broker.archive.SegmentScanner;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.TopicLog;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The archive half of {@code shmbus demo}, once the producer and the local consumers are done: waits until the
 * broker's archiver has copied everything the producer published into the segment files, shows the archive, then
 * reads it back over TCP with a {@link RemoteConsumer} (the broker sends the segment files with sendfile) and
 * checks that the messages arrive contiguous and in order, up to the last one sent.
 */
final class DemoArchiveReplay
{
    /** The archiver follows the ring within a step; this long without progress means it stopped. */
    private static final long CATCH_UP_STALL_NS = TimeUnit.SECONDS.toNanos(30);
    /** Retention keeps the archive small (256 MiB), so a healthy replay takes well under a second. */
    /** Retention is checked at least once a second. */
    private static final long RETENTION_SETTLE_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long REPLAY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final Path shmDir;
    private final Path topicArchiveDir;
    private final int netPort;
    private final long messages;
    private final int size;
    private final PrintStream out;

    /**
     * @param shmDir          the broker's shared-memory directory, holding the topic log.
     * @param topicArchiveDir the topic's directory of segment files.
     * @param netPort         the broker's network server port on 127.0.0.1.
     * @param messages        how many messages the producer sent (numbered from 0).
     * @param size            payload bytes of each.
     */
    DemoArchiveReplay(
        final Path shmDir,
        final Path topicArchiveDir,
        final int netPort,
        final long messages,
        final int size,
        final PrintStream out)
    {
        this.shmDir = shmDir;
        this.topicArchiveDir = topicArchiveDir;
        this.netPort = netPort;
        this.messages = messages;
        this.size = size;
        this.out = out;
    }

    /**
     * @return what the replay delivered, when the archive caught up and the replay delivered every retained message
     * up to the last one, contiguous and in order; null after printing why not.
     */
    String run() throws InterruptedException, IOException
    {
        final long end = awaitArchive();
        if (end < 0)
        {
            return null;
        }
        describeArchive(end, awaitRetention());
        return replay(end);
    }

    /**
     * Waits until the archived position reaches the topic's tail: with the producer done, the tail is its end
     * position.
     *
     * @return the end position, or -1 when the archive stopped short of it.
     */
    private long awaitArchive() throws InterruptedException
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(shmDir, Demo.TOPIC), Demo.TOPIC, 1_000))
        {
            final long end = log.tailVolatile();
            final long startNs = System.nanoTime();
            long lastProgressNs = startNs;
            long archived = log.archivedPositionVolatile();
            while (archived < end)
            {
                Thread.sleep(1);
                final long now = log.archivedPositionVolatile();
                if (now != archived)
                {
                    archived = now;
                    lastProgressNs = System.nanoTime();
                }
                else if (System.nanoTime() - lastProgressNs > CATCH_UP_STALL_NS)
                {
                    out.printf("shmbus demo: FAILED: the archive stopped at position %,d of %,d (see the broker's " +
                        "output above)%n", archived, end);
                    return -1;
                }
            }
            out.printf("shmbus demo: the archive caught up with the producer at position %,d (%.1f ms after the " +
                "consumers finished)%n", end, (System.nanoTime() - startNs) / 1e6);
            return end;
        }
    }

    /**
     * Waits until retention has brought the archive within its bound. The archiver checks retention when it
     * starts a segment and then once a second, so the last deletion may come after the archive caught up; a
     * replay from the earliest position that started before it would find its first segment deleted.
     *
     * @return the archive's bytes.
     */
    private long awaitRetention() throws IOException, InterruptedException
    {
        final long retentionBytes = Demo.RETENTION_MIB * 1024L * 1024L;
        final long deadlineNs = System.nanoTime() + RETENTION_SETTLE_NS;
        long bytes;
        while ((bytes = archiveBytes()) > retentionBytes && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        return bytes;
    }

    private long archiveBytes() throws IOException
    {
        long bytes = 0;
        for (final Path segment : SegmentScanner.segmentFiles(topicArchiveDir))
        {
            try
            {
                bytes += Files.size(segment);
            }
            catch (final NoSuchFileException ignore)
            {
                // deleted by retention meanwhile
            }
        }
        return bytes;
    }

    private void describeArchive(final long end, final long bytes) throws IOException
    {
        final List<Path> segments = SegmentScanner.segmentFiles(topicArchiveDir);
        final long first = segments.isEmpty() ? end :
            SegmentDescriptor.parseBasePosition(segments.get(0).getFileName().toString());
        out.printf("shmbus demo: archive %s: %d segment file(s), %.1f MiB, positions %,d to %,d%s%n",
            topicArchiveDir, segments.size(), bytes / (1024.0 * 1024.0), first, end,
            first > 0 ? " (retention deleted the older ones)" : "");
    }

    private String replay(final long end)
    {
        final ReplayCheck check = new ReplayCheck(size);
        final IdleStrategy idle = new BackoffIdleStrategy();
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + REPLAY_TIMEOUT_NS;
        try (RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context()
            .host("127.0.0.1").port(netPort).topic(Demo.TOPIC).start(StartPosition.EARLIEST).endPosition(end)
            .errorHandler(ex -> out.println("shmbus demo: TCP replay: " + ex.getMessage()))))
        {
            while (!consumer.isEnded() && check.errors == 0)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    out.printf("shmbus demo: FAILED: the TCP replay did not end within %d s (at position %,d of " +
                        "%,d)%n", TimeUnit.NANOSECONDS.toSeconds(REPLAY_TIMEOUT_NS), consumer.position(), end);
                    return null;
                }
                idle.idle(consumer.poll(check, 4096));
            }
        }
        catch (final ShmbusException ex)
        {
            out.println("shmbus demo: FAILED: TCP replay: " + ex.getMessage());
            return null;
        }
        final double seconds = Math.max(1, System.nanoTime() - startNs) / 1e9;
        final String problem = check.problem(messages);
        if (null != problem)
        {
            out.println("shmbus demo: FAILED: TCP replay: " + problem);
            return null;
        }
        final long streamBytes = end - check.firstPosition;
        return String.format("%,d messages replayed over TCP from the archive at %.1f MB/s " +
            "(%,d bytes of frames in %.3f s, %,.0f msg/s; messages %,d to %,d, contiguous and in order)",
            check.count, streamBytes / seconds / 1e6, streamBytes, seconds, check.count / seconds, check.first,
            check.next - 1);
    }

    /** Checks each replayed message: the next number after the previous one, its content, its length. */
    private static final class ReplayCheck implements FragmentHandler
    {
        private final int size;
        long first = -1;
        long firstPosition = -1;
        long next;
        long count;
        int errors;
        String firstError;

        ReplayCheck(final int size)
        {
            this.size = size;
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final long value = buffer.getLong(offset);
            if (first < 0)
            {
                first = value; // retention may have deleted the oldest messages: the replay starts where it kept
                firstPosition = header.position();
                next = value;
            }
            if (value != next || length != size || buffer.getLong(offset + 8) != value * 31)
            {
                if (errors++ == 0)
                {
                    firstError = "expected message " + next + " (" + size + " bytes) but got " + value + " (" +
                        length + " bytes) at position " + header.position();
                }
            }
            next = value + 1;
            count++;
        }

        /** @return what is wrong with the replay, or null when it is complete. */
        String problem(final long messages)
        {
            if (errors > 0)
            {
                return firstError;
            }
            if (0 == count)
            {
                return "no message arrived";
            }
            if (next != messages)
            {
                return "the last message was " + (next - 1) + ", not " + (messages - 1);
            }
            return null;
        }
    }
}
