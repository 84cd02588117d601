package io.shmbus.broker.config;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.cnc.CncDescriptor;
import io.shmbus.client.log.SegmentDescriptor;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The table of the broker's settings: one {@link Setting} each, in the order docs/configuration.md lists them.
 * {@code BrokerContext} concludes its values from it, {@code shmbus broker} takes its flags from it, the config
 * file checks its top section against it. Immutable.
 */
public final class BrokerSettings
{
    public static final long MIN_SEGMENT_LENGTH = 64 * 1024;
    /** Segments are mapped whole by readers, so they stay well below 2 GiB. */
    public static final long MAX_SEGMENT_LENGTH = SegmentDescriptor.MAX_SEGMENT_LENGTH;
    public static final int MAX_AUTH_TOKEN_BYTES = 1024;

    private static final long MIN_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_NET_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    public static final Setting<Path> DIR = Setting.of("dir", ValueType.path(),
        "shared-memory directory: the broker's CnC file and the topic logs")
        .flag("--dir").property(ShmDirectory.DIR_PROP_NAME)
        .defaultValue(ShmDirectory::defaultDirectory,
            "`/dev/shm/shmbus-<user>` (the temp directory where `/dev/shm` does not exist)");

    public static final Setting<Path> DATA_DIR = Setting.of("data.dir", ValueType.path(),
        "where persistent topics are archived as segment files")
        .flag("--data-dir").property("shmbus.data.dir")
        .noDefault("the daemon: `<data home>/<name of the shared-memory directory>`; an embedded `Broker`: none");

    public static final Setting<Path> DATA_HOME = Setting.of(null, ValueType.path(),
        "where the daemon's default data directories go")
        .property("shmbus.data.home")
        .defaultValue(BrokerSettings::defaultDataHome, "`$XDG_DATA_HOME/shmbus`, else `~/.local/share/shmbus`");

    public static final Setting<Long> SEGMENT_LENGTH = Setting.of("segment.length",
        ValueType.powerOfTwoSize(MIN_SEGMENT_LENGTH, MAX_SEGMENT_LENGTH),
        "length of each segment file (raised to the ring capacity when smaller)")
        .flag("--segment-length").property("shmbus.segment.length")
        .defaultValue(SegmentDescriptor.DEFAULT_SEGMENT_LENGTH);

    public static final Setting<Long> CLIENT_LIVENESS_TIMEOUT = Setting.of("client.liveness.timeout",
        ValueType.duration(MIN_TIMEOUT_NS), "a client silent this long is declared dead")
        .flag("--client-timeout").property("shmbus.broker.client.liveness.timeout")
        .defaultValue(TimeUnit.SECONDS.toNanos(5));

    public static final Setting<Long> UNBLOCK_TIMEOUT = Setting.of("unblock.timeout",
        ValueType.duration(MIN_TIMEOUT_NS), "a claim left uncommitted this long becomes padding")
        .flag("--unblock-timeout").property("shmbus.broker.unblock.timeout")
        .defaultValue(TimeUnit.SECONDS.toNanos(10));

    public static final Setting<String> FILE_PERMISSIONS = Setting.of(null, ValueType.of(SettingType.STRING,
        "nine of r, w, x, - as `ls -l` shows them", "PERMS", BrokerSettings::parsePermissions, v -> true, v -> v),
        "permissions of the shared-memory files (their directory gets x where a file has r)")
        .property("shmbus.file.permissions")
        .defaultValue("rw-------");

    public static final Setting<Integer> NET_PORT = Setting.of("net.port", ValueType.port(),
        "TCP port serving network subscribers (0: any free port); needs a data directory")
        .flag("--net-port").property("shmbus.broker.net.port")
        .noDefault("none: no network server");

    public static final Setting<String> NET_BIND = Setting.of("net.bind", ValueType.address(),
        "address the network server listens on")
        .flag("--bind").property("shmbus.broker.net.bind")
        .defaultValue("127.0.0.1");

    public static final Setting<String> NET_AUTH_TOKEN = Setting.of("net.auth.token",
        ValueType.secret(MAX_AUTH_TOKEN_BYTES), "token network subscribers must send (compared in constant time)")
        .property("shmbus.broker.net.auth.token")
        .noDefault("none");

