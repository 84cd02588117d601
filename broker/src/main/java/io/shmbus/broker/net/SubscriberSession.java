package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveSubscriber;
import io.shmbus.broker.archive.SegmentCursor;
import io.shmbus.client.remote.RemoteProtocol;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One network subscriber's connection, from its request to its close. It reads the request
 * ({@link RequestReader}), answers it, then streams the topic's segment files ({@link SegmentSender}) with
 * heartbeats while idle, and ends with END (bounded replay) or a STREAM ERROR. It buffers no data: when the socket
 * is full it waits for OP_WRITE and the bytes come from the file again. Its only buffers are the request (dropped
 * after the handshake) and one small buffer for the response and the control frames, which go out only between
 * whole frames. A named subscriber (protocol version 2) holds its consumer name for the life of the connection and
 * may send COMMIT messages, which a {@link CommitReader} hands to the topic's named consumer table; after its last
 * frame it is read until it closes (or the finishing deadline), so a COMMIT sent at its close is not lost.
 * <p>
 * Network server thread only.
 */
final class SubscriberSession
{
    enum State
    {
        /** Reading the request. */
        HANDSHAKE,
        /** Sending the response, then frames and heartbeats. */
        STREAMING,
        /** Sending a last control frame (END or STREAM ERROR), then closing. */
        FINISHING,
        CLOSED
    }

    private static final int MAX_SENDS_PER_POLL = 16;
    /** Bytes after the request read in one go; more stay in the socket for the next cycle. */
    private static final int MAX_READ_BYTES = 64 * 1024;

