package io.shmbus.client.remote;

import io.shmbus.client.ConfigurationException;

/**
 * A broker address parsed from {@code HOST:PORT} or {@code [IPv6]:PORT}, as {@link RemoteConsumer.Context#address}
 * takes it. Immutable.
 */
final class HostAndPort
{
    final String host;
    final int port;

    private HostAndPort(final String host, final int port)
    {
        this.host = host;
        this.port = port;
    }

    /** @throws ConfigurationException when the text is not of that form or the port not in [1, 65535]. */
    static HostAndPort parse(final String hostAndPort)
    {
        final int colon = null == hostAndPort ? -1 : hostAndPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.length() - 1)
        {
            throw new ConfigurationException("address must be HOST:PORT: '" + hostAndPort + "'");
        }
        String host = hostAndPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(hostAndPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException("address must be HOST:PORT with a numeric port: '" + hostAndPort + "'");
        }
        if (host.isEmpty() || port < 1 || port > 65535)
        {
            throw new ConfigurationException("address must be HOST:PORT with a port in [1, 65535]: '" +
                hostAndPort + "'");
        }
        return new HostAndPort(host, port);
    }
}
