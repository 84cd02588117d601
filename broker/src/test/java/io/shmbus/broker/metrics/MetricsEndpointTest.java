package io.shmbus.broker.metrics;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.cli.CliRun;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.Consumer;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.log.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's {@code /metrics} endpoint, fetched over HTTP and parsed as the Prometheus text format: every line
 * parses, every family has HELP and TYPE, names follow the conventions, and the values are the topic's and the
 * consumer's.
 */
@Timeout(60)
class MetricsEndpointTest
{
    private static final int PAYLOAD = 100;
    private static final int FRAME = FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + PAYLOAD);

    @Test
    void exposesTopicsConsumersBrokerAndJvmInTheTextFormat() throws Exception
    {
        final Path config = Files.createTempFile("metrics-", ".conf");
        try
        {
            Files.writeString(config, "[topic volatile]\npersistent = false\n");
            try (MetricsFixture fixture = new MetricsFixture(new BrokerContext().configFile(config)))
            {
                fixture.publish("orders", 10, PAYLOAD);
                fixture.publish("volatile", 7, PAYLOAD);
                try (Consumer consumer = fixture.consumerThatRead("orders", 10))
                {
                    fixture.publish("orders", 5, PAYLOAD);
                    // positions reach the counters at the broker's next housekeeping step
                    MetricsFixture.awaitTrue(() -> 5.0 * FRAME == MetricsText.parse(fixture.scrape())
                        .value("shmbus_consumer_lag_bytes", "topic", "orders", "kind", "local") &&
                        15 == MetricsText.parse(fixture.scrape())
                        .value("shmbus_topic_published_messages_total", "topic", "orders") &&
                        7 == MetricsText.parse(fixture.scrape())
                        .value("shmbus_topic_published_messages_total", "topic", "volatile"),
                        "the lag of the consumer and the messages published in the scraped metrics");

                    final String body = fixture.scrape();
                    final MetricsText metrics = MetricsText.parse(body);
                    checkConventions(metrics);

                    final double tail = metrics.value("shmbus_topic_tail_position_bytes", "topic", "orders");
                    assertEquals(15.0 * FRAME, tail, "a new topic starts at position 0: " + body);
                    assertEquals(15.0 * PAYLOAD, metrics.value("shmbus_topic_published_bytes_total", "topic",
                        "orders"), body);
                    assertEquals(7.0 * PAYLOAD, metrics.value("shmbus_topic_published_bytes_total", "topic",
                        "volatile"), body);
                    assertEquals(tail - 5.0 * FRAME, metrics.value("shmbus_consumer_position_bytes", "topic",
                        "orders", "kind", "local"), body);
                    assertEquals(tail - 5.0 * FRAME, metrics.value("shmbus_topic_slowest_consumer_position_bytes",
                        "topic", "orders"), body);
                    assertEquals(5.0 * FRAME, metrics.value("shmbus_topic_lag_bytes", "topic", "orders"), body);
                    assertEquals(0.0, metrics.value("shmbus_topic_lag_bytes", "topic", "volatile"), body);
                    MetricsFixture.awaitTrue(() -> tail == MetricsText.parse(fixture.scrape())
                        .value("shmbus_topic_archived_position_bytes", "topic", "orders"), "orders archived");
                    final MetricsText archived = MetricsText.parse(fixture.scrape());
                    assertEquals(1.0, archived.value("shmbus_topic_segments", "topic", "orders"), body);
                    assertEquals(15.0 * FRAME, archived.value("shmbus_topic_disk_bytes", "topic", "orders"), body);
                    assertEquals(0.0, archived.value("shmbus_topic_archive_errors_total", "topic", "orders"), body);
                    assertEquals(0.0, archived.value("shmbus_topic_retention_deleted_segments_total", "topic",
                        "orders"), body);
                    assertEquals(Double.NaN, archived.value("shmbus_topic_archived_position_bytes", "topic",
                        "volatile"), "a topic not persisted has no archive: " + body);
                    assertEquals(1, archived.samples("shmbus_consumer_position_bytes").size(),
                        "the archiver is not a consumer: " + body);
                    assertTrue(metrics.value("shmbus_clients") >= 1, body);
                    assertTrue(metrics.value("shmbus_commands_total") >= 3, body);
                    assertEquals(0.0, metrics.value("shmbus_errors_total"), body);
                    assertTrue(metrics.value("shmbus_uptime_seconds") >= 0, body);
                    assertFalse(metrics.samples("jvm_memory_used_bytes").isEmpty(), "JVM metrics: " + body);
                }
            }
        }
        finally
        {
            Files.deleteIfExists(config);
        }
    }

    /**
     * Every family has HELP and TYPE (in the text format 0.0.4 a counter's family is named with its _total); names are
     * Prometheus names in base units, only counters end in _total.
     */
    private static void checkConventions(final MetricsText metrics)
    {
        final Set<String> contract = Set.of("shmbus_topic_tail_position_bytes",
            "shmbus_topic_producer_limit_position_bytes", "shmbus_topic_archived_position_bytes",
            "shmbus_topic_slowest_consumer_position_bytes", "shmbus_topic_lag_bytes",
            "shmbus_topic_published_messages_total", "shmbus_topic_published_bytes_total",
            "shmbus_topic_claims_unblocked_total", "shmbus_topic_consumers_moved_to_archive_total",
            "shmbus_topic_archive_errors_total", "shmbus_topic_retention_deleted_segments_total",
            "shmbus_topic_segments", "shmbus_topic_disk_bytes", "shmbus_consumer_position_bytes",
            "shmbus_consumer_lag_bytes", "shmbus_clients", "shmbus_commands_total", "shmbus_errors_total",
            "shmbus_uptime_seconds");
        for (final String name : contract)
        {
            assertNotNull(metrics.family(name), "family " + name);
        }
        for (final MetricsText.Family family : metrics.families())
        {
            assertNotNull(family.help(), "HELP of " + family.name);
            assertNotNull(family.type(), "TYPE of " + family.name);
            assertTrue(family.name.matches("[a-z][a-z0-9_]*"), family.name);
            if (!family.name.startsWith("shmbus_"))
            {
                assertTrue(family.name.startsWith("jvm_") || family.name.startsWith("process_"), family.name);
                continue;
            }
            assertFalse(family.samples().isEmpty(), family.name);
            for (final MetricsText.Sample sample : family.samples())
            {
                assertEquals(family.name, sample.name);
                if ("counter".equals(family.type()))
                {
                    assertTrue(family.name.endsWith("_total"), "a counter's name ends in _total: " + family.name);
                }
                else
                {
                    assertEquals("gauge", family.type(), family.name);
                    assertFalse(family.name.endsWith("_total"), "only counters end in _total: " + family.name);
                }
                assertFalse(sample.name.contains("_ms") || sample.name.contains("kilobytes"), "base units");
                if (family.name.startsWith("shmbus_topic_"))
                {
                    assertNotNull(sample.labels.get("topic"), sample.name + " has a topic");
                }
                if (family.name.startsWith("shmbus_consumer_"))
                {
                    assertEquals(Set.of("topic", "consumer", "kind"), sample.labels.keySet(), sample.name);
                }
            }
        }
    }

    @Test
    void servesTheTextFormatWithItsContentTypeOnLoopback() throws Exception
    {
        try (MetricsFixture fixture = new MetricsFixture())
        {
            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fixture.broker.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
            assertTrue(fixture.log().contains("serving metrics at http://127.0.0.1:" + fixture.broker.metricsPort() +
                "/metrics"), fixture.log());
            assertEquals("127.0.0.1", fixture.broker.context().metricsBind());
        }
    }

    @Test
    void aBrokerWithoutAMetricsPortHasNone() throws Exception
    {
        final Path dir = Files.createTempDirectory(Paths.get("/dev/shm"), "metrics-");
        try (Broker broker = Broker.launch(new BrokerContext().dir(dir).log(new PrintStream(
            new ByteArrayOutputStream(), true))))
        {
            assertEquals(-1, broker.metricsPort());
        }
        finally
        {
            MetricsFixture.deleteTree(dir);
        }
    }

    @Test
    void theConfigFileAndSystemPropertiesSetThePortAndAddress() throws Exception
    {
        final Path dir = Files.createTempDirectory(Paths.get("/dev/shm"), "metrics-");
        try
        {
            final Path config = dir.resolve("broker.conf");
            Files.writeString(config, "metrics.port = 0\nmetrics.bind = 127.0.0.1\n");
            try (Broker broker = Broker.launch(new BrokerContext().dir(dir.resolve("shm")).configFile(config)
                .log(new PrintStream(new ByteArrayOutputStream(), true))))
            {
                assertTrue(broker.metricsPort() > 0, "a free port: " + broker.metricsPort());
                assertTrue(MetricsText.parse(MetricsFixture.get(URI.create("http://127.0.0.1:" +
                    broker.metricsPort() + "/metrics"))).value("shmbus_uptime_seconds") >= 0);
            }
            Files.writeString(config, "metrics.port = 70000\n");
            final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> Broker.launch(
                new BrokerContext().dir(dir.resolve("shm")).configFile(config)
                    .log(new PrintStream(new ByteArrayOutputStream(), true))));
            assertTrue(ex.getMessage().contains("metrics.port"), ex.getMessage());
        }
        finally
        {
            MetricsFixture.deleteTree(dir);
        }
    }

    @Test
    void aPortInUseFailsTheStartNamingTheAddress() throws Exception
    {
        try (MetricsFixture fixture = new MetricsFixture())
        {
            final int busy = fixture.broker.metricsPort();
            final Path dir = fixture.root.resolve("second");
            final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> Broker.launch(
                new BrokerContext().dir(dir).metricsPort(busy)
                    .log(new PrintStream(new ByteArrayOutputStream(), true))));
            assertTrue(ex.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + busy + ": "), ex.getMessage());
            assertFalse(Files.exists(CncFile.fileIn(dir)), "no CnC file left behind");

            final CliRun run = CliRun.run("", "broker", "--dir", dir.toString(), "--no-data-dir",
                "--metrics-port", Integer.toString(busy));
            assertEquals(2, run.code, run.stderr);
            assertTrue(run.stderr.contains("error: cannot serve metrics on 127.0.0.1:" + busy + ": "), run.stderr);
            assertFalse(run.stderr.contains("\tat "), "no stack trace: " + run.stderr);
            assertEquals(2, CliRun.run("", "broker", "--dir", dir.toString(), "--metrics-port", "70000").code);
        }
    }
}
