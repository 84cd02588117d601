package io.shmbus.broker;

import io.shmbus.broker.config.BrokerSettings;
import io.shmbus.broker.config.LogFormat;
import io.shmbus.broker.config.SettingValues;
import io.shmbus.client.ConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link BrokerContext#conclude()} takes each setting from the table: the default, else the system property, else
 * the config file, else the values given by setting (the flags), else the setter; and checks each against its range.
 */
@Timeout(30)
class BrokerContextSettingsTest
{
    private static final String METRICS_PORT_PROPERTY = "shmbus.broker.metrics.port";
    private static final String LOG_FORMAT_PROPERTY = "shmbus.broker.log.format";
    private static final String DATA_HOME_PROPERTY = "shmbus.data.home";

    private Path root;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "config-context-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        System.clearProperty(METRICS_PORT_PROPERTY);
        System.clearProperty(LOG_FORMAT_PROPERTY);
        System.clearProperty(DATA_HOME_PROPERTY);
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BrokerContext context(final String config) throws IOException
    {
        final Path file = root.resolve("broker.conf");
        Files.writeString(file, config);
        return new BrokerContext().dir(root.resolve("shm")).configFile(file);
    }

    @Test
    void defaults()
    {
        final BrokerContext ctx = new BrokerContext().dir(root.resolve("shm"));
        assertEquals(-1, ctx.metricsPort(), "none before conclude too");
        ctx.conclude();
        assertEquals(-1, ctx.metricsPort());
        assertEquals("127.0.0.1", ctx.metricsBind());
        assertEquals(LogFormat.TEXT, ctx.logFormat());
        assertEquals(-1, ctx.netPort());
        assertEquals("127.0.0.1", ctx.netBind());
        assertEquals(128L << 20, ctx.segmentLength());
        assertEquals(TimeUnit.SECONDS.toNanos(5), ctx.clientLivenessTimeoutNs());
        assertEquals(TimeUnit.SECONDS.toNanos(10), ctx.unblockTimeoutNs());
        assertNull(ctx.dataDir(), "an embedded broker persists nothing unless told");
    }

    @Test
    void theNewSettingsFromTheConfigFile() throws IOException
    {
        final BrokerContext ctx = context("metrics.port = 0\nmetrics.bind = 0.0.0.0\nlog.format = json\n").conclude();
        assertEquals(0, ctx.metricsPort());
        assertEquals("0.0.0.0", ctx.metricsBind());
        assertEquals(LogFormat.JSON, ctx.logFormat());
    }

    @Test
    void eachSourceWinsOverTheOneBefore() throws IOException
    {
        System.setProperty(METRICS_PORT_PROPERTY, "1111");
        System.setProperty(LOG_FORMAT_PROPERTY, "json");
        assertEquals(1111, context("").conclude().metricsPort(), "the property over the default");
        assertEquals(LogFormat.JSON, context("").conclude().logFormat());
        assertEquals(2222, context("metrics.port = 2222\n").conclude().metricsPort(), "the file over the property");
        assertEquals(LogFormat.TEXT, context("log.format = text\n").conclude().logFormat());
        final SettingValues flags = new SettingValues().parse(BrokerSettings.METRICS_PORT, "--metrics-port", "3333");
        assertEquals(3333, context("metrics.port = 2222\n").settings(flags).conclude().metricsPort(),
            "the flags over the file");
        assertEquals(4444, context("metrics.port = 2222\n").settings(flags).metricsPort(4444).conclude()
            .metricsPort(), "a setter over the flags");
        assertEquals(-1, context("metrics.port = 2222\n").metricsPort(-1).conclude().metricsPort(),
            "-1 from a setter: no metrics server, whatever the file says");
    }

    @Test
    void valuesSetInCodeAreCheckedAgainstTheirRange() throws IOException
    {
        final ConfigurationException port = assertThrows(ConfigurationException.class,
            () -> context("").metricsPort(70000).conclude());
        assertEquals("metrics.port must be 0 to 65535: 70000", port.getMessage());
        final ConfigurationException bind = assertThrows(ConfigurationException.class,
            () -> context("").metricsBind("no such host").conclude());
        assertTrue(bind.getMessage().contains("metrics.bind must be an IP address or a host name"), bind.getMessage());
        final ConfigurationException timeout = assertThrows(ConfigurationException.class,
            () -> context("").unblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(10)).conclude());
        assertTrue(timeout.getMessage().contains("unblock.timeout must be at least 100ms"), timeout.getMessage());
        final ConfigurationException length = assertThrows(ConfigurationException.class,
            () -> context("").segmentLength(3 << 20).conclude());
        assertTrue(length.getMessage().contains("segment.length must be a power of two from 64k to 1g"),
            length.getMessage());
        final ConfigurationException token = assertThrows(ConfigurationException.class,
            () -> context("").netAuthToken("x".repeat(1025)).conclude());
        assertTrue(token.getMessage().contains("net.auth.token must be at most 1024 bytes"), token.getMessage());
    }

    @Test
    void aBadSystemPropertyIsNamedInTheError() throws IOException
    {
        System.setProperty(LOG_FORMAT_PROPERTY, "xml");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> context("").conclude());
        assertEquals("shmbus.broker.log.format must be text or json: 'xml'", ex.getMessage());
    }

    @Test
    void everyMistakeOfTheConfigFileStopsTheStart() throws IOException
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Broker.launch(context("metrics.port = http\n[topic t]\ncapasity = 1m\n")));
        final String file = root.resolve("broker.conf").toString();
        assertEquals(file + ":1: metrics.port needs a whole number, 0 to 65535: 'http'" + System.lineSeparator() +
            file + ":3: unknown topic setting 'capasity' (did you mean 'capacity'?)", ex.getMessage());
        assertFalse(Files.exists(root.resolve("shm")), "nothing was created");
    }

    @Test
    void theDaemonsDataDirectoryIsUnderTheDataHome()
    {
        System.setProperty(DATA_HOME_PROPERTY, root.resolve("home").toString());
        final BrokerContext ctx = new BrokerContext().dir(root.resolve("shm-x")).archiveByDefault(true).conclude();
        assertEquals(root.resolve("home").resolve("shm-x"), ctx.dataDir());
        assertNull(new BrokerContext().dir(root.resolve("shm-x")).archiveByDefault(true).noDataDir(true).conclude()
            .dataDir());
    }
}
