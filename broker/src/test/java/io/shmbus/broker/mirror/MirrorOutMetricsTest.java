package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.broker.metrics.MetricsText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A mirrored-out topic's counters, and a mirror's, reach {@code shmbus stat}'s sources: the CnC file (by type id and
 * key) and the {@code /metrics} endpoint, labelled with the topic.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MirrorOutMetricsTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-metrics-");

    @Test
    void theMirrorCountersAreMetricsOfTheTopic() throws Exception
    {
        final Path config = Files.writeString(fixture.root().resolve("broker.conf"), "[topic m]\ncapacity = 64k\n" +
            "mirror.channel = aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() + "\n");
        final HttpResponse<String> response = scrape(config);
        final MetricsText metrics = MetricsText.parse(response.body());
        assertEquals(0.0, metrics.value("shmbus_topic_mirror_out_position_bytes", "topic", "m"), response.body());
        assertEquals(0.0, metrics.value("shmbus_topic_mirror_out_connected", "topic", "m"), response.body());
        assertEquals(0.0, metrics.value("shmbus_topic_mirror_out_back_pressured_total", "topic", "m"),
            response.body());
    }

    /** Here a mirror whose source is not there yet: starting, not connected, at nothing. */
    @Test
    void aMirrorsCountersAreMetricsOfItsTopic() throws Exception
    {
        final int absentSource;
        try (ServerSocket socket = new ServerSocket(0))
        {
            absentSource = socket.getLocalPort(); // closed again: nobody listens there
        }
        final Path config = Files.writeString(fixture.root().resolve("broker.conf"), "[mirror m]\ncapacity = 64k\n" +
            "channel = aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() + "\n" +
            "source = 127.0.0.1:" + absentSource + "\n");
        final HttpResponse<String> response = scrape(config);
        final MetricsText metrics = MetricsText.parse(response.body());
        assertEquals(0.0, metrics.value("shmbus_mirror_state", "topic", "m"), response.body());
        assertEquals(0.0, metrics.value("shmbus_mirror_connected", "topic", "m"), response.body());
        assertEquals(0.0, metrics.value("shmbus_mirror_position_bytes", "topic", "m"), response.body());
        assertEquals(0.0, metrics.value("shmbus_mirror_catch_ups_total", "topic", "m"), response.body());
        assertEquals(0.0, metrics.value("shmbus_mirror_gaps_total", "topic", "m"), response.body());
    }

    /** Launches a broker from {@code config} with a metrics endpoint and scrapes it once. */
    private HttpResponse<String> scrape(final Path config) throws Exception
    {
        final int port = fixture.launch(new BrokerContext().configFile(config).dataDir(fixture.dataDir())
            .metricsPort(0)).metricsPort();
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response;
    }
}
