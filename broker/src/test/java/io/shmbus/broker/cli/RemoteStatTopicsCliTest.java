package io.shmbus.broker.cli;

import com.sun.net.httpserver.HttpServer;
import io.shmbus.broker.metrics.MetricsFixture;
import io.shmbus.client.Consumer;
import io.shmbus.client.log.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stat --remote HOST:PORT} and {@code topics --remote HOST:PORT}: a broker's figures read through its metrics
 * endpoint, and clear errors when the endpoint cannot be reached or is not a shmbus broker's.
 */
@Timeout(60)
class RemoteStatTopicsCliTest
{
    private static final int FRAME = FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + 60);

    @Test
    void statAndTopicsReadTheFiguresThroughTheMetricsEndpoint() throws Exception
    {
        try (MetricsFixture fixture = new MetricsFixture())
        {
            fixture.publish("orders", 8, 60);
            try (Consumer consumer = fixture.consumerThatRead("orders", 8))
            {
                fixture.publish("orders", 2, 60);
                final String remote = "127.0.0.1:" + fixture.broker.metricsPort();
                MetricsFixture.awaitTrue(() -> CliRun.run("", "topics", "--remote", remote).stdout
                    .contains("lag=" + 2 * FRAME), "topics --remote to show the consumer's lag");

                final CliRun topics = CliRun.run("", "topics", "--remote", remote);
                assertEquals(0, topics.code, topics.stderr);
                final String row = topics.stdout.lines().filter(l -> l.startsWith("orders ")).findFirst()
                    .orElseThrow(() -> new AssertionError(topics.stdout));
                assertTrue(row.matches("orders +" + 10 * FRAME + " +\\d+ +" + 10 * FRAME + " +1"), row);
                assertTrue(topics.stdout.contains("    consumer slot-1 (local) position=" + 8 * FRAME + " lag=" +
                    2 * FRAME), topics.stdout);

                final CliRun stat = CliRun.run("", "stat", "--remote", remote);
                assertEquals(0, stat.code, stat.stderr);
                assertTrue(stat.stdout.startsWith("broker at http://" + remote + "/metrics, up "), stat.stdout);
                assertTrue(stat.stdout.contains("                  10 - shmbus_topic_published_messages_total" +
                    "{topic=\"orders\"}"), stat.stdout);
                assertTrue(stat.stdout.contains(" - shmbus_consumer_lag_bytes{consumer=\"slot-1\",kind=\"local\"," +
                    "topic=\"orders\"}"), stat.stdout);
                assertFalse(stat.stdout.contains("jvm_"), "the broker's figures, not the JVM's: " + stat.stdout);
            }
        }
    }

    @Test
    void anUnreachableEndpointIsAClearError() throws Exception
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        for (final String command : new String[]{"stat", "topics"})
        {
            final CliRun run = CliRun.run("", command, "--remote", "127.0.0.1:" + port);
            assertEquals(1, run.code, run.stderr);
            assertTrue(run.stderr.startsWith("shmbus " + command + ": error: cannot reach the metrics endpoint " +
                "http://127.0.0.1:" + port + "/metrics: "), run.stderr);
            assertFalse(run.stderr.contains("\tat "), run.stderr);
        }
    }

    @Test
    void anEndpointThatIsNotAShmbusBrokersIsAClearError() throws Exception
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // metrics, but another program's
        server.createContext("/metrics", exchange -> reply(exchange, 200, "# TYPE other gauge\nother 1\n"));
        server.createContext("/", exchange -> reply(exchange, 200, "<html><body>a web page</body></html>\n"));
        server.start();
        try
        {
            final String remote = "127.0.0.1:" + server.getAddress().getPort();
            final CliRun other = CliRun.run("", "stat", "--remote", remote);
            assertEquals(1, other.code);
            assertEquals("shmbus stat: error: http://" + remote + "/metrics is not a shmbus metrics endpoint: it " +
                "has no shmbus_uptime_seconds\n", other.stderr);

            server.removeContext("/metrics");
            final CliRun page = CliRun.run("", "topics", "--remote", remote);
            assertEquals(1, page.code);
            assertTrue(page.stderr.startsWith("shmbus topics: error: http://" + remote + "/metrics is not a shmbus " +
                "metrics endpoint: line 1: "), page.stderr);

            server.createContext("/metrics", exchange -> reply(exchange, 404, "no\n"));
            final CliRun missing = CliRun.run("", "stat", "--remote", remote);
            assertEquals(1, missing.code);
            assertEquals("shmbus stat: error: http://" + remote + "/metrics answered HTTP 404: not a shmbus " +
                "metrics endpoint\n", missing.stderr);
        }
        finally
        {
            server.stop(0);
        }
    }

    @Test
    void aBadRemoteIsAUsageError()
    {
        for (final String bad : new String[]{"nohost", ":9090", "host:", "host:99999", "host:port"})
        {
            final CliRun run = CliRun.run("", "topics", "--remote", bad);
            assertEquals(2, run.code, bad);
            assertTrue(run.stderr.startsWith("shmbus topics: --remote must be HOST:PORT"), run.stderr);
        }
        final CliRun both = CliRun.run("", "stat", "--remote", "127.0.0.1:1", "--dir", "/dev/shm/x");
        assertEquals(2, both.code);
        assertTrue(both.stderr.contains("--remote and --dir exclude each other"), both.stderr);
    }

    private static void reply(final com.sun.net.httpserver.HttpExchange exchange, final int status, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
