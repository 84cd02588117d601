package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.metrics.MetricsServer;
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
import org.agrona.concurrent.status.ConcurrentCountersManager;
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

    private final BrokerContext ctx;
    private final CncFile cnc;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final BrokerCounters counters;
    private final AgentRunner runner;
    private final NetCounters netCounters;
    private final NetServer netServer;
    private final AgentRunner netRunner;
    private final MetricsServer metricsServer;
    private boolean closed;

    private Broker(final BrokerContext ctx, final FileChannel lockChannel, final FileLock lock, final CncFile cnc)
    {
        this.ctx = ctx;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.cnc = cnc;
        // thread-safe: the network server allocates each subscriber's position counter while the conductor runs
        final CountersManager countersManager = new ConcurrentCountersManager(cnc.countersMetadata(),
            cnc.countersValues(), java.nio.charset.StandardCharsets.US_ASCII);
        this.counters = new BrokerCounters(countersManager);
        final ErrorHandler errorHandler = throwable ->
        {
            counters.errors.increment();
            ctx.errorHandler().onError(throwable);
        };
        final ArchiveViews archiveViews = new ArchiveViews();
        final BrokerConductor conductor = new BrokerConductor(ctx, cnc, countersManager, counters, errorHandler,
            archiveViews);
        this.runner = new AgentRunner(null != ctx.idleStrategy() ? ctx.idleStrategy() :
            new BrokerIdleStrategy(conductor::isQuiet), errorHandler, null, conductor);
        if (ctx.netPort() >= 0)
        {
            // counters are allocated here, before any broker thread runs: the counters manager is not thread-safe
            this.netCounters = new NetCounters(countersManager);
            try
            {
                this.netServer = new NetServer(ctx.netSettings(), archiveViews, netCounters, ctx.log(), errorHandler,
                    ctx.nanoClock());
            }
            catch (final RuntimeException ex)
            {
                netCounters.close();
                conductor.onClose();
                counters.close();
                throw ex;
            }
            this.netRunner = new AgentRunner(netServer.idleStrategy(), errorHandler, null, netServer);
        }
        else
        {
            this.netCounters = null;
            this.netServer = null;
            this.netRunner = null;
        }
        if (ctx.metricsPort() >= 0)
        {
            try
            {
                this.metricsServer = MetricsServer.start(ctx.metricsBind(), ctx.metricsPort(),
                    new org.agrona.concurrent.status.CountersReader(cnc.countersMetadata(), cnc.countersValues()),
                    cnc.startTimestampMs());
            }
            catch (final RuntimeException ex)
            {
                if (null != netCounters)
                {
                    netServer.onClose();
                    netCounters.close();
                }
                conductor.onClose();
                counters.close();
                throw ex;
            }
        }
        else
        {
            this.metricsServer = null;
        }
        conductor.doWork(); // heartbeat and configured topics before clients may connect
        CncDescriptor.signalReady(cnc.header());
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
        ShmDirectory.ensureDirectory(ctx.dir(), ctx.directoryPermissions());
        final Path lockFile = ctx.dir().resolve(LOCK_FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(ctx.filePermissions()));
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
            ensureDataDirectory(ctx.dataDir());
            takeOverStaleCnc(ctx);
            final CncFile cnc = CncFile.create(ctx.dir(), ctx.filePermissions(), ctx.clientLivenessTimeoutNs(),
                ctx.unblockTimeoutNs());
            final Broker broker;
            try
            {
                broker = new Broker(ctx, channel, lock, cnc);
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
            ctx.log().println("shmbus broker: pid " + ProcessHandle.current().pid() + " serving " + ctx.dir() +
                " (client timeout " + TimeUnit.NANOSECONDS.toMillis(ctx.clientLivenessTimeoutNs()) +
                " ms, unblock timeout " + TimeUnit.NANOSECONDS.toMillis(ctx.unblockTimeoutNs()) + " ms)");
            if (null != broker.netRunner)
            {
                AgentRunner.startOnThread(broker.netRunner);
                ctx.log().println("shmbus broker: serving network subscribers on " +
                    broker.netServer.boundAddress().getAddress().getHostAddress() + ":" + broker.netPort());
            }
            if (null != broker.metricsServer)
            {
                ctx.log().println("shmbus broker: serving metrics at http://" + ctx.metricsBind() + ":" +
                    broker.metricsPort() + "/metrics");
            }
            return broker;
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            if (ex instanceof java.nio.file.AccessDeniedException)
            {
                throw new ConfigurationException("no permission to create files in " + ctx.dir());
            }
            throw new ShmbusException("cannot start the broker on " + ctx.dir() + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
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

    private static void takeOverStaleCnc(final BrokerContext ctx) throws IOException
    {
        final Path file = CncFile.fileIn(ctx.dir());
        if (!Files.exists(file))
        {
            return;
        }
        try (CncFile stale = CncFile.map(file))
        {
            ctx.log().println("shmbus broker: taking over " + file + " from broker pid " + stale.brokerPid() +
                ", which is no longer running");
        }
        catch (final LogVersionMismatchException ex)
        {
            throw ex; // never delete a file another release may still use
        }
        catch (final RuntimeException ex)
        {
            ctx.log().println("shmbus broker: replacing unusable " + file + ": " + ex.getMessage());
        }
    }

    public BrokerContext context()
    {
        return ctx;
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

    /** The HTTP port of the metrics endpoint (the real one when 0 asked for any), or -1 when it has none. */
    public int metricsPort()
    {
        return null == metricsServer ? -1 : metricsServer.port();
    }

    /**
     * Stops the metrics server, the network server and the conductor, removes the CnC file (so clients see the broker
     * is gone) and
     * releases the lock.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != metricsServer)
        {
            CloseHelper.quietClose(metricsServer); // first: each scrape reads the mapped counters
        }
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
        ctx.log().println("shmbus broker: stopped");
    }
}
