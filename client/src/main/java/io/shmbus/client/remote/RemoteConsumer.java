package io.shmbus.client.remote;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TopicNames;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;

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
 * Not thread-safe: one thread owns a consumer and calls {@code poll} and {@code close}; {@link #state()} may be
 * read from any thread. Once connected, {@code poll} allocates nothing.
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

    private enum Phase
    {
        WAITING, CONNECTING, SENDING, AWAITING_RESPONSE, STREAMING, DONE
    }

    private final Context ctx;
    private final String description;
    private final byte[] topic;
    private final byte[] token;
    private final FrameReceiver receiver;
    private final ByteBuffer requestBuffer = ByteBuffer.allocateDirect(RemoteProtocol.MAX_REQUEST_LENGTH);
    private final UnsafeBuffer request = new UnsafeBuffer(requestBuffer);
    private final ByteBuffer responseBuffer = ByteBuffer.allocateDirect(RemoteProtocol.MAX_RESPONSE_LENGTH);
    private final UnsafeBuffer response = new UnsafeBuffer(responseBuffer);
    private final long livenessTimeoutNs;
    private final long connectTimeoutNs;
    private final long initialBackoffNs;
    private final long maxBackoffNs;
    private volatile State state = State.CONNECTING;
    private Phase phase = Phase.WAITING;
    private SocketChannel channel;
    private long nextAttemptNs;
    private long attemptDeadlineNs;
    private long backoffNs;
    private long lastActivityNs;
    private long lastBytesReceived;
    private boolean activitySeen;
    private boolean resolved;
    private long position;
    private ShmbusException failure;

    private RemoteConsumer(final Context ctx)
    {
        this.ctx = ctx;
        this.description = "topic '" + ctx.topic() + "' at " +
            (ctx.host().indexOf(':') >= 0 ? "[" + ctx.host() + "]" : ctx.host()) + ":" + ctx.port();
        this.topic = ctx.topic().getBytes(StandardCharsets.US_ASCII);
        this.token = null == ctx.token() ? new byte[0] : ctx.token().getBytes(StandardCharsets.UTF_8);
        this.receiver = new FrameReceiver(ctx.verifyChecksums());
        this.livenessTimeoutNs = ctx.livenessTimeoutMs() * 1_000_000L;
        this.connectTimeoutNs = ctx.connectTimeoutMs() * 1_000_000L;
        this.initialBackoffNs = ctx.reconnectBackoffMs() * 1_000_000L;
        this.maxBackoffNs = ctx.reconnectBackoffMaxMs() * 1_000_000L;
        this.backoffNs = initialBackoffNs;
        this.nextAttemptNs = System.nanoTime();
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
        if (Phase.STREAMING != phase)
        {
            if (null != failure)
            {
                throw failure;
            }
            if (Phase.DONE == phase)
            {
                return 0;
            }
            connect(System.nanoTime());
            if (Phase.STREAMING != phase)
            {
                return 0;
            }
        }
        final int fragments = receiver.receive(channel, handler, fragmentLimit);
        if (FrameReceiver.STREAMING == receiver.status())
        {
            final long received = receiver.bytesReceived();
            if (fragments > 0 || received != lastBytesReceived)
            {
                lastBytesReceived = received;
                activitySeen = true;
            }
            else
            {
                checkLiveness(System.nanoTime());
            }
        }
        else
        {
            onStreamStopped();
        }
        return fragments;
    }

    private void checkLiveness(final long nowNs)
    {
        if (activitySeen)
        {
            activitySeen = false;
            lastActivityNs = nowNs;
        }
        else if (nowNs - lastActivityNs > livenessTimeoutNs)
        {
            lost(new ConnectionLostException(description + ": nothing received for " + ctx.livenessTimeoutMs() +
                " ms (not even a heartbeat); reconnecting at position " + receiver.position()), nowNs);
        }
    }

    private void onStreamStopped()
    {
        final long nowNs = System.nanoTime();
        switch (receiver.status())
        {
            case FrameReceiver.END:
                position = receiver.position();
                finish(State.ENDED);
                break;

            case FrameReceiver.STREAM_ERROR:
                onError(receiver.errorCode(), receiver.problem(), "stream of " + description + " stopped", nowNs);
                break;

            case FrameReceiver.BAD_FRAME:
                lost(new RemoteProtocolException(description + ": " + receiver.problem() + "; reconnecting"), nowNs);
                break;

            case FrameReceiver.BAD_CHECKSUM:
                fail(new RemoteProtocolException(description + ": " + receiver.problem()));
                break;

            case FrameReceiver.END_OF_STREAM:
                lost(new ConnectionLostException(description + ": the broker closed the connection at position " +
                    receiver.position() + "; reconnecting"), nowNs);
                break;

            default:
                final IOException ex = receiver.ioException();
                lost(new ConnectionLostException(description + ": " + reason(ex) + "; reconnecting", ex), nowNs);
                break;
        }
    }

    private void connect(final long nowNs)
    {
        try
        {
            if (Phase.WAITING == phase)
            {
                if (nowNs - nextAttemptNs < 0)
                {
                    return;
                }
                attemptDeadlineNs = nowNs + connectTimeoutNs;
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                phase = Phase.CONNECTING;
                if (channel.connect(new InetSocketAddress(ctx.host(), ctx.port())))
                {
                    encodeRequest();
                }
            }
            if (Phase.CONNECTING == phase && channel.finishConnect())
            {
                encodeRequest();
            }
            if (Phase.SENDING == phase)
            {
                channel.write(requestBuffer);
                if (!requestBuffer.hasRemaining())
                {
                    phase = Phase.AWAITING_RESPONSE;
                }
            }
            if (Phase.AWAITING_RESPONSE == phase)
            {
                readResponse(nowNs);
            }
            if (Phase.CONNECTING == phase || Phase.SENDING == phase || Phase.AWAITING_RESPONSE == phase)
            {
                if (nowNs - attemptDeadlineNs > 0)
                {
                    lost(new ConnectionLostException(description + ": no answer within the connect timeout of " +
                        ctx.connectTimeoutMs() + " ms; retrying in " + backoffMs()), nowNs);
                }
            }
        }
        catch (final IOException | UnresolvedAddressException ex)
        {
            lost(new ConnectionLostException("cannot subscribe to " + description + ": " + reason(ex) +
                "; retrying in " + backoffMs(), ex), nowNs);
        }
    }

    private static String reason(final Exception ex)
    {
        return ex instanceof UnresolvedAddressException ? "unknown host" :
            null != ex.getMessage() ? ex.getMessage() : ex.toString();
    }

    private String backoffMs()
    {
        return (backoffNs / 1_000_000L) + " ms";
    }

    private void encodeRequest()
    {
        final StartPosition start = ctx.start();
        byte kind = RemoteProtocol.START_POSITION;
        long value = position;
        if (!resolved)
        {
            kind = start.isEarliest() ? RemoteProtocol.START_EARLIEST : start.isLatest() ?
                RemoteProtocol.START_LATEST : start.isTime() ? RemoteProtocol.START_TIME : RemoteProtocol.START_POSITION;
            value = start.isEarliest() || start.isLatest() ? 0 : start.isTime() ? start.epochNs() : start.position();
        }
        final int length = SubscribeRequestDescriptor.encode(request, 0, kind, value, ctx.endPosition(), topic, token);
        requestBuffer.clear().limit(length);
        responseBuffer.clear().limit(SubscribeResponseDescriptor.HEADER_LENGTH);
        phase = Phase.SENDING;
    }

    private void readResponse(final long nowNs) throws IOException
    {
        while (true)
        {
            final int bytes = channel.read(responseBuffer);
            if (bytes < 0)
            {
                lost(new ConnectionLostException(description + ": the broker closed the connection before it " +
                    "answered the subscription"), nowNs);
                return;
            }
            if (responseBuffer.hasRemaining())
            {
                if (0 == bytes)
                {
                    return;
                }
                continue;
            }
            if (SubscribeResponseDescriptor.HEADER_LENGTH == responseBuffer.limit())
            {
                final String problem = SubscribeResponseDescriptor.checkHeader(response);
                if (null != problem)
                {
                    fail(new RemoteProtocolException(description + ": " + problem));
                }
                final int version = SubscribeResponseDescriptor.version(response);
                if (RemoteProtocol.VERSION != version)
                {
                    fail(new UnsupportedVersionException(0, description + ": the broker answered in protocol " +
                        "version " + version + ", this client speaks version " + RemoteProtocol.VERSION));
                }
                responseBuffer.limit(SubscribeResponseDescriptor.responseLength(response));
                if (responseBuffer.hasRemaining())
                {
                    continue;
                }
            }
            onResponse(nowNs);
            return;
        }
    }

    private void onResponse(final long nowNs)
    {
        final int length = responseBuffer.limit();
        final short type = SubscribeResponseDescriptor.responseType(response);
        if (RemoteProtocol.RESPONSE_ERROR == type)
        {
            onError(SubscribeResponseDescriptor.errorCode(response),
                SubscribeResponseDescriptor.message(response, length), "subscription to " + description, nowNs);
            return;
        }
        if (RemoteProtocol.RESPONSE_OK != type)
        {
            fail(new RemoteProtocolException(description + ": unknown response type " + type));
        }
        final long startPosition = SubscribeResponseDescriptor.startPosition(response);
        final int maxFrameLength = SubscribeResponseDescriptor.maxFrameLength(response);
        if (maxFrameLength < FrameDescriptor.HEADER_LENGTH || maxFrameLength > FrameReceiver.MAX_FRAME_LENGTH_LIMIT ||
            startPosition < 0 || (startPosition & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            fail(new RemoteProtocolException(description + ": impossible OK response: start position " +
                startPosition + ", max frame length " + maxFrameLength));
        }
        if (resolved && startPosition != position)
        {
            lost(new RemoteProtocolException(description + ": asked to resume at position " + position +
                ", the broker starts at " + startPosition + "; reconnecting"), nowNs);
            return;
        }
        resolved = true;
        position = startPosition;
        receiver.reset(startPosition, maxFrameLength);
        lastBytesReceived = receiver.bytesReceived();
        lastActivityNs = nowNs;
        activitySeen = false;
        backoffNs = initialBackoffNs;
        phase = Phase.STREAMING;
        state = State.CONNECTED;
    }

    private void onError(final int code, final String message, final String context, final long nowNs)
    {
        if (RemoteProtocol.isRetryable(code))
        {
            lost(new RemoteSubscriptionException(code, context + ": " + RemoteProtocol.errorCodeName(code) + ": " +
                message + "; reconnecting"), nowNs);
        }
        else
        {
            fail(RemoteProtocol.toException(code, message, context));
        }
    }

    /** The connection broke: close it, report why, and try again after a backoff unless everything arrived. */
    private void lost(final ShmbusException reason, final long nowNs)
    {
        if (Phase.STREAMING == phase)
        {
            position = receiver.position();
        }
        CloseHelper.quietClose(channel);
        channel = null;
        if (resolved && ctx.endPosition() >= 0 && position >= ctx.endPosition())
        {
            finish(State.ENDED); // all of a bounded replay arrived; only its END frame was lost
            return;
        }
        phase = Phase.WAITING;
        nextAttemptNs = nowNs + backoffNs;
        backoffNs = Math.min(backoffNs * 2, maxBackoffNs);
        if (State.CONNECTED == state)
        {
            state = State.RECONNECTING;
        }
        ctx.errorHandler().onError(reason);
    }

    private void fail(final ShmbusException reason)
    {
        if (Phase.STREAMING == phase)
        {
            position = receiver.position();
        }
        failure = reason;
        finish(State.FAILED);
        throw reason;
    }

    private void finish(final State finalState)
    {
        CloseHelper.quietClose(channel);
        channel = null;
        phase = Phase.DONE;
        state = finalState;
    }

    /** Where this consumer stands; readable from any thread. */
    public State state()
    {
        return state;
    }

    public boolean isConnected()
    {
        return State.CONNECTED == state;
    }

    /** True once a bounded replay delivered everything up to its end position. */
    public boolean isEnded()
    {
        return State.ENDED == state;
    }

    /**
     * Position of the next frame this consumer will deliver: just after the last one handled, or the start the
     * broker resolved; -1 before the first subscription was answered when the start was not an exact position.
     */
    public long position()
    {
        if (Phase.STREAMING == phase)
        {
            return receiver.position();
        }
        return resolved ? position : ctx.start().isEarliest() || ctx.start().isLatest() || ctx.start().isTime() ?
            -1 : ctx.start().position();
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
        if (State.CLOSED != state)
        {
            if (Phase.STREAMING == phase)
            {
                position = receiver.position();
            }
            finish(State.CLOSED);
        }
    }

    public String toString()
    {
        return "RemoteConsumer{" + description + ", state=" + state + ", position=" + position() + "}";
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
        private long livenessTimeoutMs = Long.getLong(LIVENESS_TIMEOUT_PROP_NAME, 5_000);
        private long connectTimeoutMs = Long.getLong(CONNECT_TIMEOUT_PROP_NAME, 5_000);
        private long reconnectBackoffMs = Long.getLong(RECONNECT_BACKOFF_PROP_NAME, 100);
        private long reconnectBackoffMaxMs = Long.getLong(RECONNECT_BACKOFF_MAX_PROP_NAME, 5_000);
        private boolean verifyChecksums = Boolean.getBoolean(VERIFY_CHECKSUMS_PROP_NAME);
        private ErrorHandler errorHandler = t -> System.err.println("shmbus: " + t.getMessage());

        /**
         * @throws ConfigurationException naming the setting, its value and what is accepted.
         */
        public Context conclude()
        {
            TopicNames.validate(topic); // the broker refuses any other name with MALFORMED_REQUEST
            if (null == host || host.isEmpty())
            {
                throw new ConfigurationException("host must be set");
            }
            if (port < 1 || port > 65535)
            {
                throw new ConfigurationException("port must be in [1, 65535]: " + port);
            }
            if (null == start)
            {
                throw new ConfigurationException("start must be set");
            }
            if (endPosition < RemoteProtocol.END_LIVE ||
                (endPosition >= 0 && (endPosition & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0))
            {
                throw new ConfigurationException("end position must be -1 (live) or a frame boundary (a multiple " +
                    "of " + FrameDescriptor.FRAME_ALIGNMENT + "): " + endPosition);
            }
            if (endPosition >= 0 && !start.isEarliest() && !start.isLatest() && !start.isTime() &&
                endPosition <= start.position())
            {
                throw new ConfigurationException("end position " + endPosition + " must be after the start " +
                    start.position());
            }
            if (null != token && token.getBytes(StandardCharsets.UTF_8).length > RemoteProtocol.MAX_TOKEN_LENGTH)
            {
                throw new ConfigurationException("token must be at most " + RemoteProtocol.MAX_TOKEN_LENGTH +
                    " bytes");
            }
            if (livenessTimeoutMs <= 0 || connectTimeoutMs <= 0 || reconnectBackoffMs <= 0 ||
                reconnectBackoffMaxMs < reconnectBackoffMs)
            {
                throw new ConfigurationException("timeouts and backoff must be > 0 ms and the max backoff at " +
                    "least the first: liveness " + livenessTimeoutMs + ", connect " + connectTimeoutMs +
                    ", backoff " + reconnectBackoffMs + ".." + reconnectBackoffMaxMs);
            }
            if (null == errorHandler)
            {
                throw new ConfigurationException("error handler must be set");
            }
            return this;
        }

        /**
         * Sets host and port from {@code HOST:PORT}, {@code [IPv6]:PORT}.
         *
         * @throws ConfigurationException when the text is not of that form.
         */
        public Context address(final String hostAndPort)
        {
            final int colon = null == hostAndPort ? -1 : hostAndPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostAndPort.length() - 1)
            {
                throw new ConfigurationException("address must be HOST:PORT: '" + hostAndPort + "'");
            }
            String hostPart = hostAndPort.substring(0, colon);
            if (hostPart.startsWith("[") && hostPart.endsWith("]"))
            {
                hostPart = hostPart.substring(1, hostPart.length() - 1);
            }
            final int portNumber;
            try
            {
                portNumber = Integer.parseInt(hostAndPort.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigurationException("address must be HOST:PORT with a numeric port: '" +
                    hostAndPort + "'");
            }
            if (hostPart.isEmpty() || portNumber < 1 || portNumber > 65535)
            {
                throw new ConfigurationException("address must be HOST:PORT with a port in [1, 65535]: '" +
                    hostAndPort + "'");
            }
            return host(hostPart).port(portNumber);
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
