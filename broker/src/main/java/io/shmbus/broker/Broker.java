package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.net.NetCounters;
import io.shmbus.broker.net.NetServer;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.LogVersionMismatchException;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.cnc.CncDescriptor;
import io.shmbus.client.cnc.CncFile;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The shmbus broker: owns a shared-memory directory, serves client commands, computes flow control, and
 * recovers from dead clients. Runs embedded in any process ({@link #launch(BrokerContext)}) or as the
 * {@code shmbus broker} daemon. One broker per directory, enforced with an OS file lock that dies with the process.
 * <p>
 * {@link #close()} is thread-safe and idempotent.
 */
public final class Broker implements AutoCloseable
{
    public static final String LOCK_FILE_NAME = "broker.lock";
    /** Length of the distinct-error log in the CnC file (a size: {@code 1m}, {@code 4m}; default 1 MiB). */
    public static final String ERROR_LOG_LENGTH_PROP_NAME = "shmbus.broker.error.log.length";

    private final BrokerContext ctx;
    private final BrokerLogger logger;
    private final CncFile cnc;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final BrokerCounters counters;
    private final AgentRunner runner;
    private final NetCounters netCounters;
    private final NetServer netServer;
    private final AgentRunner netRunner;
    private boolean closed;

    private Broker(
        final BrokerContext ctx,
        final BrokerLogger startLogger,
        final FileChannel lockChannel,
        final FileLock lock,
        final CncFile cnc)
    {
        this.ctx = ctx;
        this.logger = startLogger.withErrorLog(new DistinctErrorLog(cnc.errorLog(), ctx.epochClock()));
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.cnc = cnc;
        final CountersManager countersManager = new CountersManager(cnc.countersMetadata(), cnc.countersValues(),
            java.nio.charset.StandardCharsets.US_ASCII);
        this.counters = new BrokerCounters(countersManager);
        final ErrorHandler errorHandler = errorHandler(BrokerLogger.CONDUCTOR);
        final ArchiveViews archiveViews = new ArchiveViews();
        final BrokerConductor conductor = new BrokerConductor(ctx, logger, cnc, countersManager, counters,
            errorHandler, archiveViews);
        this.runner = new AgentRunner(null != ctx.idleStrategy() ? ctx.idleStrategy() :
            new BrokerIdleStrategy(conductor::isQuiet), errorHandler, null, conductor);
        if (ctx.netPort() >= 0)
        {
            // counters are allocated here, before any broker thread runs: the counters manager is not thread-safe
            this.netCounters = new NetCounters(countersManager);
            try
            {
                this.netServer = new NetServer(ctx.netSettings(), archiveViews, netCounters, logger,
                    errorHandler(BrokerLogger.NET), ctx.nanoClock());
            }
            catch (final RuntimeException ex)
            {
                netCounters.close();
                conductor.onClose();
                counters.close();
                throw ex;
            }
            this.netRunner = new AgentRunner(netServer.idleStrategy(), errorHandler(BrokerLogger.NET), null,
                netServer);
        }
        else
        {
            this.netCounters = null;
            this.netServer = null;
            this.netRunner = null;
        }
        conductor.doWork(); // heartbeat and configured topics before clients may connect
        CncDescriptor.signalReady(cnc.header());
    }

    /**
     * The handler of a broker thread's unexpected errors: counted, logged and recorded in the CnC file's error log,
     * then passed to {@link BrokerContext#errorHandler()} when one was given. The broker keeps running.
     */
    private ErrorHandler errorHandler(final String component)
    {
        final ErrorHandler given = ctx.errorHandler();
        return throwable ->
        {
            counters.errors.increment();
            logger.error(component, throwable);
            if (null != given)
            {
                given.onError(throwable);
            }
        };
    }

    /**
     * Starts a broker on {@link BrokerContext#dir()}.
     *
     * @throws BrokerAlreadyRunningException when a live broker owns the directory.
     * @throws ConfigurationException        for bad settings or an unusable directory.
     * @throws LogVersionMismatchException   when the directory holds a CnC file of another version.
     */
    public static Broker launch(final BrokerContext ctx)
    {
        JvmRequirements.check();
        ctx.conclude();
        final int errorLogLength = errorLogLength();
        final BrokerLogger logger = new BrokerLogger(ctx.log(), ctx.logFormat(), ctx.epochClock(), null);
        final StartCleanup cleanup = new StartCleanup();
        FileChannel channel = null;
        try
        {
            cleanup.beforeCreatingDirectory(ctx.dir());
            ShmDirectory.ensureDirectory(ctx.dir(), ctx.directoryPermissions());
            channel = openLockFile(ctx, cleanup);
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
                throw new BrokerAlreadyRunningException("another broker" + describeOwner(ctx.dir()) +
                    " is running on " + ctx.dir() + ": one broker per directory (stop it, or use another --dir)");
            }
            cleanup.locked(ctx.dir());
            if (null != ctx.dataDir())
            {
                cleanup.beforeCreatingDirectory(ctx.dataDir());
            }
            ensureDataDirectory(ctx.dataDir());
            if (null != ctx.dataDir())
            {
                cleanup.beforeOpeningArchives(ctx.dataDir());
            }
            takeOverStaleCnc(ctx, logger);
            final CncFile cnc = CncFile.create(ctx.dir(), ctx.filePermissions(), ctx.clientLivenessTimeoutNs(),
                ctx.unblockTimeoutNs(), errorLogLength);
            final Broker broker;
            try
            {
                broker = new Broker(ctx, logger, channel, lock, cnc);
            }
            catch (final RuntimeException ex)
            {
                // we hold the directory's lock: nobody else owns this file, and a client must not find a broker
                // that will never finish starting
                cnc.close();
                ShmDirectory.deleteQuietly(cnc.file());
                throw ex;
            }
            AgentRunner.startOnThread(broker.runner);
            broker.logger.info(BrokerLogger.BROKER, "pid " + ProcessHandle.current().pid() + " serving " + ctx.dir() +
                " (client timeout " + TimeUnit.NANOSECONDS.toMillis(ctx.clientLivenessTimeoutNs()) +
                " ms, unblock timeout " + TimeUnit.NANOSECONDS.toMillis(ctx.unblockTimeoutNs()) + " ms)");
            if (null != broker.netRunner)
            {
                AgentRunner.startOnThread(broker.netRunner);
                broker.logger.info(BrokerLogger.BROKER, "serving network subscribers on " +
                    broker.netServer.boundAddress().getAddress().getHostAddress() + ":" + broker.netPort());
            }
            return broker;
        }
        catch (final IOException ex)
        {
            failedStart(cleanup, channel);
            if (ex instanceof java.nio.file.AccessDeniedException)
            {
                throw new ConfigurationException("no permission to create files in " + ctx.dir());
            }
            throw new ShmbusException("cannot start the broker on " + ctx.dir() + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            failedStart(cleanup, channel);
            throw ex;
        }
    }

    /** Opens (creating when missing) the lock file, noting whether this start created it. */
    private static FileChannel openLockFile(final BrokerContext ctx, final StartCleanup cleanup) throws IOException
    {
        final Path lockFile = ctx.dir().resolve(LOCK_FILE_NAME);
        try
        {
            final FileChannel channel = FileChannel.open(lockFile,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(ctx.filePermissions()));
            cleanup.createdFile(lockFile);
            return channel;
        }
        catch (final java.nio.file.FileAlreadyExistsException ex)
        {
            return FileChannel.open(lockFile, StandardOpenOption.WRITE);
        }
    }

    /**
     * Removes what the failed start created, then releases the lock: the lock file goes while still locked, so no
     * other broker can take a lock on a file that is about to disappear.
     */
    private static void failedStart(final StartCleanup cleanup, final FileChannel channel)
    {
        cleanup.undo();
        CloseHelper.quietClose(channel);
    }

    /**
     * Creates the data directory (private) when it does not exist and checks that segments can be written there,
     * so an unusable one fails the start with a clear message rather than a topic's first use.
     */
    private static void ensureDataDirectory(final Path dataDir)
    {
        if (null == dataDir)
        {
            return;
        }
        try
        {
            ShmDirectory.ensureDirectory(dataDir, ShmDirectory.PRIVATE_DIR);
        }
        catch (final ShmbusException ex)
        {
            throw new ConfigurationException("the data directory " + dataDir + " cannot hold segments: " +
                ex.getMessage());
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

    private static int errorLogLength()
    {
        final String text = System.getProperty(ERROR_LOG_LENGTH_PROP_NAME);
        if (null == text)
        {
            return CncDescriptor.ERROR_LOG_DEFAULT_LENGTH;
        }
        final long length = io.shmbus.client.Sizes.parse(ERROR_LOG_LENGTH_PROP_NAME, text);
        try
        {
            CncDescriptor.checkErrorLogLength(length);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException(ERROR_LOG_LENGTH_PROP_NAME + ": " + ex.getMessage());
        }
        return (int)length;
    }

    private static void takeOverStaleCnc(final BrokerContext ctx, final BrokerLogger logger) throws IOException
    {
        final Path file = CncFile.fileIn(ctx.dir());
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

    public BrokerContext context()
    {
        return ctx;
    }

    /** The broker's log (which also records errors in the CnC file's error log). */
    public BrokerLogger logger()
    {
        return logger;
    }

    public Path dir()
    {
        return ctx.dir();
    }

    /**
     * The TCP port network subscribers connect to (the real one when {@code --net-port 0} asked for any), or -1
     * when the broker does not serve them.
     */
    public int netPort()
    {
        return null == netServer ? -1 : netServer.boundAddress().getPort();
    }

    /**
     * Stops the network server and the conductor, removes the CnC file (so clients see the broker is gone) and
     * releases the lock.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != netRunner)
        {
            netServer.wakeup();
            CloseHelper.quietClose(netRunner); // first: it reads the archive that the conductor closes
        }
        CloseHelper.quietClose(runner);
        if (null != netCounters)
        {
            netCounters.close(); // once the conductor, which allocates counters too, has stopped
        }
        counters.close();
        cnc.brokerHeartbeatMs(0); // tells mapped clients the broker stopped, before the file disappears
        cnc.close();
        ShmDirectory.deleteQuietly(CncFile.fileIn(ctx.dir()));
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // the lock dies with the channel anyway
        }
        CloseHelper.quietClose(lockChannel);
        logger.info(BrokerLogger.BROKER, "stopped");
    }
}