    public static final Setting<Integer> NET_MAX_CONNECTIONS = Setting.of("net.max.connections",
        ValueType.integer(1, 1_000_000), "network connections at once; more are refused")
        .property("shmbus.broker.net.max.connections")
        .defaultValue(1024).unit("connections");

    public static final Setting<Long> NET_HANDSHAKE_TIMEOUT = Setting.of("net.handshake.timeout",
        ValueType.duration(MIN_NET_INTERVAL_NS), "a new connection must send its whole request within this")
        .property("shmbus.broker.net.handshake.timeout")
        .defaultValue(TimeUnit.SECONDS.toNanos(5));

    public static final Setting<Long> NET_HEARTBEAT_INTERVAL = Setting.of("net.heartbeat.interval",
        ValueType.duration(MIN_NET_INTERVAL_NS), "a subscriber sent nothing for this long gets a HEARTBEAT")
        .property("shmbus.broker.net.heartbeat.interval")
        .defaultValue(TimeUnit.SECONDS.toNanos(1));

    public static final Setting<Integer> METRICS_PORT = Setting.of("metrics.port", ValueType.port(),
        "HTTP port serving Prometheus metrics at /metrics (0: any free port)")
        .flag("--metrics-port").property("shmbus.broker.metrics.port")
        .noDefault("none: no metrics server");

    public static final Setting<String> METRICS_BIND = Setting.of("metrics.bind", ValueType.address(),
        "address the metrics server listens on")
        .flag("--metrics-bind").property("shmbus.broker.metrics.bind")
        .defaultValue("127.0.0.1");

    public static final Setting<LogFormat> LOG_FORMAT = Setting.of("log.format", ValueType.choice(LogFormat.class),
        "log lines as text for people, or one JSON object a line for log shippers")
        .flag("--log-format").property("shmbus.broker.log.format")
        .defaultValue(LogFormat.TEXT);

    public static final Setting<Long> ERROR_LOG_LENGTH = Setting.of("error.log.length",
        ValueType.alignedSize(CncDescriptor.ERROR_LOG_MIN_LENGTH, CncDescriptor.ERROR_LOG_MAX_LENGTH, 64),
        "room for the distinct-error log in the CnC file ('shmbus errors' prints it)")
        .flag("--error-log-length").property("shmbus.broker.error.log.length")
        .defaultValue((long)CncDescriptor.ERROR_LOG_DEFAULT_LENGTH);

    public static final Setting<Path> AERON_DIR = Setting.of("aeron.dir", ValueType.path(),
        "directory of an external Aeron media driver that mirrors use")
        .flag("--aeron-dir").property("shmbus.broker.aeron.dir")
        .noDefault("none: a broker that mirrors a topic embeds a media driver in `<dir>/aeron`");

    /** Every broker setting, in the order of the docs. */
    public static final List<Setting<?>> ALL = List.of(DIR, DATA_DIR, DATA_HOME, SEGMENT_LENGTH,
        CLIENT_LIVENESS_TIMEOUT, UNBLOCK_TIMEOUT, FILE_PERMISSIONS, NET_PORT, NET_BIND, NET_AUTH_TOKEN,
        NET_MAX_CONNECTIONS, NET_HANDSHAKE_TIMEOUT, NET_HEARTBEAT_INTERVAL, METRICS_PORT, METRICS_BIND, LOG_FORMAT,
        ERROR_LOG_LENGTH, AERON_DIR);

    private BrokerSettings()
    {
    }

    /** The broker setting with this config key, or null. */
    public static Setting<?> byKey(final String key)
    {
        return DidYouMean.byKey(ALL, key);
    }

    private static Path defaultDataHome()
    {
        final String xdg = System.getenv("XDG_DATA_HOME");
        return null != xdg && !xdg.isEmpty() ? Paths.get(xdg, "shmbus") :
            Paths.get(System.getProperty("user.home"), ".local", "share", "shmbus");
    }

    private static String parsePermissions(final String what, final String text)
    {
        try
        {
            ShmDirectory.parseFilePermissions(text.trim());
            return text.trim();
        }
        catch (final io.shmbus.client.ConfigurationException ex)
        {
            throw new io.shmbus.client.ConfigurationException(what + " must look like rw-------: '" + text + "'");
        }
    }
}
