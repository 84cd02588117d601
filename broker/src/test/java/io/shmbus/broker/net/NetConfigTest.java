package io.shmbus.broker.net;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The network settings come from the config file (or flags and properties), are checked with clear errors, and
 * the server starts and stops with the broker.
 */
@Timeout(60)
class NetConfigTest
{
    private Path root;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-net-config-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BrokerContext context(final String config) throws IOException
    {
        final Path file = root.resolve("broker.conf");
        Files.writeString(file, config);
        return new BrokerContext().dir(root.resolve("shm")).dataDir(root.resolve("data")).configFile(file)
            .log(new PrintStream(new ByteArrayOutputStream(), true));
    }

    @Test
    void settingsFromTheConfigFile() throws Exception
    {
        final BrokerContext ctx = context("net.port = 0\nnet.bind = 127.0.0.1\nnet.auth.token = abc\n" +
            "net.max.connections = 7\nnet.handshake.timeout = 2s\nnet.heartbeat.interval = 250ms\n" +
            "[topic.defaults]\ncapacity = 64k\n");
        try (Broker broker = Broker.launch(ctx))
        {
            assertTrue(broker.netPort() > 0, "an ephemeral port was bound: " + broker.netPort());
            final NetSettings settings = ctx.netSettings();
            assertEquals("127.0.0.1", settings.bindAddress());
            assertEquals("abc", settings.authToken());
            assertEquals(7, settings.maxConnections());
            assertEquals(TimeUnit.SECONDS.toNanos(2), settings.handshakeTimeoutNs());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(250), settings.heartbeatIntervalNs());
            try (io.shmbus.client.ShmBus bus = io.shmbus.client.ShmBus.connect(
                new io.shmbus.client.ShmBus.Context().dir(root.resolve("shm"))))
            {
                final Producer producer = bus.addProducer("t");
                try (RawSubscriber subscriber = new RawSubscriber(broker.netPort(), 10_000))
                {
                    final RawSubscriber.Response response = subscriber.subscribe(RawSubscriber.KIND_LATEST, 0, -1,
                        "t", "abc");
                    assertTrue(response.isOk(), response.toString());
                    assertEquals(3, subscriber.readFrame().type(), "a heartbeat on an idle topic");
                }
                producer.close();
            }
        }
    }

    @Test
    void defaultsAndDisabledWithoutAPort() throws Exception
    {
        final BrokerContext ctx = context("");
        try (Broker broker = Broker.launch(ctx))
        {
            assertEquals(-1, broker.netPort(), "no network server unless a port is set");
            assertEquals(1024, ctx.netMaxConnections());
            assertEquals(TimeUnit.SECONDS.toNanos(5), ctx.netHandshakeTimeoutNs());
            assertEquals(TimeUnit.SECONDS.toNanos(1), ctx.netHeartbeatIntervalNs());
            assertEquals("127.0.0.1", ctx.netBind());
        }
    }

    @Test
    void badSettingsAreClearErrors() throws Exception
    {
        final ConfigurationException badNumber = assertThrows(ConfigurationException.class,
            () -> Broker.launch(context("net.port = seven\n")));
        assertTrue(badNumber.getMessage().contains("broker.conf:1") && badNumber.getMessage().contains("net.port"),
            badNumber.getMessage());
        final ConfigurationException badDuration = assertThrows(ConfigurationException.class,
            () -> Broker.launch(context("net.handshake.timeout = soon\n")));
        assertTrue(badDuration.getMessage().contains("net.handshake.timeout"), badDuration.getMessage());
        final ConfigurationException noDataDir = assertThrows(ConfigurationException.class,
            () -> Broker.launch(context("").dataDir(null).netPort(0)));
        assertTrue(noDataDir.getMessage().contains("data directory"), noDataDir.getMessage());
        final ConfigurationException tooHigh = assertThrows(ConfigurationException.class,
            () -> Broker.launch(context("net.port = 70000\n")));
        assertTrue(tooHigh.getMessage().contains("65535"), tooHigh.getMessage());
    }

    @Test
    void aPortInUseStopsTheStartWithTheReason() throws Exception
    {
        try (Broker first = Broker.launch(context("").netPort(0)))
        {
            final BrokerContext second = new BrokerContext().dir(root.resolve("shm2"))
                .dataDir(root.resolve("data2")).netPort(first.netPort())
                .log(new PrintStream(new ByteArrayOutputStream(), true));
            final ShmbusException ex = assertThrows(ShmbusException.class, () -> Broker.launch(second));
            assertTrue(ex.getMessage().contains("cannot listen") && ex.getMessage().contains(
                String.valueOf(first.netPort())), ex.getMessage());
            // the failed start left its directory free for a broker that can start
            try (Broker third = Broker.launch(second.netPort(0)))
            {
                assertTrue(third.netPort() > 0);
            }
        }
    }
}
