package io.shmbus.client.remote;

import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;

/**
 * The connection state machine of a {@link RemoteConsumer}: connects with a timeout, sends the request through a
 * {@link SubscribeRequestProxy}, takes the answer from a {@link SubscribeResponseAdapter}, streams frames through a
 * {@link FrameReceiver}, watches liveness, and on a lost connection reports the cause and reconnects with backoff
 * at the position after the last frame delivered. A named consumer's acknowledgements go out through a
 * {@link CommitProxy} at the end of each poll. Errors that a new connection cannot mend are kept and thrown on
 * every later call.
 * <p>
 * Not thread-safe: driven by the polling thread; {@link #state()} may be read from any thread.
 */
final class SubscriptionConductor implements SubscribeResponseListener
{
    private final RemoteConsumer.Context ctx;
    private final String description;
    private final FrameReceiver receiver;
    private final SubscribeRequestProxy requestProxy;
    private final SubscribeResponseAdapter responseAdapter = new SubscribeResponseAdapter();
    /** Null for an anonymous consumer. */
    private final CommitProxy commits;
    private final long livenessTimeoutNs;
    private final long connectTimeoutNs;
    private final long initialBackoffNs;
    private final long maxBackoffNs;
    private volatile RemoteConsumer.State state = RemoteConsumer.State.CONNECTING;
    private ConnectionPhase phase = ConnectionPhase.WAITING;
    private SocketChannel channel;
    private long nowNs;
    private long nextAttemptNs;
    private long attemptDeadlineNs;
    private long backoffNs;
    private long lastActivityNs;
    private long lastBytesReceived;
    private boolean activitySeen;
    private boolean resolved;
    private long position;
    private ShmbusException failure;

    /** @param ctx a concluded context. */
    SubscriptionConductor(final RemoteConsumer.Context ctx)
    {
        this.ctx = ctx;
        this.description = "topic '" + ctx.topic() + "' at " +
            (ctx.host().indexOf(':') >= 0 ? "[" + ctx.host() + "]" : ctx.host()) + ":" + ctx.port();
        this.receiver = new FrameReceiver(ctx.verifyChecksums(), ctx.includePadding());
        this.requestProxy = new SubscribeRequestProxy(ctx.topic(), ctx.token(), ctx.endPosition(), ctx.consumerName());
        this.commits = null == ctx.consumerName() ? null : new CommitProxy();
        this.livenessTimeoutNs = ctx.livenessTimeoutMs() * 1_000_000L;
        this.connectTimeoutNs = ctx.connectTimeoutMs() * 1_000_000L;
        this.initialBackoffNs = ctx.reconnectBackoffMs() * 1_000_000L;
        this.maxBackoffNs = ctx.reconnectBackoffMaxMs() * 1_000_000L;
        this.backoffNs = initialBackoffNs;
        this.nextAttemptNs = System.nanoTime();
    }

    /** See {@link RemoteConsumer#poll}. */
    int poll(final FragmentHandler handler, final int fragmentLimit)
    {
        if (!isStreaming())
        {
            sendCommit(); // after the END of a bounded replay, a named consumer's last COMMIT still goes out
            return 0;
        }
        final int fragments = receiver.receive(channel, handler, fragmentLimit);
        afterReceive(fragments);
        sendCommit();
        return fragments;
    }

    /** See {@link RemoteConsumer#controlledPoll}. */
    int controlledPoll(final ControlledFragmentHandler handler, final int fragmentLimit)
    {
        if (!isStreaming())
        {
            sendCommit();
            return 0;
        }
        final int fragments = receiver.controlledReceive(channel, handler, fragmentLimit);
        if (null != commits && receiver.commitActionPosition() >= 0)
        {
            commits.request(receiver.commitActionPosition());
        }
        afterReceive(fragments);
        sendCommit();
        return fragments;
    }

    /** See {@link RemoteConsumer#commit()}. */
    void commit()
    {
        if (null != commits && RemoteConsumer.State.CLOSED != state)
        {
            final long position = position();
            if (position >= 0)
            {
                commits.request(position);
            }
        }
    }

