package io.shmbus.broker.metrics;

import io.shmbus.client.Consumer;
import io.shmbus.client.log.FrameDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus server (Debian's {@code prometheus}) scrapes the broker every second, and queries through its
 * HTTP API return a topic's published messages and a consumer's lag. Skipped, saying how to install it, where the
 * {@code prometheus} binary is missing.
 */
@Timeout(180)
class PrometheusScrapeTest
{
    private static final int PAYLOAD = 40;
    private static final int FRAME = FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + PAYLOAD);
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[^,\\]]+,\"([^\"]+)\"\\]");

    @Test
    void prometheusScrapesPublishedMessagesAndConsumerLag() throws Exception
    {
        final Path prometheus = findOnPath("prometheus");
        assumeTrue(null != prometheus, "no 'prometheus' on the PATH: install Debian's Prometheus server " +
            "(apt-get install prometheus) to run this test");
        final Path work = Files.createTempDirectory(Paths.get("/tmp"), "metrics-prometheus-");
        Process server = null;
        try (MetricsFixture fixture = new MetricsFixture())
        {
            fixture.publish("scraped", 12, PAYLOAD);
            try (Consumer consumer = fixture.consumerThatRead("scraped", 12))
            {
                fixture.publish("scraped", 3, PAYLOAD);
                final Path config = work.resolve("prometheus.yml");
                Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" +
                    "scrape_configs:\n  - job_name: shmbus\n    static_configs:\n" +
                    "      - targets: ['127.0.0.1:" + fixture.broker.metricsPort() + "']\n");
                final int webPort = freePort();
                final Path log = work.resolve("prometheus.log");
                server = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();

                final String api = "http://127.0.0.1:" + webPort + "/api/v1/query?query=";
                awaitQuery(server, log, api, "shmbus_topic_published_messages_total{topic=\"scraped\"}", 15);
                awaitQuery(server, log, api, "shmbus_consumer_lag_bytes{topic=\"scraped\",kind=\"local\"}",
                    3 * FRAME);
            }
        }
        finally
        {
            if (null != server)
            {
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS))
                {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            MetricsFixture.deleteTree(work);
        }
    }

    /** Queries until the query's one result is {@code expected}, for up to 60 s; fails with the last answer. */
    private static void awaitQuery(
        final Process server, final Path log, final String api, final String query, final double expected)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "(no answer)";
        while (System.nanoTime() - deadline < 0)
        {
            if (!server.isAlive())
            {
                fail("prometheus exited with status " + server.exitValue() + ": " + Files.readString(log));
            }
            try
            {
                last = MetricsFixture.request(URI.create(api + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                    .body();
                final Matcher value = VALUE.matcher(last);
                if (value.find() && Double.parseDouble(value.group(1)) == expected)
                {
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                last = ex.toString(); // not listening yet
            }
            Thread.sleep(200);
        }
        fail("prometheus did not return " + expected + " for " + query + " within 60 s; last answer: " + last +
            "\nprometheus log:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static Path findOnPath(final String name)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final Path candidate = Paths.get(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
