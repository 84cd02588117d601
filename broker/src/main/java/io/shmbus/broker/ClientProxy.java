package io.shmbus.broker;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;

import java.util.List;

/**
 * Answers clients on the CnC file's broadcast: encodes each response (ready, success, topic report, error, client
 * timeout) into one reused buffer and transmits it. A rejection is also counted and logged, and recorded in the
 * error log before the client hears of it.
 * <p>
 * Conductor thread only; allocates nothing but what a message's text needs.
 */
final class ClientProxy
{
    private final BroadcastTransmitter toClients;
    private final BrokerCounters counters;
    private final BrokerLogger log;
    private final UnsafeBuffer responseBuffer = new UnsafeBuffer(new byte[2048]);
    private final ResponseFlyweight response = new ResponseFlyweight();

    ClientProxy(final BroadcastTransmitter toClients, final BrokerCounters counters, final BrokerLogger log)
    {
        this.toClients = toClients;
        this.counters = counters;
        this.log = log;
    }

    void onProducerReady(final long correlationId, final long registrationId)
    {
        response.wrap(responseBuffer, 0).correlationId(correlationId).registrationId(registrationId);
        transmit(ControlProtocol.ON_PRODUCER_READY);
    }

    /**
     * @param replayPosition where the consumer reads the archive from before the ring, or -1.
     * @param archiveDir     the topic's archive directory, or "" when it is not persistent.
     * @param archiveFallback true when the consumer moves to the archive when it falls behind.
     */
    void onConsumerReady(
        final long correlationId,
        final long registrationId,
        final int slot,
        final long position,
        final long replayPosition,
        final String archiveDir,
        final boolean archiveFallback)
    {
        response.wrap(responseBuffer, 0).correlationId(correlationId).registrationId(registrationId)
            .slot(slot).position(position);
        response.replayPosition(replayPosition).message(archiveDir);
        if (archiveFallback)
        {
            response.flags(ResponseFlyweight.FLAG_ARCHIVE_FALLBACK);
        }
        transmit(ControlProtocol.ON_CONSUMER_READY);
    }

    void onOperationSuccess(final long correlationId, final long registrationId)
    {
        response.wrap(responseBuffer, 0).correlationId(correlationId).registrationId(registrationId);
        transmit(ControlProtocol.ON_OPERATION_SUCCESS);
    }

    void onOperationSuccess(final long correlationId, final String message)
    {
        response.wrap(responseBuffer, 0).correlationId(correlationId).message(message);
        transmit(ControlProtocol.ON_OPERATION_SUCCESS);
    }

    /** A topic's report, in as many responses as it needs: all but the last flagged {@code FLAG_MORE}. */
    void onTopicInfo(final long correlationId, final List<String> parts)
    {
        for (int i = 0, n = parts.size(); i < n; i++)
        {
            response.wrap(responseBuffer, 0).correlationId(correlationId)
                .flags(i < n - 1 ? ResponseFlyweight.FLAG_MORE : 0).message(parts.get(i));
            transmit(ControlProtocol.ON_TOPIC_INFO);
        }
    }

    void onClientTimeout(final long clientId)
    {
        response.wrap(responseBuffer, 0).registrationId(clientId);
        transmit(ControlProtocol.ON_CLIENT_TIMEOUT);
    }

    void reject(final long correlationId, final int errorCode, final String message)
    {
        counters.commandErrors.increment();
        log.warn(BrokerLogger.CONDUCTOR, "rejected command " + correlationId + ": " +
            ControlProtocol.errorCodeName(errorCode) + ": " + message);
        // without the correlation id: the same mistake made again is one entry with a growing count; recorded before
        // the client hears of it, so a client that saw the error finds it in the error log
        log.record(BrokerLogger.CONDUCTOR, "rejected command: " + ControlProtocol.errorCodeName(errorCode) + ": " +
            message);
        response.wrap(responseBuffer, 0).correlationId(correlationId).errorCode(errorCode).message(message);
        transmit(ControlProtocol.ON_ERROR);
    }

    private void transmit(final int type)
    {
        toClients.transmit(type, responseBuffer, 0, response.length());
    }
}