    private final NetServer server;
    private final SocketChannel channel;
    private final String remote;
    /** Unique to this connection: the holder of its consumer name. */
    private final long connectionId;
    /** The protocol version of the answer: the request's once known. */
    private short version = RemoteProtocol.VERSION_1;
    /** Null for an anonymous subscriber. */
    private CommitReader commits;
    /** Named, after its last frame: reading COMMITs until the subscriber closes. */
    private boolean drainingCommits;
    private final ByteBuffer control = ByteBuffer.allocate(ControlFrames.MAX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private SelectionKey key;
    private State state = State.HANDSHAKE;
    private RequestReader request = new RequestReader();
    private SegmentSender sender;
    private AtomicCounter positionCounter;
    /** Registered with the topic's view while streaming, so the broker can report it and not delete the topic. */
    private ArchiveSubscriber subscriber;
    private boolean writeBlocked;
    private long deadlineNs;
    private long lastSendNs;
    private int stopCode;
    private String stopMessage;
    private long bytesAfterRequest;
    /** The subscriber ended its side before its response was out: close once the response is. */
    private boolean closeAfterControl;

    SubscriberSession(final NetServer server, final SocketChannel channel, final String remote, final long nowNs)
    {
        this.server = server;
        this.channel = channel;
        this.remote = remote;
        this.connectionId = server.nextConnectionId();
        this.deadlineNs = nowNs + server.settings().handshakeTimeoutNs();
        control.limit(0);
    }

    void key(final SelectionKey key)
    {
        this.key = key;
    }

    State state()
    {
        return state;
    }

    /** True while it only waits for the archive to grow (so the server checks the archive often). */
    boolean isFollowing()
    {
        return State.STREAMING == state && !writeBlocked && 0 == stopCode && sender.isAtLimit();
    }

    int onReadable(final long nowNs)
    {
        return State.HANDSHAKE == state ? readRequest(nowNs) : readAfterRequest();
    }

    int onWritable(final long nowNs)
    {
        writeBlocked = false;
        updateInterest();
        return poll(nowNs);
    }

    /** Sends what it can and keeps the time: heartbeats, the handshake timeout, the finishing deadline. */
    int poll(final long nowNs)
    {
        switch (state)
        {
            case HANDSHAKE:
                if (nowNs - deadlineNs >= 0)
                {
                    reject(RemoteProtocol.HANDSHAKE_TIMEOUT, "the request was not complete within " +
                        server.settings().handshakeTimeoutNs() / 1_000_000 + " ms (" + request.received() +
                        " bytes received)");
                    return 1;
                }
                return 0;
            case FINISHING:
                if (nowNs - deadlineNs >= 0)
                {
                    close(); // it does not read its last frame (or close after it): do not wait for it forever
                    return 1;
                }
                return writeBlocked || drainingCommits ? 0 : stream(nowNs);
            case STREAMING:
                return writeBlocked ? 0 : stream(nowNs);
            default:
                return 0;
        }
    }

    private int readRequest(final long nowNs)
    {
        try
        {
            final ByteBuffer complete = request.read(channel);
            if (null != complete)
            {
                version = request.responseVersion();
                start(server.resolver().resolve(complete, connectionId, remote), nowNs);
            }
        }
        catch (final RequestRejectedException ex)
        {
            reject(ex.errorCode, ex.getMessage());
        }
        catch (final IOException ex)
        {
            server.onHandshakeFailed(remote, RemoteProtocol.MALFORMED_REQUEST, "connection failed: " + ex.getMessage());
            close();
        }
        return 1;
    }

    private void start(final SubscriptionResolver.Subscription subscription, final long nowNs)
    {
        final ArchiveSubscriber registered = new ArchiveSubscriber(remote, subscription.start(), subscription.end());
        if (null != subscription.consumerName())
        {
            commits = new CommitReader(subscription.view(), subscription.consumerName(), connectionId);
        }
        if (!subscription.view().addSubscriber(registered))
        {
            reject(RemoteProtocol.UNKNOWN_TOPIC, "topic '" + subscription.view().topic() + "' was deleted");
            return;
        }
        subscriber = registered;
        request = null;
        sender = new SegmentSender(subscription.view(), subscription.start(), subscription.end());
        positionCounter = server.counters().newSubscriberPosition(subscription.view().topic(),
            server.counters().subscriptions.get() + 1, remote);
        if (null != positionCounter)
        {
            positionCounter.setRelease(subscription.start());
        }
        state = State.STREAMING;
        lastSendNs = nowNs;
        ControlFrames.okResponse(control, version, subscription.start(), subscription.view().maxFrameLength());
        server.onSubscribed(remote, subscription.view().topic(), subscription.start(), subscription.end());
        readAfterRequest(); // bytes sent with the request are here already: they stop the stream before any frame
    }

    /**
     * Reads what the subscriber sent after its request. From an anonymous subscriber any byte is a protocol
     * violation: counted once per connection, and while streaming it stops the stream (a STREAM ERROR at the next
     * frame boundary, in place of anything else, END included). A named subscriber sends COMMITs, and anything
     * else, or a COMMIT of a position it cannot have received, is the violation. -1 means the subscriber ended its
     * side: the subscription ends.
     */
    private int readAfterRequest()
    {
        final ByteBuffer scratch = null != commits ? commits.buffer() : server.scratch();
        int read = 0;
        int n = 0;
        try
        {
            while (read < MAX_READ_BYTES && (n = channel.read(null != commits ? scratch : scratch.clear())) > 0)
            {
                read += n;
                if (null != commits)
                {
                    final String problem = commits.apply(null != sender ? sender.position() : -1);
                    if (null != problem)
                    {
                        onCommitRefused(problem);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            close();
            return 1;
        }
        if (null == commits)
        {
            onBytesAfterRequest(read);
        }
        if (n < 0)
        {
            if (State.STREAMING == state && control.hasRemaining())
            {
                closeAfterControl = true; // a complete request still gets its one response
            }
            else
            {
                close();
            }
        }
        return 1;
    }

    private void onBytesAfterRequest(final long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        if (0 == bytesAfterRequest)
        {
            server.counters().protocolViolations.increment();
        }
        bytesAfterRequest += bytes;
        if (State.STREAMING == state && 0 == stopCode)
        {
            stopCode = RemoteProtocol.PROTOCOL_VIOLATION; // its message, with the count by then, when it is sent
        }
    }

    /** A named subscriber sent something that is not a COMMIT of a position it received: a protocol violation. */
    private void onCommitRefused(final String problem)
    {
        if (0 == bytesAfterRequest)
        {
            server.counters().protocolViolations.increment();
        }
        bytesAfterRequest++;
        if (State.STREAMING == state && 0 == stopCode)
        {
            stop(RemoteProtocol.PROTOCOL_VIOLATION, problem);
        }
    }

    /** Stops the stream with a STREAM ERROR, sent at the next frame boundary (the current limit). */
    private void stop(final int errorCode, final String message)
    {
        stopCode = errorCode;
        stopMessage = message;
    }

    private int stream(final long nowNs)
    {
        int work = 0;
        if (control.hasRemaining())
        {
            if (!writeControl(nowNs))
            {
                return 1;
            }
            work++;
            if (State.FINISHING == state)
            {
                if (null != commits)
                {
                    return work + drainCommits();
                }
                // what the subscriber sent meanwhile is read first, so that the close does not reset the
                // connection before the subscriber read the last frame
                onBytesAfterRequest(server.writeLastWords(channel, control));
                close();
                return work;
            }
            if (closeAfterControl)
            {
                close();
                return work;
            }
        }
        try
        {
            if (0 == stopCode)
            {
                sender.refreshLimit(); // not after a stop: the STREAM ERROR goes at the limit as it is
            }
            for (int i = 0; i < MAX_SENDS_PER_POLL && !sender.isAtLimit(); i++)
            {
                final long sent = sender.send(channel);
                if (0 == sent)
                {
                    blockOnWrite();
                    return work;
                }
                lastSendNs = nowNs;
                subscriber.position(sender.position());
                server.counters().bytesSent.getAndAdd(sent);
                if (null != positionCounter)
                {
                    positionCounter.setRelease(sender.position());
                }
                work++;
            }
        }
        catch (final RequestRejectedException ex)
        {
            stop(ex.errorCode, ex.getMessage());
            return work + 1;
        }
        catch (final SegmentCursor.SegmentTruncatedException ex)
        {
            server.onStreamError(remote, sender.view().topic(), RemoteProtocol.STORAGE_ERROR, ex.getMessage());
            close(); // perhaps inside a frame: no STREAM ERROR can follow, the subscriber sees the connection end
            return work + 1;
        }
        catch (final IOException ex)
        {
            close(); // the subscriber is gone (reset, broken pipe)
            return work + 1;
        }
        return sender.isAtLimit() ? work + atLimit(nowNs) : work;
    }

    /** Between whole frames with nothing more to send now: a STREAM ERROR, END or HEARTBEAT if one is due. */
    private int atLimit(final long nowNs)
    {
        if (0 != stopCode || sender.isComplete())
        {
            // the selector may not have reported bytes that came during this cycle's sends: look before the last
            // frame, so a subscriber that sent anything after its request never gets END, and the count is exact
            readAfterRequest();
            if (State.CLOSED == state)
            {
                return 1;
            }
        }
        if (0 != stopCode)
        {
            if (RemoteProtocol.PROTOCOL_VIOLATION == stopCode && null == stopMessage)
            {
                stopMessage = "the subscriber sent " + bytesAfterRequest + " byte(s) after its request";
            }
            server.onStreamError(remote, sender.view().topic(), stopCode, stopMessage);
            ControlFrames.streamError(control, sender.position(), server.epochNs(), stopCode, stopMessage);
            return finish(nowNs);
        }
        if (sender.isComplete())
        {
            ControlFrames.end(control, sender.position(), server.epochNs());
            return finish(nowNs);
        }
        if (nowNs - lastSendNs >= server.settings().heartbeatIntervalNs())
        {
            ControlFrames.heartbeat(control, sender.position(), server.epochNs());
            server.counters().heartbeatsSent.increment();
            writeControl(nowNs);
            return 1;
        }
        return 0;
    }

    /**
     * A named subscriber's last frame is out: the broker ends its side and reads COMMITs until the subscriber
     * closes, so an acknowledgement sent at its close still arrives; the finishing deadline bounds the wait.
     */
    private int drainCommits()
    {
        drainingCommits = true;
        try
        {
            channel.shutdownOutput();
        }
        catch (final IOException ex)
        {
            close();
            return 1;
        }
        updateInterest();
        return readAfterRequest();
    }

    private int finish(final long nowNs)
    {
        state = State.FINISHING;
        deadlineNs = nowNs + server.settings().handshakeTimeoutNs();
        updateInterest();
        return 1 + stream(nowNs);
    }

    /** Writes the control buffer; true when it is all out. */
    private boolean writeControl(final long nowNs)
    {
        try
        {
            if (channel.write(control) > 0)
            {
                lastSendNs = nowNs;
            }
        }
        catch (final IOException ex)
        {
            close();
            return false;
        }
        if (control.hasRemaining())
        {
            blockOnWrite();
            return false;
        }
        return true;
    }

    private void blockOnWrite()
    {
        server.counters().socketFullWaits.increment();
        writeBlocked = true;
        updateInterest();
    }

    private void updateInterest()
    {
        if (null != key && key.isValid())
        {
            key.interestOps(SelectionKey.OP_READ | (writeBlocked ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** Refuses the request: an ERROR response if the socket takes it at once (never waits), then close. */
    private void reject(final int errorCode, final String message)
    {
        server.onHandshakeFailed(remote, errorCode, message);
        ControlFrames.errorResponse(control, version, errorCode, message);
        server.writeLastWords(channel, control);
        close();
    }

    void close()
    {
        if (State.CLOSED == state)
        {
            return;
        }
        if (null != sender)
        {
            server.counters().subscriptionsActive.decrement();
            if (null != positionCounter)
            {
                positionCounter.close();
            }
            sender.close();
        }
        if (null != subscriber)
        {
            sender.view().removeSubscriber(subscriber); // the sender is made right after the registration
        }
        if (null != commits)
        {
            commits.release(); // its last acknowledged position stays stored
        }
        state = State.CLOSED;
        if (null != key)
        {
            key.cancel();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }
}