    /** See {@link RemoteConsumer#heartbeatPosition()}. */
    long heartbeatPosition()
    {
        return ConnectionPhase.STREAMING == phase ? receiver.heartbeatPosition() : -1;
    }

    /** The newest position this consumer acknowledged, or -1 (always -1 without a name). */
    long committedPosition()
    {
        return null == commits ? -1 : commits.requested();
    }

    /** Writes the pending COMMIT, if any, when the connection takes it; never blocks. */
    private void sendCommit()
    {
        if (null != commits && commits.isPending() && isAnswered())
        {
            try
            {
                commits.send(channel);
            }
            catch (final IOException ex)
            {
                lost(new ConnectionLostException(description + ": cannot send an acknowledgement: " + reason(ex) +
                    "; reconnecting", ex), System.nanoTime());
            }
        }
    }

    /**
     * Connects or goes on connecting when not streaming.
     *
     * @return true when frames may be read now.
     * @throws ShmbusException the failure that stopped this consumer, if one did.
     */
    private boolean isStreaming()
    {
        if (ConnectionPhase.STREAMING != phase)
        {
            if (null != failure)
            {
                throw failure;
            }
            if (ConnectionPhase.DONE == phase)
            {
                return false;
            }
            connect(System.nanoTime());
        }
        return ConnectionPhase.STREAMING == phase;
    }

