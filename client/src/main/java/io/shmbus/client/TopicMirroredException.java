package io.shmbus.client;

import io.shmbus.client.cnc.ControlProtocol;

/**
 * A producer (shared or exclusive) asked for a topic that is a mirror of a topic on another broker: only the
 * mirror's broker writes it. Publish on the source broker instead; the message names it.
 */
public final class TopicMirroredException extends BrokerErrorException
{
    private static final long serialVersionUID = 1L;

    public TopicMirroredException(final String message)
    {
        super(ControlProtocol.ERROR_TOPIC_MIRRORED, message);
    }
}
