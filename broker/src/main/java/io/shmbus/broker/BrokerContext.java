package io.shmbus.broker;

import io.shmbus.broker.config.AeronChannels;
import io.shmbus.broker.config.BrokerConfig;
import io.shmbus.broker.config.BrokerSettings;
import io.shmbus.broker.config.LogFormat;
import io.shmbus.broker.config.Setting;
import io.shmbus.broker.config.SettingValues;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.net.NetSettings;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.TopicNames;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Settings of a {@link Broker}. Defaults, then system properties, then the config file, then values given by
 * {@link #settings(SettingValues)} (the command line's flags), then setters: each later one wins. The keys,
 * properties, flags, defaults and ranges are those of {@link BrokerSettings}; {@link #conclude()} (called by
 * {@link Broker#launch}) takes each value not set from there, checks the ones set, and fills in what is derived.
 * Not thread-safe: configure, then launch.
 */
public final class BrokerContext
{
    public static final long MAX_SEGMENT_LENGTH = BrokerSettings.MAX_SEGMENT_LENGTH;
    public static final long MIN_SEGMENT_LENGTH = BrokerSettings.MIN_SEGMENT_LENGTH;
    private static final int PORT_UNSET = Integer.MIN_VALUE;
    private static final int PORT_NONE = -1;

    private Path dir;
    private Path dataDir;
    private long segmentLength;
    private boolean archiveByDefault;
    private boolean noDataDir;
    private Path configFile;
    private BrokerConfig config;
    private SettingValues settings = new SettingValues();
    private long clientLivenessTimeoutNs;
    private long unblockTimeoutNs;
    private String filePermissions;
    private Set<PosixFilePermission> filePermissionSet;
    private Set<PosixFilePermission> directoryPermissionSet;
    private IdleStrategy idleStrategy;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private PrintStream log = System.err;
    private ErrorHandler errorHandler;
    private int netPort = PORT_UNSET;
    private String netBind;
    private String netAuthToken;
    private int netMaxConnections;
    private long netHandshakeTimeoutNs;
    private long netHeartbeatIntervalNs;
    private int metricsPort = PORT_UNSET;
    private String metricsBind;
    private LogFormat logFormat;
    private long errorLogLength;
    private Path aeronDir;
    private final Map<String, String> mirrorOut = new LinkedHashMap<>();

    /**
     * Reads the config file and completes every setting.
     *
     * @throws ConfigurationException for a mistake in the config file (each as {@code file:line: reason}), a value
     *                                out of its range, or settings that do not go together.
     */
    public BrokerContext conclude()
    {
        config = (null == configFile ? BrokerConfig.empty() : BrokerConfig.load(configFile)).withMirrorOut(mirrorOut);
        dir = resolve(BrokerSettings.DIR, dir);
        if (noDataDir)
        {
            dataDir = null;
        }
        else
        {
            dataDir = resolve(BrokerSettings.DATA_DIR, dataDir);
            if (null == dataDir && archiveByDefault)
            {
                dataDir = defaultDataDirectory(dir);
            }
        }
        segmentLength = resolve(BrokerSettings.SEGMENT_LENGTH, 0 == segmentLength ? null : segmentLength);
        clientLivenessTimeoutNs = resolve(BrokerSettings.CLIENT_LIVENESS_TIMEOUT,
            0 == clientLivenessTimeoutNs ? null : clientLivenessTimeoutNs);
        unblockTimeoutNs = resolve(BrokerSettings.UNBLOCK_TIMEOUT, 0 == unblockTimeoutNs ? null : unblockTimeoutNs);
        filePermissions = resolve(BrokerSettings.FILE_PERMISSIONS, filePermissions);
        filePermissionSet = ShmDirectory.parseFilePermissions(filePermissions);
        directoryPermissionSet = ShmDirectory.directoryPermissionsFor(filePermissions);
        concludeNet();
        metricsPort = resolvePort(BrokerSettings.METRICS_PORT, metricsPort);
        metricsBind = resolve(BrokerSettings.METRICS_BIND, metricsBind);
        logFormat = resolve(BrokerSettings.LOG_FORMAT, logFormat);
        errorLogLength = resolve(BrokerSettings.ERROR_LOG_LENGTH, 0 == errorLogLength ? null : errorLogLength);
        aeronDir = resolve(BrokerSettings.AERON_DIR, aeronDir);
        concludeMirrorOut();
        return this;
    }

    /**
     * A mirrored-out topic is sent from its segment files: it must be persistent, on a broker with a data directory.
     * Two topics on one channel and stream id would mix their frames.
     */
    private void concludeMirrorOut()
    {
        final Map<String, String> streams = new HashMap<>();
        for (final Map.Entry<String, TopicConfig> entry : config.mirroredOutTopics().entrySet())
        {
            final String topic = entry.getKey();
            final TopicConfig topicConfig = entry.getValue();
            final String how = mirrorOut.containsKey(topic) ? "--mirror-out" : "mirror.channel";
            if (null == dataDir)
            {
                throw new ConfigurationException("topic '" + topic + "' is mirrored out (" + how + ") but the " +
                    "broker has no data directory: a mirror is sent from the topic's segment files; give --data-dir");
            }
            if (!topicConfig.persistent())
            {
                throw new ConfigurationException("topic '" + topic + "' is mirrored out (" + how + ") but its " +
                    "config says 'persistent = false': a mirror is sent from the topic's segment files");
            }
            final int streamId = topicConfig.mirrorStreamId(topic);
            final String other = streams.putIfAbsent(AeronChannels.streamKey(topicConfig.mirrorChannel(), streamId),
                topic);
            if (null != other)
            {
                throw new ConfigurationException("topics '" + other + "' and '" + topic + "' are mirrored out on " +
                    "the same channel and stream id " + streamId + ": their frames would mix; give one another " +
                    "mirror.stream.id");
            }
        }
    }

    /**
     * Mirrors {@code topic} out to other brokers on an Aeron UDP channel, as its {@code mirror.channel} would (and
     * over it): {@code shmbus broker --mirror-out TOPIC=CHANNEL}. The topic must be persistent.
     *
     * @throws ConfigurationException for a bad topic name or channel.
     */
    public BrokerContext mirrorOut(final String topic, final String channel)
    {
        TopicNames.validate(topic);
        mirrorOut.put(topic, AeronChannels.checkUdp("the mirror channel of topic '" + topic + "'", channel));
        return this;
    }

    /**
     * The directory of an external Aeron media driver for the mirrors; none (null, the default): the broker embeds
     * one in {@code <dir>/aeron} when it mirrors anything.
     */
    public BrokerContext aeronDir(final Path aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public Path aeronDir()
    {
        return aeronDir;
    }

    private void concludeNet()
    {
        netPort = resolvePort(BrokerSettings.NET_PORT, netPort);
        netBind = resolve(BrokerSettings.NET_BIND, netBind);
        netAuthToken = resolve(BrokerSettings.NET_AUTH_TOKEN, netAuthToken);
        netMaxConnections = resolve(BrokerSettings.NET_MAX_CONNECTIONS,
            0 == netMaxConnections ? null : netMaxConnections);
        netHandshakeTimeoutNs = resolve(BrokerSettings.NET_HANDSHAKE_TIMEOUT,
            0 == netHandshakeTimeoutNs ? null : netHandshakeTimeoutNs);
        netHeartbeatIntervalNs = resolve(BrokerSettings.NET_HEARTBEAT_INTERVAL,
            0 == netHeartbeatIntervalNs ? null : netHeartbeatIntervalNs);
        if (netPort >= 0 && null == dataDir)
        {
            throw new ConfigurationException("network subscribers (net port " + netPort + ") read the " +
                "archive: a data directory (--data-dir) is needed");
        }
    }

    /** A value set here (checked), else given by {@link #settings}, else from the config file, property, default. */
    private <T> T resolve(final Setting<T> setting, final T set)
    {
        if (null != set)
        {
            return setting.check(set);
        }
        final T given = settings.get(setting);
        return null != given ? given : config.value(setting);
    }

    private int resolvePort(final Setting<Integer> setting, final int set)
    {
        if (PORT_NONE == set)
        {
            return PORT_NONE;
        }
        final Integer port = resolve(setting, PORT_UNSET == set ? null : set);
        return null == port ? PORT_NONE : port;
    }

    /**
     * Values of {@link BrokerSettings} given by setting, e.g. parsed from the command line: they win over the config
     * file and the system properties; a setter wins over them.
     */
    public BrokerContext settings(final SettingValues settings)
    {
        this.settings = settings;
        return this;
    }

    /** The network server's settings, once concluded. */
    public NetSettings netSettings()
    {
        return new NetSettings(netBind, netPort, netAuthToken, netMaxConnections, netHandshakeTimeoutNs,
            netHeartbeatIntervalNs);
    }

    /**
     * The TCP port to serve network subscribers on (docs/protocol.md); 0 picks a free one, which
     * {@link Broker#netPort()} then tells; -1: none. Not set: the config file's, else none. Needs a data directory.
     */
    public BrokerContext netPort(final int netPort)
    {
        this.netPort = netPort;
        return this;
    }

    /** The network port asked for, -1 when none (not concluded yet: when none was set). */
    public int netPort()
    {
        return PORT_UNSET == netPort ? PORT_NONE : netPort;
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

    /**
     * The HTTP port serving Prometheus metrics at {@code /metrics}; 0 picks a free one; -1: none. Not set: the
     * config file's, else none.
     */
    public BrokerContext metricsPort(final int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    /** The metrics port asked for, -1 when none (not concluded yet: when none was set). */
    public int metricsPort()
    {
        return PORT_UNSET == metricsPort ? PORT_NONE : metricsPort;
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

    /** How log lines are written: text (the default) or one JSON object a line. */
    public BrokerContext logFormat(final LogFormat logFormat)
    {
        this.logFormat = logFormat;
        return this;
    }

    public LogFormat logFormat()
    {
        return logFormat;
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
        final Path fromProperty = BrokerSettings.DATA_HOME.fromSystemProperty();
        final Path home = null != fromProperty ? fromProperty : BrokerSettings.DATA_HOME.defaultValue();
        return home.resolve(dir.toAbsolutePath().normalize().getFileName().toString());
    }

    /**
     * Length of each segment file (a power of two from 64 KiB to 1 GiB, raised to the ring capacity when
     * smaller; config key {@code segment.length}). 128 MiB by default: few files and long sendfile ranges, while
     * retention can still drop old data in small units.
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

    /** Bytes of the CnC file's distinct-error log. */
    public BrokerContext errorLogLength(final long errorLogLength)
    {
        this.errorLogLength = errorLogLength;
        return this;
    }

    public long errorLogLength()
    {
        return errorLogLength;
    }

    /**
     * Also receives the unexpected errors the broker logs, counts and records in its error log (it keeps running);
     * none by default.
     */
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
