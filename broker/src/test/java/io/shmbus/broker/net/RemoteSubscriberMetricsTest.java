package io.shmbus.broker.net;

import io.shmbus.broker.metrics.MetricsText;
import io.shmbus.client.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A network subscriber is a consumer in the metrics: the network server keeps its position (what it has been sent)
 * in a counter from its subscription to its end, and the endpoint shows its position and lag with kind "remote".
 */
@Timeout(60)
class RemoteSubscriberMetricsTest
{
    private NetFixture fixture;

    @BeforeEach
    void setUp() throws IOException
    {
        fixture = new NetFixture(ctx -> ctx.metricsPort(0));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        fixture.close();
    }

    @Test
    void aRemoteSubscribersPositionAndLagAreMetrics() throws Exception
    {
        final Producer producer = fixture.bus.addProducer("orders");
        final long tail = fixture.publishFixed(producer, 100);
        fixture.awaitArchived("orders", tail);
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), 10_000))
        {
            assertTrue(subscriber.subscribe(RawSubscriber.KIND_EARLIEST, 0, -1, "orders", null).isOk());
            assertEquals(tail, subscriber.readStream(0, tail).bytes.size(), "the subscriber read up to the tail");
            await(() -> tail == metrics().value("shmbus_consumer_position_bytes", "topic", "orders", "kind", "remote"),
                "the remote subscriber's position " + tail + " in the metrics");
            final MetricsText metrics = metrics();
            assertEquals(0.0, metrics.value("shmbus_consumer_lag_bytes", "topic", "orders", "kind", "remote"));
            assertEquals("net-1", metrics.samples("shmbus_consumer_position_bytes").get(0).labels.get("consumer"));

            final long more = fixture.publishFixed(producer, 10);
            fixture.awaitArchived("orders", more);
            subscriber.readStream(tail, more);
            await(() -> more == metrics().value("shmbus_consumer_position_bytes", "topic", "orders", "kind",
                "remote"), "the position to follow the stream to " + more);
        }
        await(() -> metrics().samples("shmbus_consumer_position_bytes").isEmpty(),
            "the subscriber's counter to go with its connection");
    }

    private MetricsText metrics()
    {
        try
        {
            return MetricsText.parse(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + fixture.broker.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after 20 s waiting for " + what);
            }
            NetFixture.sleep(10);
        }
    }
}
