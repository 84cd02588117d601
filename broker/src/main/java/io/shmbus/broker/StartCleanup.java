package io.shmbus.broker;

import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a starting broker created on the file system (directories, the lock file, the logs of the topics it opened),
 * so that a start that fails removes exactly that: never a file or directory that was there before, and never a
 * directory that is not empty (another process may have put something in it meanwhile). Used by the launching
 * thread only.
 */
final class StartCleanup
{
    private final List<Path> createdFiles = new ArrayList<>();
    /** Pairs of (directory, topmost ancestor that did not exist), deepest created directory first. */
    private final List<Path[]> createdDirectories = new ArrayList<>();
    private boolean locked;
    private Path topicDir;
    private final Set<Path> filesBefore = new HashSet<>();
    private long lockedAtMs;
    private Path dataDir;
    private final Set<Path> topicArchivesBefore = new HashSet<>();

    /** Call before creating {@code dir} and its missing parents: notes which of them do not exist yet. */
    void beforeCreatingDirectory(final Path dir)
    {
        Path missing = null;
        for (Path p = dir.toAbsolutePath().normalize(); null != p && !Files.exists(p); p = p.getParent())
        {
            missing = p;
        }
        if (null != missing)
        {
            createdDirectories.add(new Path[]{ dir.toAbsolutePath().normalize(), missing });
        }
    }

    /** A file this start created (it did not exist before). */
    void createdFile(final Path file)
    {
        createdFiles.add(file);
    }

    /**
     * The start holds the directory's lock: until then a file it created may already be another starting broker's
     * lock file, so files are removed only once this is called.
     */
    void locked(final Path dir) throws IOException
    {
        locked = true;
        topicDir = dir;
        lockedAtMs = System.currentTimeMillis();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(filesBefore::add);
        }
    }

    /** Call once the data directory exists, before any topic is opened: notes the topics' archives already there. */
    void beforeOpeningArchives(final Path dataDir) throws IOException
    {
        this.dataDir = dataDir;
        try (Stream<Path> dirs = Files.list(dataDir))
        {
            dirs.forEach(topicArchivesBefore::add);
        }
    }

    /** Removes what was created, newest first; what cannot be removed (a directory no longer empty) stays. */
    void undo()
    {
        if (locked)
        {
            removeTopicLogsCreated();
            removeEmptyArchivesCreated();
        }
        for (int i = locked ? createdFiles.size() - 1 : -1; i >= 0; i--)
        {
            try
            {
                Files.deleteIfExists(createdFiles.get(i));
            }
            catch (final IOException ignore)
            {
                // left behind; its directory then stays too
            }
        }
        for (int i = createdDirectories.size() - 1; i >= 0; i--)
        {
            final Path top = createdDirectories.get(i)[1];
            for (Path p = createdDirectories.get(i)[0]; null != p; p = p.getParent())
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException notEmpty)
                {
                    break;
                }
                if (p.equals(top))
                {
                    break;
                }
            }
        }
    }

    /**
     * The topic logs this start opened that were not there when it took the lock, and whose header says this
     * process created them since: not a log a client made meanwhile.
     */
    private void removeTopicLogsCreated()
    {
        final long pid = ProcessHandle.current().pid();
        try (Stream<Path> files = Files.list(topicDir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (!filesBefore.contains(file) && file.getFileName().toString().endsWith(TopicLog.FILE_SUFFIX) &&
                    createdBy(file, pid, lockedAtMs))
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final IOException ignore)
        {
            // what cannot be listed or removed stays, and the directory with it
        }
    }

    private static boolean createdBy(final Path file, final long pid, final long sinceMs) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(LogDescriptor.CREATOR_PID_OFFSET + 8)
            .order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file))
        {
            while (header.hasRemaining() && channel.read(header) > 0)
            {
                // read the whole header
            }
        }
        return !header.hasRemaining() && LogDescriptor.MAGIC == header.getInt(LogDescriptor.MAGIC_OFFSET) &&
            pid == header.getLong(LogDescriptor.CREATOR_PID_OFFSET) &&
            header.getLong(LogDescriptor.CREATED_EPOCH_MS_OFFSET) >= sinceMs;
    }

    /**
     * The archive directories of topics this start opened that were not there before, while they hold only empty
     * files (a segment and its indexes opened, nothing archived: the start failed before archiving began).
     */
    private void removeEmptyArchivesCreated()
    {
        if (null == dataDir)
        {
            return;
        }
        try (Stream<Path> dirs = Files.list(dataDir))
        {
            for (final Path dir : (Iterable<Path>)dirs::iterator)
            {
                if (!topicArchivesBefore.contains(dir) && Files.isDirectory(dir) && holdsOnlyEmptyFiles(dir))
                {
                    try (Stream<Path> files = Files.list(dir))
                    {
                        for (final Path file : (Iterable<Path>)files::iterator)
                        {
                            Files.delete(file);
                        }
                    }
                    Files.delete(dir);
                }
            }
        }
        catch (final IOException ignore)
        {
            // what cannot be listed or removed stays, and the data directory with it
        }
    }

    private static boolean holdsOnlyEmptyFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(file) != 0)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
