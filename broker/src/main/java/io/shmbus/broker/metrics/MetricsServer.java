package io.shmbus.broker.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.shmbus.client.ConfigurationException;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The broker's {@code GET /metrics} endpoint in the Prometheus text exposition format (OpenMetrics when the scraper
 * asks for it), served by the Prometheus Java library's HTTP server on one thread of its own,
 * {@code shmbus-metrics}. Each scrape reads the counters the broker keeps in its CnC file
 * ({@link CncMetricsCollector}) and the JVM's own metrics ({@link JvmMetrics}); nothing on the broker's agents or
 * the clients' hot paths does any work for it. That thread allocates per scrape; it is not on a hot path.
 * <p>
 * Started and closed by the thread that starts and stops the broker; {@link #close()} returns once no scrape is
 * reading the counters any more, so the CnC file can be unmapped after it.
 */
public final class MetricsServer implements AutoCloseable
{
    private final HTTPServer server;
    private final ExecutorService executor;

    private MetricsServer(final HTTPServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code bind}:{@code port} (0: any free port).
     *
     * @throws ConfigurationException when the address is unknown or the port cannot be bound, naming both.
     */
    public static MetricsServer start(
        final String bind, final int port, final CountersReader counters, final long startTimestampMs)
    {
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(bind);
        }
        catch (final UnknownHostException ex)
        {
            throw new ConfigurationException("cannot serve metrics on " + bind + ":" + port + ": unknown address");
        }
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new CncMetricsCollector(counters, startTimestampMs, System::currentTimeMillis));
        JvmMetrics.builder().register(registry);
        final ExecutorService executor = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "shmbus-metrics");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final HTTPServer server = HTTPServer.builder().inetAddress(address).port(port).registry(registry)
                .executorService(executor).buildAndStart();
            return new MetricsServer(server, executor);
        }
        catch (final IOException ex)
        {
            executor.shutdownNow();
            throw new ConfigurationException("cannot serve metrics on " + bind + ":" + port + ": " +
                ex.getMessage());
        }
    }

    /** The bound port (the real one when 0 asked for any). */
    public int port()
    {
        return server.getPort();
    }

    public void close()
    {
        server.close();
        executor.shutdown();
        try
        {
            // a scrape under way reads the mapped counters: let it finish before they are unmapped
            if (!executor.awaitTermination(5, TimeUnit.SECONDS))
            {
                executor.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
