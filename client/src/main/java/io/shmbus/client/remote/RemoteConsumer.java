package io.shmbus.client.remote;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.StartPosition;
import org.agrona.ErrorHandler;

/**
 * Reads a persistent topic from a broker over TCP (docs/protocol.md), with the same {@link FragmentHandler} and
 * {@link io.shmbus.client.Header} as the shared-memory {@link io.shmbus.client.Consumer}. Payloads are delivered
 * in place from a direct receive buffer, each exactly once and in stream order.
 * <p>
 * All the work happens in {@link #poll}, which never blocks: it connects, subscribes, reads whole frames and, when
 * the connection breaks (the broker closed it, an I/O error, no byte for the liveness timeout, a retryable error,
 * a frame at the wrong position), reports the cause to the error handler and reconnects with backoff, resuming at
 * the position after the last frame delivered: no gap and no duplicate. Errors that a new connection cannot mend
 * (unknown topic, bad token, another protocol version, a position no longer retained, a checksum mismatch) are
 * thrown from {@code poll} as typed exceptions, on this and every later call.
 * <p>
 * Not thread-safe: one thread owns a consumer and calls {@code poll}, {@code controlledPoll} and {@code close};
 * {@link #state()} may be read from any thread. Once connected, {@code poll} and {@code controlledPoll} allocate
 * nothing.
 */
public final class RemoteConsumer implements AutoCloseable
{
    /** Where a consumer stands, as the application sees it. */
    public enum State
    {
        /** Not subscribed yet: connecting, or waiting to retry after a failed first attempt. */
        CONNECTING,
        /** Subscribed and receiving. */
        CONNECTED,
        /** Was subscribed, lost the connection, and is connecting again. */
        RECONNECTING,
        /** A bounded replay delivered everything up to its end position. */
        ENDED,
        /** Stopped on an error that a new connection cannot mend; {@code poll} throws it. */
        FAILED,
        CLOSED
    }

    private final Context ctx;
    private final SubscriptionConductor conductor;

    private RemoteConsumer(final Context ctx)
    {
        this.ctx = ctx;
        this.conductor = new SubscriptionConductor(ctx);
    }

    /**
     * A consumer for the context's topic; it connects on its first {@link #poll}.
     *
     * @throws ConfigurationException when a setting is invalid.
     */
    public static RemoteConsumer subscribe(final Context ctx)
    {
        JvmRequirements.check();
        return new RemoteConsumer(ctx.conclude());
    }

    /**
     * Delivers up to {@code fragmentLimit} messages, connecting or reconnecting first when needed. Never blocks,
     * except to resolve a host name when a connection attempt starts.
     *
     * @return the number of messages delivered. A handler that throws has consumed its message.
     * @throws UnknownTopicException, AuthenticationFailedException, UnsupportedVersionException,
     *         io.shmbus.client.PositionUnavailableException or RemoteSubscriptionException (with the broker's
     *         message) when the subscription cannot go on; {@link #state()} is then {@link State#FAILED}.
     */
    public int poll(final FragmentHandler handler, final int fragmentLimit)
    {
        return conductor.poll(handler, fragmentLimit);
    }

    /**
     * Like {@link #poll}, but the handler decides after each message, as with
     * {@link io.shmbus.client.Consumer#controlledPoll}: {@code CONTINUE} goes on; {@code BREAK} consumes the message
     * and returns; {@code ABORT} leaves it unconsumed and returns, and the next call (after a reconnect too)
     * delivers it again at the same position; {@code COMMIT} goes on like {@code CONTINUE} and, for a named
     * consumer, acknowledges every message up to and including this one, as {@link #commit()} right after it would.
     * A handler that throws leaves its message unconsumed, as {@code ABORT} does. Allocates nothing once connected.
     *
     * @return the number of messages consumed (an aborted one is not).
     * @throws io.shmbus.client.ShmbusException as {@link #poll} does.
     */
    public int controlledPoll(final ControlledFragmentHandler handler, final int fragmentLimit)
    {
        return conductor.controlledPoll(handler, fragmentLimit);
    }

