package io.shmbus.broker.archive;

import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a topic's archive directory holds, listed once: its segment files and the other files beside them (the
 * time and checksum indexes, a repair's temporary file), with their sizes. For reports and deletion, not for the
 * data path. Immutable.
 *
 * @param segments     the number of segment files.
 * @param segmentBytes their total size.
 * @param otherFiles   the number of other files (indexes).
 * @param otherBytes   their total size.
 */
public record ArchiveListing(int segments, long segmentBytes, int otherFiles, long otherBytes)
{
    public static final ArchiveListing EMPTY = new ArchiveListing(0, 0, 0, 0);

    /** Lists the directory; {@link #EMPTY} when it does not exist. */
    public static ArchiveListing of(final Path topicDir) throws IOException
    {
        int segments = 0;
        long segmentBytes = 0;
        int others = 0;
        long otherBytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(topicDir))
        {
            for (final Path file : files)
            {
                final BasicFileAttributes attributes;
                try
                {
                    attributes = Files.readAttributes(file, BasicFileAttributes.class);
                }
                catch (final NoSuchFileException ex)
                {
                    continue; // retention deleted it meanwhile
                }
                if (SegmentDescriptor.parseBasePosition(file.getFileName().toString()) >= 0)
                {
                    segments++;
                    segmentBytes += attributes.size();
                }
                else
                {
                    others++;
                    otherBytes += attributes.size();
                }
            }
        }
        catch (final NoSuchFileException ex)
        {
            return EMPTY;
        }
        return new ArchiveListing(segments, segmentBytes, others, otherBytes);
    }

    /** True when there is nothing in the directory (or no directory). */
    public boolean isEmpty()
    {
        return 0 == segments && 0 == otherFiles;
    }
}
