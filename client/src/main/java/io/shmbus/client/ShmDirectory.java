package io.shmbus.client;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The shared-memory directory: where it is by default, how it and its files are created (private to the user
 * unless configured otherwise), and pre-allocation with a clear error when the filesystem is too small.
 */
public final class ShmDirectory
{
    public static final String DIR_PROP_NAME = "shmbus.dir";

    public static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private static final int ZERO_CHUNK = 1024 * 1024;

    private ShmDirectory()
    {
    }

    /**
     * Parses file permissions written as {@code rw-------}.
     *
     * @throws ConfigurationException when the text is not in that form.
     */
    public static Set<PosixFilePermission> parseFilePermissions(final String text)
    {
        try
        {
            return PosixFilePermissions.fromString(text);
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new ConfigurationException("file permissions must look like rw-------: '" + text + "'");
        }
    }

    /** The directory permissions that go with file permissions: whoever may read a file may enter the directory. */
    public static Set<PosixFilePermission> directoryPermissionsFor(final String filePermissions)
    {
        parseFilePermissions(filePermissions);
        final StringBuilder dir = new StringBuilder(filePermissions);
        for (int i = 0; i < 9; i += 3)
        {
            dir.setCharAt(i + 2, filePermissions.charAt(i) == 'r' || i == 0 ? 'x' : '-');
        }
        return PosixFilePermissions.fromString(dir.toString());
    }

    /**
     * {@code /dev/shm/shmbus-<user>}, or the same name under the temp directory where {@code /dev/shm} does not
     * exist; the {@code shmbus.dir} system property overrides both.
     */
    public static Path defaultDirectory()
    {
        final String prop = System.getProperty(DIR_PROP_NAME);
        if (null != prop && !prop.isEmpty())
        {
            return Paths.get(prop);
        }
        final String name = "shmbus-" + System.getProperty("user.name", "default");
        final File devShm = new File("/dev/shm");
        if (devShm.isDirectory() && devShm.canWrite())
        {
            return devShm.toPath().resolve(name);
        }
        return Paths.get(System.getProperty("java.io.tmpdir")).resolve(name);
    }

    /**
     * Creates the directory (and parents) if needed, with the given permissions on the leaf.
     *
     * @throws ConfigurationException when it cannot be created or written, saying why.
     */
    public static void ensureDirectory(final Path dir, final Set<PosixFilePermission> permissions)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                for (Path p = dir.toAbsolutePath().getParent(); null != p; p = p.getParent())
                {
                    if (Files.exists(p))
                    {
                        if (!Files.isDirectory(p))
                        {
                            throw new ConfigurationException("cannot create directory " + dir + ": " + p +
                                " is not a directory");
                        }
                        break;
                    }
                }
                final Path parent = dir.toAbsolutePath().getParent();
                if (null != parent)
                {
                    Files.createDirectories(parent);
                }
                try
                {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(permissions));
                    Files.setPosixFilePermissions(dir, permissions); // the umask may have narrowed them
                }
                catch (final FileAlreadyExistsException ignore)
                {
                    // created by another process at the same moment
                }
            }
            if (!Files.isDirectory(dir))
            {
                throw new ConfigurationException(dir + " exists and is not a directory");
            }
            if (!Files.isWritable(dir) || !Files.isExecutable(dir))
            {
                throw new ConfigurationException("no permission to create files in " + dir);
            }
        }
        catch (final AccessDeniedException ex)
        {
            throw new ConfigurationException("no permission to create directory " + dir);
        }
        catch (final IOException ex)
        {
            throw new ConfigurationException("cannot create directory " + dir + ": " + ex);
        }
    }

    /**
     * Creates a new file of the given length, with every page allocated, so that a full filesystem is reported
     * now and not as a SIGBUS when a mapped page is first touched.
     *
     * @throws InsufficientStorageException naming the directory, the space needed and free, and the usual fix.
     * @throws FileAlreadyExistsException when the file exists.
     */
    public static void createPreallocated(
        final Path file, final long length, final Set<PosixFilePermission> permissions) throws IOException
    {
        final Path dir = file.toAbsolutePath().getParent();
        final long free = usableSpace(dir);
        if (free >= 0 && free < length)
        {
            throw noSpace(dir, length, free, null);
        }

        try (FileChannel channel = FileChannel.open(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ),
            PosixFilePermissions.asFileAttribute(permissions)))
        {
            Files.setPosixFilePermissions(file, permissions);
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK, Math.max(1, length)));
            long written = 0;
            while (written < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - written));
                written += channel.write(zeros, written);
            }
        }
        catch (final IOException ex)
        {
            if (ex instanceof FileAlreadyExistsException)
            {
                throw ex;
            }
            deleteQuietly(file);
            final String msg = String.valueOf(ex.getMessage());
            if (msg.contains("File too large"))
            {
                throw new InsufficientStorageException("cannot create " + file.getFileName() + " in " + dir +
                    ": it needs " + length + " bytes (" + (length >> 20) + " MiB), more than this process may " +
                    "write to one file (see 'ulimit -f'). Raise the limit or use a smaller ring capacity", ex);
            }
            if (msg.contains("No space left") || msg.contains("Disk quota"))
            {
                throw noSpace(dir, length, usableSpace(dir), ex);
            }
            throw ex;
        }
    }

    static InsufficientStorageException noSpace(
        final Path dir, final long needed, final long free, final Throwable cause)
    {
        return new InsufficientStorageException(
            "not enough space in " + dir + ": need " + needed + " bytes (" + (needed >> 20) + " MiB), " +
            (free >= 0 ? free + " bytes (" + (free >> 20) + " MiB) free" : "free space unknown") +
            ". Use a smaller ring capacity, remove unused topic files, or enlarge the filesystem " +
            "(a container's default /dev/shm is only 64 MiB: e.g. docker run --shm-size=1g)", cause);
    }

    private static long usableSpace(final Path dir)
    {
        try
        {
            return Files.getFileStore(dir).getUsableSpace();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    public static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // best effort during cleanup of a failed creation
        }
    }
}
