package io.shmbus.broker.archive;

import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What a topic's existing segment files tell the broker when it starts: where archiving resumes (the newest
 * segment checked, a torn tail cut) and where the archive begins.
 * <p>
 * Conductor thread, before the topic's {@link TopicArchiver} starts writing.
 */
public final class ArchiveRecovery
{
    private ArchiveRecovery()
    {
    }

    /**
     * Checks a topic's newest segment before archiving resumes (older ones are complete and were checked when
     * they were written; {@code shmbus verify} checks them all): a torn tail (a frame only partly written when the
     * broker died) is cut off, and the position to resume from is returned.
     *
     * @return the end of the sound archive, or -1 when there is none.
     * @throws ShmbusException when a segment is corrupt before its end: the topic is not archived until it is
     *                         repaired, and nothing is cut.
     */
    public static long recover(final Path topicDir, final PrintStream out)
    {
        try
        {
            final SegmentScanner.Result result = new SegmentScanner().scanNewest(topicDir);
            if (result.isEmpty())
            {
                return -1;
            }
            if (null != result.problem)
            {
                if (!result.tornTail)
                {
                    throw new ShmbusException("segment " + result.problemFile + " is corrupt at position " +
                        result.problemPosition + ": " + result.problem + "; everything before it is sound. The " +
                        "topic is not archived until this is repaired (see: shmbus verify " + topicDir + ")");
                }
                final long base = SegmentDescriptor.parseBasePosition(result.problemFile.getFileName().toString());
                final long size = Files.size(result.problemFile);
                try (FileChannel channel = FileChannel.open(result.problemFile, StandardOpenOption.WRITE))
                {
                    channel.truncate(result.problemPosition - base);
                }
                out.println("shmbus broker: cut a torn tail of " + (size - (result.problemPosition - base)) +
                    " bytes at position " + result.problemPosition + " from " + result.problemFile + " (" +
                    result.problem + ")");
            }
            return result.endPosition;
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot read the archive in " + topicDir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The position of the oldest segment's first frame, never past {@code archivedPosition}: that is returned when
     * there is no segment or it cannot be read.
     */
    static long firstPosition(final Path topicDir, final long archivedPosition)
    {
        try
        {
            final List<Path> files = SegmentScanner.segmentFiles(topicDir);
            if (files.isEmpty())
            {
                return archivedPosition;
            }
            final Path first = files.get(0);
            final long base = SegmentDescriptor.parseBasePosition(first.getFileName().toString());
            try (FileChannel channel = FileChannel.open(first, StandardOpenOption.READ))
            {
                return Math.min(archivedPosition, base + SegmentScanner.firstFrameOffset(channel));
            }
        }
        catch (final IOException ex)
        {
            return archivedPosition;
        }
    }
}
