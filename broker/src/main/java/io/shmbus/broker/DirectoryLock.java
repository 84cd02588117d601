package io.shmbus.broker;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.LogVersionMismatchException;
import io.shmbus.client.cnc.CncFile;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The broker's claim on a shared-memory directory: an OS lock on {@value Broker#LOCK_FILE_NAME}, which dies with
 * the process, so one broker runs per directory and a crashed one never blocks the next. Whoever holds it owns the
 * directory's CnC file, including one a dead broker left behind. Not thread-safe; {@link #close()} is idempotent.
 */
final class DirectoryLock implements AutoCloseable
{
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the directory's lock.
     *
     * @throws BrokerAlreadyRunningException naming the other broker's pid when it holds the lock.
     */
    static DirectoryLock acquire(
        final Path dir, final Set<PosixFilePermission> permissions, final StartCleanup cleanup) throws IOException
    {
        final FileChannel channel = openLockFile(dir.resolve(Broker.LOCK_FILE_NAME), permissions, cleanup);
        try
        {
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                throw new BrokerAlreadyRunningException("another broker" + describeOwner(dir) + " is running on " +
                    dir + ": one broker per directory (stop it, or use another --dir)");
            }
            return new DirectoryLock(channel, lock);
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /** Opens (creating when missing) the lock file, telling the start's cleanup when it created it. */
    private static FileChannel openLockFile(
        final Path lockFile, final Set<PosixFilePermission> permissions, final StartCleanup cleanup) throws IOException
    {
        try
        {
            final FileChannel channel = FileChannel.open(lockFile,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(permissions));
            cleanup.createdFile(lockFile);
            return channel;
        }
        catch (final FileAlreadyExistsException ex)
        {
            return FileChannel.open(lockFile, StandardOpenOption.WRITE);
        }
    }

    /**
     * Says what happens to the CnC file a dead broker left in the directory: it is replaced. A file of another
     * layout version is never touched: another release may still use it.
     *
     * @throws LogVersionMismatchException when the file is of another version.
     * @throws IOException                 when the file cannot be opened.
     */
    static void takeOverStaleCnc(final Path dir, final BrokerLogger logger) throws IOException
    {
        final Path file = CncFile.fileIn(dir);
        if (!Files.exists(file))
        {
            return;
        }
        try (CncFile stale = CncFile.map(file))
        {
            logger.info(BrokerLogger.BROKER, "taking over " + file + " from broker pid " + stale.brokerPid() +
                ", which is no longer running");
        }
        catch (final LogVersionMismatchException ex)
        {
            throw ex; // never delete a file another release may still use
        }
        catch (final RuntimeException ex)
        {
            logger.warn(BrokerLogger.BROKER, "replacing unusable " + file + ": " + ex.getMessage());
        }
    }

    private static String describeOwner(final Path dir)
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            return " (pid " + cnc.brokerPid() + ")";
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }

    /** Releases the lock: another broker may take the directory. */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // the lock dies with the channel anyway
        }
        CloseHelper.quietClose(channel);
    }
}