    /**
     * Acknowledges every message delivered so far, for a consumer with a {@link Context#consumerName name}: the
     * broker stores the position, and the next subscriber of that name resumes right after the last message
     * acknowledged. The acknowledgement goes to the broker as one small message at the end of the next poll (many
     * commits between two polls make one message) and at {@link #close()}; the broker persists it with the
     * topic's named positions. Messages after the last acknowledgement the broker received are delivered again
     * after a crash or a lost connection (at-least-once); a handler that must process each message once records
     * {@link io.shmbus.client.Header#position()} with its effect and skips positions at or below it. Without a
     * name it does nothing. Allocates nothing.
     */
    public void commit()
    {
        conductor.commit();
    }

    /** The newest position {@link #commit()} (or a COMMIT action) acknowledged, or -1; always -1 without a name. */
    public long committedPosition()
    {
        return conductor.committedPosition();
    }

    /**
     * The position the broker's last HEARTBEAT on the current connection carried, or -1 (none yet, or not
     * connected). The broker sends one after a second with nothing to send, so it had sent everything its archive
     * held: equal to {@link #position()}, it says this consumer has all the broker had archived a moment ago.
     * Polling thread.
     */
    public long heartbeatPosition()
    {
        return conductor.heartbeatPosition();
    }

    /** Where this consumer stands; readable from any thread. */
    public State state()
    {
        return conductor.state();
    }

    public boolean isConnected()
    {
        return State.CONNECTED == conductor.state();
    }

    /** True once a bounded replay delivered everything up to its end position. */
    public boolean isEnded()
    {
        return State.ENDED == conductor.state();
    }

    /**
     * Position of the next frame this consumer will deliver: just after the last one handled, or the start the
     * broker resolved; -1 before the first subscription was answered when the start was not an exact position.
     */
    public long position()
    {
        return conductor.position();
    }

    public String topic()
    {
        return ctx.topic();
    }

    public Context context()
    {
        return ctx;
    }

    /** Ends the subscription by closing the socket; safe to call twice. */
    public void close()
    {
        conductor.close();
    }

    public String toString()
    {
        return "RemoteConsumer{" + conductor.description() + ", state=" + conductor.state() + ", position=" +
            conductor.position() + "}";
    }

    /**
     * Settings of a {@link RemoteConsumer}: defaults, each overridable by a system property, fluent setters, and
     * {@link #conclude()} to validate. Not thread-safe: configure on one thread, then hand to
     * {@link RemoteConsumer#subscribe}.
     */
    public static final class Context
    {
        public static final String HOST_PROP_NAME = "shmbus.remote.host";
        public static final String PORT_PROP_NAME = "shmbus.remote.port";
        public static final String LIVENESS_TIMEOUT_PROP_NAME = "shmbus.remote.liveness.timeout.ms";
        public static final String CONNECT_TIMEOUT_PROP_NAME = "shmbus.remote.connect.timeout.ms";
        public static final String RECONNECT_BACKOFF_PROP_NAME = "shmbus.remote.reconnect.backoff.ms";
        public static final String RECONNECT_BACKOFF_MAX_PROP_NAME = "shmbus.remote.reconnect.backoff.max.ms";
        public static final String VERIFY_CHECKSUMS_PROP_NAME = "shmbus.remote.verify.checksums";

        /** The conventional port of a broker's network server. */
        public static final int DEFAULT_PORT = 7440;

        private String host = System.getProperty(HOST_PROP_NAME, "127.0.0.1");
        private int port = Integer.getInteger(PORT_PROP_NAME, DEFAULT_PORT);
        private String topic;
        private StartPosition start = StartPosition.LATEST;
        private long endPosition = RemoteProtocol.END_LIVE;
        private String token;
        private String consumerName;
        private long livenessTimeoutMs = Long.getLong(LIVENESS_TIMEOUT_PROP_NAME, 5_000);
        private long connectTimeoutMs = Long.getLong(CONNECT_TIMEOUT_PROP_NAME, 5_000);
        private long reconnectBackoffMs = Long.getLong(RECONNECT_BACKOFF_PROP_NAME, 100);
        private long reconnectBackoffMaxMs = Long.getLong(RECONNECT_BACKOFF_MAX_PROP_NAME, 5_000);
        private boolean verifyChecksums = Boolean.getBoolean(VERIFY_CHECKSUMS_PROP_NAME);
        private boolean includePadding;
        private ErrorHandler errorHandler = t -> System.err.println("shmbus: " + t.getMessage());

        /**
         * @throws ConfigurationException naming the setting, its value and what is accepted.
         */
        public Context conclude()
        {
            RemoteContextValidator.validate(this);
            return this;
        }

