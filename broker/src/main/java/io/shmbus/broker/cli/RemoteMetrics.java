package io.shmbus.broker.cli;

import io.shmbus.broker.metrics.MetricsText;
import io.shmbus.client.ShmbusException;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The figures of a broker on another host, read from its metrics endpoint: {@code GET http://HOST:PORT/metrics},
 * parsed as the Prometheus text format. What {@code stat --remote} and {@code topics --remote} show.
 * <p>
 * Not thread-safe; one fetch at a time.
 */
final class RemoteMetrics
{
    private static final int TIMEOUT_MS = 5_000;

    private final String url;

    private RemoteMetrics(final String url)
    {
        this.url = url;
    }

    /**
     * @param hostPort {@code HOST:PORT} as the user gave it.
     * @throws UsageException when it is not HOST:PORT.
     */
    static RemoteMetrics of(final String command, final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        final String host = colon > 0 ? hostPort.substring(0, colon) : "";
        final String port = colon > 0 ? hostPort.substring(colon + 1) : "";
        if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535)
        {
            throw new UsageException(command, "--remote must be HOST:PORT (the broker's --metrics-port): " + hostPort);
        }
        final String bracketed = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return new RemoteMetrics("http://" + bracketed + ":" + port + "/metrics");
    }

    String url()
    {
        return url;
    }

    /**
     * Fetches and parses the metrics.
     *
     * @throws ShmbusException when the endpoint cannot be reached or is not a shmbus broker's metrics endpoint.
     */
    MetricsText fetch()
    {
        final String body;
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)new URL(url).openConnection();
            connection.setConnectTimeout(TIMEOUT_MS);
            connection.setReadTimeout(TIMEOUT_MS);
            try
            {
                final int status = connection.getResponseCode();
                if (200 != status)
                {
                    throw new ShmbusException(url + " answered HTTP " + status + ": not a shmbus metrics endpoint");
                }
                try (InputStream in = connection.getInputStream())
                {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            finally
            {
                connection.disconnect();
            }
        }
        catch (final IOException ex)
        {
            throw new ShmbusException("cannot reach the metrics endpoint " + url + ": " + ex.getMessage() +
                " (is the broker running with --metrics-port, bound to an address this host reaches?)");
        }
        final MetricsText metrics;
        try
        {
            metrics = MetricsText.parse(body);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ShmbusException(url + " is not a shmbus metrics endpoint: " + ex.getMessage());
        }
        if (null == metrics.family("shmbus_uptime_seconds"))
        {
            throw new ShmbusException(url + " is not a shmbus metrics endpoint: it has no shmbus_uptime_seconds");
        }
        return metrics;
    }
}
