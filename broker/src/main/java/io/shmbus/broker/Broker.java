package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.metrics.MetricsServer;
import io.shmbus.broker.mirror.MirrorAeron;
import io.shmbus.broker.mirror.MirrorHandOff;
import io.shmbus.broker.mirror.MirrorReceiver;
import io.shmbus.broker.mirror.MirrorSender;
import io.shmbus.broker.net.NetCounters;
import io.shmbus.broker.net.NetServer;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.cnc.CncDescriptor;
import io.shmbus.client.cnc.CncFile;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
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
    private final BrokerLogger logger;
    private final CncFile cnc;
    private final DirectoryLock directoryLock;
    private final BrokerCounters counters;
    private final AgentRunner runner;
    private final NetCounters netCounters;
    private final NetServer netServer;
    private final AgentRunner netRunner;
    private final MetricsServer metricsServer;
    /** Aeron for mirroring, made only when the broker mirrors (out or in); null otherwise. */
    private final MirrorAeron mirrorAeron;
    private final MirrorSender mirrorSender;
    /** The thread sending the mirrored-out topics; null when there is none. */
    private final AgentRunner mirrorRunner;
    /** The mirror thread serving the {@code [mirror NAME]} topics; null when there is none. */
    private final AgentRunner mirrorInRunner;
    private boolean closed;

    private Broker(
        final BrokerContext ctx,
        final BrokerLogger startLogger,
        final DirectoryLock directoryLock,
        final CncFile cnc)
    {
        this.ctx = ctx;
        this.logger = startLogger.withErrorLog(new DistinctErrorLog(cnc.errorLog(), ctx.epochClock()));
        this.directoryLock = directoryLock;
        this.cnc = cnc;
        // thread-safe: the network server allocates each subscriber's position counter while the conductor runs
        final CountersManager countersManager = new ConcurrentCountersManager(cnc.countersMetadata(),
            cnc.countersValues(), java.nio.charset.StandardCharsets.US_ASCII);
        this.counters = new BrokerCounters(countersManager);
        final ErrorHandler errorHandler = errorHandler(BrokerLogger.CONDUCTOR);
        final ArchiveViews archiveViews = new ArchiveViews();
        if (!ctx.config().mirrors().isEmpty() && null == ctx.dataDir())
        {
            counters.close();
            throw new ConfigurationException("mirror '" + ctx.config().mirrors().keySet().iterator().next() +
                "' (" + ctx.config().mirrors().values().iterator().next().configLine() + ") needs a data " +
                "directory (--data-dir): a mirror is persistent, its archive a copy of the source's");
        }
        final MirrorHandOff mirrorHandOff = new MirrorHandOff();
        final BrokerConductor conductor = new BrokerConductor(ctx, logger, cnc, countersManager, counters,
            errorHandler, archiveViews, mirrorHandOff);
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
                closeAfterFailedStart(netServer, netCounters, conductor, counters);
                throw ex;
            }
        }
        else
        {
            this.metricsServer = null;
        }
        conductor.doWork(); // heartbeat and configured topics before clients may connect
        // after the conductor's first step: the mirrored topics are open, so their frames can be checked to fit
        final Map<String, TopicConfig> mirroredOut = ctx.config().mirroredOutTopics();
        MirrorAeron aeron = null;
        try
        {
            // a broker that mirrors nothing starts no media driver, thread or port
            aeron = needsAeron(ctx) ? MirrorAeron.launch(ctx.dir(),
                null == ctx.aeronDir() ? null : ctx.aeronDir().toString(), errorHandler(BrokerLogger.MIRROR_OUT)) :
                null;
            this.mirrorSender = mirroredOut.isEmpty() ? null : MirrorSender.create(mirroredOut, aeron.aeron(),
                archiveViews, countersManager, errorHandler(BrokerLogger.MIRROR_OUT));
            this.mirrorInRunner = ctx.config().mirrors().isEmpty() ? null : new AgentRunner(new BackoffIdleStrategy(),
                errorHandler(BrokerLogger.MIRROR), null, new MirrorReceiver(ctx.config().mirrors().values(),
                ctx.dir(), ctx.filePermissions(), aeron.aeron(), mirrorHandOff, countersManager, logger,
                new OffsetEpochNanoClock(), ctx.nanoClock()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(metricsServer);
            closeAfterFailedStart(netServer, netCounters, conductor, counters);
            throw ex;
        }
        this.mirrorAeron = aeron;
        this.mirrorRunner = null == mirrorSender ? null : new AgentRunner(MirrorSender.idleStrategy(),
            errorHandler(BrokerLogger.MIRROR_OUT), null, mirrorSender);
        CncDescriptor.signalReady(cnc.header());
    }

    /** Closes what a start that failed after the network server was made had made, the server first. */
    private static void closeAfterFailedStart(
        final NetServer netServer,
        final NetCounters netCounters,
        final BrokerConductor conductor,
        final BrokerCounters counters)
    {
        if (null != netCounters)
        {
            netServer.onClose();
            netCounters.close();
        }
        conductor.onClose();
        counters.close();
    }

    /** Aeron is needed only to mirror: a topic mirrored out to other brokers, or a {@code [mirror NAME]}. */
    private static boolean needsAeron(final BrokerContext ctx)
    {
        return !ctx.config().mirroredOutTopics().isEmpty() || !ctx.config().mirrors().isEmpty();
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
     * @throws io.shmbus.client.LogVersionMismatchException when the directory holds a CnC file of another version.
     */
    public static Broker launch(final BrokerContext ctx)
    {
        JvmRequirements.check();
        ctx.conclude();
        final BrokerLogger logger = new BrokerLogger(ctx.log(), ctx.logFormat(), ctx.epochClock(), null);
        final StartCleanup cleanup = new StartCleanup();
        DirectoryLock directoryLock = null;
        try
        {
            cleanup.beforeCreatingDirectory(ctx.dir());
            ShmDirectory.ensureDirectory(ctx.dir(), ctx.directoryPermissions());
            directoryLock = DirectoryLock.acquire(ctx.dir(), ctx.filePermissions(), cleanup);
            cleanup.locked(ctx.dir());
            if (null != ctx.dataDir())
            {
                cleanup.beforeCreatingDirectory(ctx.dataDir());
            }
            DataDirectory.ensureUsable(ctx.dataDir());
            if (null != ctx.dataDir())
            {
                cleanup.beforeOpeningArchives(ctx.dataDir());
            }
            DirectoryLock.takeOverStaleCnc(ctx.dir(), logger);
            final CncFile cnc = CncFile.create(ctx.dir(), ctx.filePermissions(), ctx.clientLivenessTimeoutNs(),
                ctx.unblockTimeoutNs(), (int)ctx.errorLogLength());
            final Broker broker;
            try
            {
                broker = new Broker(ctx, logger, directoryLock, cnc);
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
            if (null != broker.mirrorRunner)
            {
                AgentRunner.startOnThread(broker.mirrorRunner);
                broker.logger.info(BrokerLogger.BROKER, "mirroring out through the Aeron media driver in " +
                    broker.mirrorAeron.aeronDirectory() + (broker.mirrorAeron.isEmbedded() ? " (embedded): " : ": ") +
                    String.join(", ", broker.mirrorSender.describe()));
                if (null == broker.netRunner)
                {
                    broker.logger.warn(BrokerLogger.BROKER, "no network server (--net-port): receivers of the " +
                        "mirrored topics cannot catch up from this broker's archive, only follow the live stream");
                }
            }
            if (null != broker.mirrorInRunner)
            {
                AgentRunner.startOnThread(broker.mirrorInRunner);
                broker.logger.info(BrokerLogger.BROKER, "receiving " + ctx.config().mirrors().size() +
                    " mirror(s) through Aeron (" + broker.mirrorAeron.aeronDirectory() + ")");
            }
            if (null != broker.metricsServer)
            {
                broker.logger.info(BrokerLogger.BROKER, "serving metrics at http://" + ctx.metricsBind() + ":" +
                    broker.metricsPort() + "/metrics");
            }
            return broker;
        }
        catch (final IOException ex)
        {
            failedStart(cleanup, directoryLock);
            if (ex instanceof java.nio.file.AccessDeniedException)
            {
                throw new ConfigurationException("no permission to create files in " + ctx.dir());
            }
            throw new ShmbusException("cannot start the broker on " + ctx.dir() + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            failedStart(cleanup, directoryLock);
            throw ex;
        }
    }

    /**
     * Removes what the failed start created, then releases the lock: the lock file goes while still locked, so no
     * other broker can take a lock on a file that is about to disappear.
     */
    private static void failedStart(final StartCleanup cleanup, final DirectoryLock directoryLock)
    {
        cleanup.undo();
        CloseHelper.quietClose(directoryLock);
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

    /** The HTTP port of the metrics endpoint (the real one when 0 asked for any), or -1 when it has none. */
    public int metricsPort()
    {
        return null == metricsServer ? -1 : metricsServer.port();
    }

    /**
     * Stops the metrics server, the network server, the mirror sender (its publications closed, then the Aeron
     * client and the embedded media driver, whose directory goes) and the conductor, removes the CnC file (so clients
     * see the broker is gone) and releases the lock.
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
        if (null != mirrorInRunner)
        {
            CloseHelper.quietClose(mirrorInRunner); // its own mappings of the mirrors' rings, and its counters
        }
        if (null != netRunner)
        {
            netServer.wakeup();
            CloseHelper.quietClose(netRunner); // first: it reads the archive that the conductor closes
        }
        if (null != mirrorRunner)
        {
            CloseHelper.quietClose(mirrorRunner); // its agent closes the publications and frees its counters
        }
        CloseHelper.quietClose(mirrorAeron);
        CloseHelper.quietClose(runner);
        if (null != netCounters)
        {
            netCounters.close(); // once the conductor, which allocates counters too, has stopped
        }
        counters.close();
        cnc.brokerHeartbeatMs(0); // tells mapped clients the broker stopped, before the file disappears
        cnc.close();
        ShmDirectory.deleteQuietly(CncFile.fileIn(ctx.dir()));
        directoryLock.close();
        logger.info(BrokerLogger.BROKER, "stopped");
    }
}
