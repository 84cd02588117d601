package io.shmbus.broker.net;

import java.nio.charset.StandardCharsets;

/**
 * Settings of the network server, concluded from the broker's context (docs/configuration.md). Immutable.
 *
 * @param bindAddress         the address to listen on (loopback by default).
 * @param port                the TCP port; 0 picks a free one.
 * @param authToken           the token subscribers must present, or null for none.
 * @param maxConnections      connections beyond this are refused with TOO_MANY_CONNECTIONS.
 * @param handshakeTimeoutNs  time a connection has to deliver its whole request.
 * @param heartbeatIntervalNs a subscriber that was sent nothing for this long gets a HEARTBEAT.
 */
public record NetSettings(
    String bindAddress,
    int port,
    String authToken,
    int maxConnections,
    long handshakeTimeoutNs,
    long heartbeatIntervalNs)
{
    byte[] authTokenBytes()
    {
        return null == authToken ? null : authToken.getBytes(StandardCharsets.UTF_8);
    }
}