    private void afterReceive(final int fragments)
    {
        if (FrameReceiver.STREAMING == receiver.status())
        {
            final long received = receiver.bytesReceived();
            // an aborted message is in hand and nothing more is read until it is taken: not a silent broker
            if (fragments > 0 || received != lastBytesReceived || receiver.isAborted())
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
                finish(RemoteConsumer.State.ENDED);
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
        this.nowNs = nowNs;
        try
        {
            if (ConnectionPhase.WAITING == phase)
            {
                if (nowNs - nextAttemptNs < 0)
                {
                    return;
                }
                attemptDeadlineNs = nowNs + connectTimeoutNs;
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                phase = ConnectionPhase.CONNECTING;
                if (channel.connect(new InetSocketAddress(ctx.host(), ctx.port())))
                {
                    encodeRequest();
                }
            }
            if (ConnectionPhase.CONNECTING == phase && channel.finishConnect())
            {
                encodeRequest();
            }
            if (ConnectionPhase.SENDING == phase && requestProxy.send(channel))
            {
                phase = ConnectionPhase.AWAITING_RESPONSE;
            }
            if (ConnectionPhase.AWAITING_RESPONSE == phase)
            {
                responseAdapter.receive(channel, this);
            }
            if (phase.isAttempting() && nowNs - attemptDeadlineNs > 0)
            {
                lost(new ConnectionLostException(description + ": no answer within the connect timeout of " +
                    ctx.connectTimeoutMs() + " ms; retrying in " + backoffMs()), nowNs);
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
        if (resolved)
        {
            requestProxy.encodeResume(position);
        }
        else
        {
            requestProxy.encodeFirst(ctx.start());
        }
        responseAdapter.reset();
        phase = ConnectionPhase.SENDING;
    }

    public void onSubscribed(final long startPosition, final int maxFrameLength)
    {
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
        if (null != commits)
        {
            commits.onNewConnection(); // the last COMMIT may have been lost with the old connection
        }
        lastActivityNs = nowNs;
        activitySeen = false;
        backoffNs = initialBackoffNs;
        phase = ConnectionPhase.STREAMING;
        state = RemoteConsumer.State.CONNECTED;
    }

    public void onSubscribeError(final int errorCode, final String message)
    {
        if (RemoteProtocol.UNSUPPORTED_VERSION == errorCode && null != commits)
        {
            fail(new UnsupportedVersionException(errorCode, "subscription to " + description + ": " +
                RemoteProtocol.errorCodeName(errorCode) + ": " + message + "; a named consumer ('" +
                ctx.consumerName() + "') needs a broker that speaks protocol version " +
                RemoteProtocol.VERSION_NAMED));
        }
        else if (RemoteProtocol.CONSUMER_NAME_IN_USE == errorCode && resolved)
        {
            // after a reconnection the broker may not have seen our old connection close yet: try again
            lost(new RemoteSubscriptionException(errorCode, "subscription to " + description + ": " +
                RemoteProtocol.errorCodeName(errorCode) + ": " + message + "; reconnecting"), nowNs);
        }
        else
        {
            onError(errorCode, message, "subscription to " + description, nowNs);
        }
    }

    public void onUnsupportedVersion(final int version)
    {
        fail(new UnsupportedVersionException(0, description + ": the broker answered in protocol version " +
            version + ", this client speaks versions " + RemoteProtocol.VERSION_1 + " to " + RemoteProtocol.VERSION));
    }

    public void onMalformedResponse(final String problem)
    {
        fail(new RemoteProtocolException(description + ": " + problem));
    }

    public void onClosedBeforeResponse()
    {
        lost(new ConnectionLostException(description + ": the broker closed the connection before it " +
            "answered the subscription"), nowNs);
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
        if (ConnectionPhase.STREAMING == phase)
        {
            position = receiver.position();
        }
        CloseHelper.quietClose(channel);
        channel = null;
        if (resolved && ctx.endPosition() >= 0 && position >= ctx.endPosition())
        {
            finish(RemoteConsumer.State.ENDED); // all of a bounded replay arrived; only its END frame was lost
            return;
        }
        phase = ConnectionPhase.WAITING;
        nextAttemptNs = nowNs + backoffNs;
        backoffNs = Math.min(backoffNs * 2, maxBackoffNs);
        if (RemoteConsumer.State.CONNECTED == state)
        {
            state = RemoteConsumer.State.RECONNECTING;
        }
        ctx.errorHandler().onError(reason);
    }

    private void fail(final ShmbusException reason)
    {
        if (ConnectionPhase.STREAMING == phase)
        {
            position = receiver.position();
        }
        failure = reason;
        finish(RemoteConsumer.State.FAILED);
        throw reason;
    }

    private void finish(final RemoteConsumer.State finalState)
    {
        if (RemoteConsumer.State.ENDED == finalState && null != commits && null != channel)
        {
            // the broker reads a named subscriber until it closes, so commit() after the END still counts: the
            // connection stays open until close()
            phase = ConnectionPhase.DONE;
            state = finalState;
            return;
        }
        CloseHelper.quietClose(channel);
        channel = null;
        phase = ConnectionPhase.DONE;
        state = finalState;
    }

    /** True when the broker answered the request on the open connection, so a COMMIT may follow it. */
    private boolean isAnswered()
    {
        return null != channel && (ConnectionPhase.STREAMING == phase || ConnectionPhase.DONE == phase);
    }

    /** Readable from any thread. */
    RemoteConsumer.State state()
    {
        return state;
    }

    /** See {@link RemoteConsumer#position()}. */
    long position()
    {
        if (ConnectionPhase.STREAMING == phase)
        {
            return receiver.position();
        }
        final StartPosition start = ctx.start();
        return resolved ? position : start.isEarliest() || start.isLatest() || start.isTime() ? -1 : start.position();
    }

    String description()
    {
        return description;
    }

    /**
     * Closes the socket for good, after one attempt to write a pending COMMIT (never blocking: if the socket
     * does not take it, the messages after the last COMMIT the broker got are delivered again to the next holder
     * of the name); safe to call twice.
     */
    void close()
    {
        if (RemoteConsumer.State.CLOSED != state)
        {
            if (ConnectionPhase.STREAMING == phase)
            {
                position = receiver.position();
            }
            if (null != commits && commits.isPending() && isAnswered())
            {
                try
                {
                    commits.send(channel);
                }
                catch (final IOException ignore)
                {
                    // the connection is gone: the broker keeps the last COMMIT it received
                }
            }
            finish(RemoteConsumer.State.CLOSED);
        }
    }
}
