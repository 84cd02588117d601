package io.shmbus.client.remote;

/**
 * The steps of one connection of a {@link RemoteConsumer}, in order; a lost connection goes back to
 * {@link #WAITING}, an end or a failure that a new connection cannot mend to {@link #DONE}.
 */
enum ConnectionPhase
{
    /** No socket: waiting for the backoff to pass before the next attempt. */
    WAITING,
    /** The socket is connecting. */
    CONNECTING,
    /** Connected: the subscribe request is being written. */
    SENDING,
    /** The request is sent: reading the broker's answer. */
    AWAITING_RESPONSE,
    /** Subscribed: frames are read and delivered. */
    STREAMING,
    /** Ended, failed or closed: no more connections. */
    DONE;

    /** True from the start of an attempt until the broker's answer, the steps the connect timeout bounds. */
    boolean isAttempting()
    {
        return CONNECTING == this || SENDING == this || AWAITING_RESPONSE == this;
    }
}