        /**
         * Sets host and port from {@code HOST:PORT}, {@code [IPv6]:PORT}.
         *
         * @throws ConfigurationException when the text is not of that form.
         */
        public Context address(final String hostAndPort)
        {
            final HostAndPort address = HostAndPort.parse(hostAndPort);
            return host(address.host).port(address.port);
        }

        /** Host name or address of the broker; default 127.0.0.1. */
        public Context host(final String host)
        {
            this.host = host;
            return this;
        }

        public String host()
        {
            return host;
        }

        /** The broker's network port ({@code --net-port}); default {@value #DEFAULT_PORT}. */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        public int port()
        {
            return port;
        }

        /** A persistent topic of the broker. */
        public Context topic(final String topic)
        {
            this.topic = topic;
            return this;
        }

        public String topic()
        {
            return topic;
        }

        /** Where the first subscription starts; default latest (the archived position). */
        public Context start(final StartPosition start)
        {
            this.start = start;
            return this;
        }

        public StartPosition start()
        {
            return start;
        }

        /** Exclusive end of a bounded replay (a frame boundary), or -1 (the default) to follow the topic live. */
        public Context endPosition(final long endPosition)
        {
            this.endPosition = endPosition;
            return this;
        }

        public long endPosition()
        {
            return endPosition;
        }

        /**
         * Makes this a durable named consumer (1 to 64 of {@code A-Z a-z 0-9 . _ -}): the broker keeps the position
         * it acknowledges ({@link RemoteConsumer#commit()}) under this name for the topic, shared with local
         * consumers of the same name, and a new subscription of the name resumes there (the start applies only to
         * a name the broker has not seen). One subscriber, local or remote, holds a name at a time. Needs a broker
         * of protocol version 2. Null (the default): an anonymous consumer.
         */
        public Context consumerName(final String consumerName)
        {
            this.consumerName = consumerName;
            return this;
        }

        public String consumerName()
        {
            return consumerName;
        }

        /** The broker's access token, if it has one; none by default. */
        public Context token(final String token)
        {
            this.token = token;
            return this;
        }

        public String token()
        {
            return token;
        }

        /** How long the connection may be silent (no data, no heartbeat) before it is treated as dead. */
        public Context livenessTimeoutMs(final long livenessTimeoutMs)
        {
            this.livenessTimeoutMs = livenessTimeoutMs;
            return this;
        }

        public long livenessTimeoutMs()
        {
            return livenessTimeoutMs;
        }

        /** How long one attempt may take to connect and get the broker's answer. */
        public Context connectTimeoutMs(final long connectTimeoutMs)
        {
            this.connectTimeoutMs = connectTimeoutMs;
            return this;
        }

        public long connectTimeoutMs()
        {
            return connectTimeoutMs;
        }

        /** Wait before the first retry; it doubles after each failed attempt up to the max backoff. */
        public Context reconnectBackoffMs(final long reconnectBackoffMs)
        {
            this.reconnectBackoffMs = reconnectBackoffMs;
            return this;
        }

        public long reconnectBackoffMs()
        {
            return reconnectBackoffMs;
        }

        public Context reconnectBackoffMaxMs(final long reconnectBackoffMaxMs)
        {
            this.reconnectBackoffMaxMs = reconnectBackoffMaxMs;
            return this;
        }

        public long reconnectBackoffMaxMs()
        {
            return reconnectBackoffMaxMs;
        }

        /** Check the CRC32C of each message that carries one; a mismatch fails the consumer. Default off. */
        public Context verifyChecksums(final boolean verifyChecksums)
        {
            this.verifyChecksums = verifyChecksums;
            return this;
        }

        public boolean verifyChecksums()
        {
            return verifyChecksums;
        }

        /**
         * Deliver PAD frames to the handler too ({@link io.shmbus.client.Header#type()} tells them apart), so a
         * copy of the stream can be byte for byte: the whole frame is at {@code offset - 32}, its length
         * {@code alignedLength(header.frameLength())}. Default off: handlers see messages only.
         */
        public Context includePadding(final boolean includePadding)
        {
            this.includePadding = includePadding;
            return this;
        }

        public boolean includePadding()
        {
            return includePadding;
        }

        /**
         * Receives what made the consumer reconnect ({@link ConnectionLostException}, a retryable
         * {@link RemoteSubscriptionException}, a {@link RemoteProtocolException}); called on the polling thread.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }
    }
}
