package io.shmbus.broker;

import io.shmbus.broker.config.BrokerConfig;
import io.shmbus.broker.net.NetSettings;
import io.shmbus.broker.config.Durations;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmDirectory;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link Broker}. Defaults, then system properties, then the config file, then setters (CLI flags):
 * each later one wins. {@link #conclude()} (called by {@link Broker#launch}) validates them and fills in what is
 * derived. Not thread-safe: configure, then launch.
 */
public final class BrokerContext
{
    public static final String CLIENT_LIVENESS_TIMEOUT_PROP_NAME = "shmbus.broker.client.liveness.timeout";
    public static final long CLIENT_LIVENESS_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final String UNBLOCK_TIMEOUT_PROP_NAME = "shmbus.broker.unblock.timeout";
    public static final String SEGMENT_LENGTH_PROP_NAME = "shmbus.segment.length";
    /** Where default data directories go: {@code <home>/<name of the shared-memory directory>}. */
    public static final String DATA_HOME_PROP_NAME = "shmbus.data.home";
    /** Segments are mapped whole by readers, so they stay well below 2 GiB. */
    public static final long MAX_SEGMENT_LENGTH = 1L << 30;
    public static final long MIN_SEGMENT_LENGTH = 64 * 1024;
    public static final long UNBLOCK_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
    public static final String NET_PORT_PROP_NAME = "shmbus.broker.net.port";
    public static final String NET_BIND_PROP_NAME = "shmbus.broker.net.bind";
    public static final String NET_BIND_DEFAULT = "127.0.0.1";
    public static final String METRICS_PORT_PROP_NAME = "shmbus.broker.metrics.port";
    public static final String METRICS_BIND_PROP_NAME = "shmbus.broker.metrics.bind";
    public static final String NET_AUTH_TOKEN_PROP_NAME = "shmbus.broker.net.auth.token";
    public static final String NET_MAX_CONNECTIONS_PROP_NAME = "shmbus.broker.net.max.connections";
    public static final int NET_MAX_CONNECTIONS_DEFAULT = 1024;
    public static final String NET_HANDSHAKE_TIMEOUT_PROP_NAME = "shmbus.broker.net.handshake.timeout";
    public static final long NET_HANDSHAKE_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final String NET_HEARTBEAT_INTERVAL_PROP_NAME = "shmbus.broker.net.heartbeat.interval";
    public static final long NET_HEARTBEAT_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int NET_PORT_UNSET = Integer.MIN_VALUE;
    private static final int NET_PORT_DISABLED = -1;

    private Path dir;
    private Path dataDir;
    private long segmentLength;
    private boolean archiveByDefault;
    private boolean noDataDir;
    private Path configFile;
    private BrokerConfig config;
    private long clientLivenessTimeoutNs;
    private long unblockTimeoutNs;
    private String filePermissions = System.getProperty("shmbus.file.permissions", "rw-------");
    private Set<PosixFilePermission> filePermissionSet;
    private Set<PosixFilePermission> directoryPermissionSet;
    private IdleStrategy idleStrategy;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private PrintStream log = System.err;
    private ErrorHandler errorHandler;
    private int netPort = NET_PORT_UNSET;
    private int metricsPort = NET_PORT_UNSET;
    private String metricsBind;
    private String netBind;
    private String netAuthToken;
    private int netMaxConnections;
    private long netHandshakeTimeoutNs;
    private long netHeartbeatIntervalNs;

    public BrokerContext conclude()
    {
        config = null == configFile ? BrokerConfig.empty() : BrokerConfig.load(configFile);
        if (null == dir)
        {
            final String fromConfig = config.brokerSetting("dir");
            dir = null != fromConfig ? Paths.get(fromConfig) : ShmDirectory.defaultDirectory();
        }
        if (null == dataDir && null != config.brokerSetting("data.dir"))
        {
            dataDir = Paths.get(config.brokerSetting("data.dir"));
        }
        if (null == dataDir && null != System.getProperty("shmbus.data.dir"))
        {
            dataDir = Paths.get(System.getProperty("shmbus.data.dir"));
        }
        if (noDataDir)
        {
            dataDir = null;
        }
        else if (null == dataDir && archiveByDefault)
        {
            dataDir = defaultDataDirectory(dir);
        }
        if (0 == segmentLength)
        {
            final String fromConfig = config.brokerSetting("segment.length");
            final String fromProperty = System.getProperty(SEGMENT_LENGTH_PROP_NAME);
            segmentLength = null != fromConfig ? io.shmbus.client.Sizes.parse("segment.length", fromConfig) :
                null != fromProperty ? io.shmbus.client.Sizes.parse(SEGMENT_LENGTH_PROP_NAME, fromProperty) :
                io.shmbus.client.log.SegmentDescriptor.DEFAULT_SEGMENT_LENGTH;
        }
        if (segmentLength < MIN_SEGMENT_LENGTH || segmentLength > MAX_SEGMENT_LENGTH ||
            Long.bitCount(segmentLength) != 1)
        {
            throw new ConfigurationException("segment length must be a power of two from 64k to 1g: " +
                segmentLength);
        }
        if (0 == clientLivenessTimeoutNs)
        {
            clientLivenessTimeoutNs = duration("client.liveness.timeout", CLIENT_LIVENESS_TIMEOUT_PROP_NAME,
                CLIENT_LIVENESS_TIMEOUT_DEFAULT_NS);
        }
        if (0 == unblockTimeoutNs)
        {
            unblockTimeoutNs = duration("unblock.timeout", UNBLOCK_TIMEOUT_PROP_NAME, UNBLOCK_TIMEOUT_DEFAULT_NS);
        }
        if (clientLivenessTimeoutNs < TimeUnit.MILLISECONDS.toNanos(100) ||
            unblockTimeoutNs < TimeUnit.MILLISECONDS.toNanos(100))
        {
            throw new ConfigurationException("broker timeouts must be at least 100ms");
        }
        concludeNet();
        concludeMetrics();
        filePermissionSet = ShmDirectory.parseFilePermissions(filePermissions);
        directoryPermissionSet = ShmDirectory.directoryPermissionsFor(filePermissions);
        if (null == errorHandler)
        {
            final PrintStream out = log;
            errorHandler = t -> out.println("shmbus broker: error: " + t);
        }
        return this;
    }

    private void concludeMetrics()
    {
        if (NET_PORT_UNSET == metricsPort)
        {
            final String text = setting("metrics.port", METRICS_PORT_PROP_NAME);
            metricsPort = null == text ? NET_PORT_DISABLED : (int)integer("metrics.port", text, 0, 65535);
        }
        if (metricsPort < NET_PORT_DISABLED || metricsPort > 65535)
        {
            throw new ConfigurationException("metrics port must be 0 to 65535: " + metricsPort);
        }
        if (null == metricsBind)
        {
            final String text = setting("metrics.bind", METRICS_BIND_PROP_NAME);
            metricsBind = null == text ? NET_BIND_DEFAULT : text;
        }
    }

    private void concludeNet()
    {
        if (NET_PORT_UNSET == netPort)
        {
            final String text = setting("net.port", NET_PORT_PROP_NAME);
            netPort = null == text ? NET_PORT_DISABLED : (int)integer("net.port", text, 0, 65535);
        }
        if (netPort < NET_PORT_DISABLED || netPort > 65535)
        {
            throw new ConfigurationException("net port must be 0 to 65535: " + netPort);
        }
        if (null == netBind)
        {
            final String text = setting("net.bind", NET_BIND_PROP_NAME);
            netBind = null == text ? NET_BIND_DEFAULT : text;
        }
        if (null == netAuthToken)
        {
            netAuthToken = setting("net.auth.token", NET_AUTH_TOKEN_PROP_NAME);
        }
        if (null != netAuthToken &&
            netAuthToken.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024)
        {
            throw new ConfigurationException("net.auth.token is longer than 1024 bytes");
        }
        if (0 == netMaxConnections)
        {
            final String text = setting("net.max.connections", NET_MAX_CONNECTIONS_PROP_NAME);
            netMaxConnections = null == text ? NET_MAX_CONNECTIONS_DEFAULT :
                (int)integer("net.max.connections", text, 1, 1_000_000);
        }
        if (0 == netHandshakeTimeoutNs)
        {
            netHandshakeTimeoutNs = duration("net.handshake.timeout", NET_HANDSHAKE_TIMEOUT_PROP_NAME,
                NET_HANDSHAKE_TIMEOUT_DEFAULT_NS);
        }
        if (0 == netHeartbeatIntervalNs)
        {
            netHeartbeatIntervalNs = duration("net.heartbeat.interval", NET_HEARTBEAT_INTERVAL_PROP_NAME,
                NET_HEARTBEAT_INTERVAL_DEFAULT_NS);
        }
        if (netMaxConnections < 1 || netHandshakeTimeoutNs < TimeUnit.MILLISECONDS.toNanos(10) ||
            netHeartbeatIntervalNs < TimeUnit.MILLISECONDS.toNanos(10))
        {
            throw new ConfigurationException("net.max.connections must be at least 1, net.handshake.timeout " +
                "and net.heartbeat.interval at least 10ms");
        }
        if (netPort >= 0 && null == dataDir)
        {
            throw new ConfigurationException("network subscribers (net port " + netPort + ") read the " +
                "archive: a data directory (--data-dir) is needed");
        }
    }

    private String setting(final String key, final String property)
    {
        final String fromConfig = config.brokerSetting(key);
        return null != fromConfig ? fromConfig : System.getProperty(property);
    }

    private static long integer(final String what, final String text, final long min, final long max)
    {
        try
        {
            final long value = Long.parseLong(text.trim());
            if (value >= min && value <= max)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new ConfigurationException(what + " must be a number from " + min + " to " + max + ": '" +
            text + "'");
    }

    /** The network server's settings, once concluded. */
    public NetSettings netSettings()
    {
        return new NetSettings(netBind, netPort, netAuthToken, netMaxConnections, netHandshakeTimeoutNs,
            netHeartbeatIntervalNs);
    }

    /**
     * The TCP port to serve network subscribers on (docs/protocol.md); 0 picks a free one, which
     * {@link Broker#netPort()} then tells. Not set: no network server. Needs a data directory.
     */
    public BrokerContext netPort(final int netPort)
    {
        this.netPort = netPort;
        return this;
    }

    public int netPort()
    {
        return netPort;
    }

    /**
     * The HTTP port of the metrics endpoint ({@code GET /metrics}, Prometheus text format); 0 picks a free one,
     * which {@link Broker#metricsPort()} then tells. Not set: no metrics server.
     */
    public BrokerContext metricsPort(final int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    /** The metrics port asked for, -1 when none (after {@link #conclude()}). */
    public int metricsPort()
    {
        return NET_PORT_UNSET == metricsPort ? NET_PORT_DISABLED : metricsPort;
    }

    /** The address the metrics server binds to: loopback (127.0.0.1) unless told otherwise. */
    public BrokerContext metricsBind(final String metricsBind)
    {
        this.metricsBind = metricsBind;
        return this;
    }

    public String metricsBind()
    {
        return metricsBind;
    }

    /** The address the network server binds to: loopback (127.0.0.1) unless told otherwise. */
    public BrokerContext netBind(final String netBind)
    {
        this.netBind = netBind;
        return this;
    }

    public String netBind()
    {
        return netBind;
    }

    /** A token subscribers must present (compared in constant time); none by default. */
    public BrokerContext netAuthToken(final String netAuthToken)
    {
        this.netAuthToken = netAuthToken;
        return this;
    }

    public BrokerContext netMaxConnections(final int netMaxConnections)
    {
        this.netMaxConnections = netMaxConnections;
        return this;
    }

    public int netMaxConnections()
    {
        return netMaxConnections;
    }

    /** How long a new connection has to send its whole request (slow senders hold a connection that long). */
    public BrokerContext netHandshakeTimeoutNs(final long netHandshakeTimeoutNs)
    {
        this.netHandshakeTimeoutNs = netHandshakeTimeoutNs;
        return this;
    }

    public long netHandshakeTimeoutNs()
    {
        return netHandshakeTimeoutNs;
    }

    /** A subscriber that was sent nothing for this long gets a HEARTBEAT frame. */
    public BrokerContext netHeartbeatIntervalNs(final long netHeartbeatIntervalNs)
    {
        this.netHeartbeatIntervalNs = netHeartbeatIntervalNs;
        return this;
    }

    public long netHeartbeatIntervalNs()
    {
        return netHeartbeatIntervalNs;
    }

    private long duration(final String key, final String property, final long defaultNs)
    {
        final String fromConfig = config.brokerSetting(key);
        if (null != fromConfig)
        {
            return Durations.parseNs(key, fromConfig);
        }
        final String fromProperty = System.getProperty(property);
        return null != fromProperty ? Durations.parseNs(property, fromProperty) : defaultNs;
    }

    public BrokerContext dir(final Path dir)
    {
        this.dir = dir;
        return this;
    }

    public Path dir()
    {
        return dir;
    }

    /** Where persistent topics are archived; none (nothing persisted) when not set. */
    public BrokerContext dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * When no data directory is given (here, in the config file or by {@code shmbus.data.dir}), archive into
     * {@link #defaultDataDirectory(Path)} rather than not at all. {@code shmbus broker} sets this: the daemon
     * persists by default, an embedded broker only when asked.
     */
    public BrokerContext archiveByDefault(final boolean archiveByDefault)
    {
        this.archiveByDefault = archiveByDefault;
        return this;
    }

    /** Persist nothing, whatever the config file says ({@code shmbus broker --no-data-dir}). */
    public BrokerContext noDataDir(final boolean noDataDir)
    {
        this.noDataDir = noDataDir;
        return this;
    }

    /**
     * The data directory of a broker that was given none: {@code shmbus.data.home}, else
     * {@code $XDG_DATA_HOME/shmbus}, else {@code ~/.local/share/shmbus}; then the name of the shared-memory
     * directory, so brokers of different directories never share an archive.
     */
    public static Path defaultDataDirectory(final Path dir)
    {
        String home = System.getProperty(DATA_HOME_PROP_NAME);
        if (null == home || home.isEmpty())
        {
            final String xdg = System.getenv("XDG_DATA_HOME");
            home = null != xdg && !xdg.isEmpty() ? Paths.get(xdg, "shmbus").toString() :
                Paths.get(System.getProperty("user.home"), ".local", "share", "shmbus").toString();
        }
        return Paths.get(home).resolve(dir.toAbsolutePath().normalize().getFileName().toString());
    }

    /**
     * Length of each segment file (a power of two from 64 KiB to 1 GiB, raised to the ring capacity when
     * smaller; config key {@code segment.length}, system property {@value #SEGMENT_LENGTH_PROP_NAME}). 128 MiB
     * by default: few files and long sendfile ranges, while retention can still drop old data in small units.
     */
    public BrokerContext segmentLength(final long segmentLength)
    {
        this.segmentLength = segmentLength;
        return this;
    }

    public long segmentLength()
    {
        return segmentLength;
    }

    public BrokerContext configFile(final Path configFile)
    {
        this.configFile = configFile;
        return this;
    }

    public BrokerConfig config()
    {
        return config;
    }

    /**
     * How long a client may stay silent before the broker frees its consumers and producers. A client whose
     * process exits is noticed within a second regardless. Too short mistakes a long GC pause or a SIGSTOP
     * for death; too long holds producers behind a dead consumer for that long.
     */
    public BrokerContext clientLivenessTimeoutNs(final long clientLivenessTimeoutNs)
    {
        this.clientLivenessTimeoutNs = clientLivenessTimeoutNs;
        return this;
    }

    public long clientLivenessTimeoutNs()
    {
        return clientLivenessTimeoutNs;
    }

    /**
     * How long a claimed but uncommitted frame may hold readers before it becomes padding. Too short can pad
     * the message of a producer that is only paused (descheduled, GC); too long stalls every consumer that long.
     */
    public BrokerContext unblockTimeoutNs(final long unblockTimeoutNs)
    {
        this.unblockTimeoutNs = unblockTimeoutNs;
        return this;
    }

    public long unblockTimeoutNs()
    {
        return unblockTimeoutNs;
    }

    public BrokerContext filePermissions(final String filePermissions)
    {
        this.filePermissions = filePermissions;
        return this;
    }

    public Set<PosixFilePermission> filePermissions()
    {
        return filePermissionSet;
    }

    public Set<PosixFilePermission> directoryPermissions()
    {
        return directoryPermissionSet;
    }

    /**
     * The conductor's idle strategy; by default (null) the broker's own, which backs off to parking 1 ms while the
     * broker is busy and parks longer once it has been quiet for a second ({@code BrokerIdleStrategy}).
     */
    public BrokerContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /** The idle strategy given, or null for the broker's own. */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    public BrokerContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public BrokerContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    /** Where the broker writes its log lines (default stderr). */
    public BrokerContext log(final PrintStream log)
    {
        this.log = log;
        return this;
    }

    public PrintStream log()
    {
        return log;
    }

    /** Receives unexpected errors; the broker counts them and keeps running. */
    public BrokerContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }
}
