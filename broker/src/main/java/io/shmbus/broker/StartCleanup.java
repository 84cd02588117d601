package io.shmbus.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a starting broker created on the file system (directories, the lock file), so that a start that fails
 * removes exactly that: never a file or directory that was there before, and never a directory that is not empty
 * (another process may have put something in it meanwhile). Used by the launching thread only.
 */
final class StartCleanup
{
    private final List<Path> createdFiles = new ArrayList<>();
    /** Pairs of (directory, topmost ancestor that did not exist), deepest created directory first. */
    private final List<Path[]> createdDirectories = new ArrayList<>();
    private boolean locked;

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
    void locked()
    {
        locked = true;
    }

    /** Removes what was created, newest first; what cannot be removed (a directory no longer empty) stays. */
    void undo()
    {
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
}
