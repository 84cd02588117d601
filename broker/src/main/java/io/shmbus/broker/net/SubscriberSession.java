package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveFiles;
import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.client.log.SegmentDescriptor;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

/**
 * One network subscriber's connection, from its request to its close: reads the request incrementally, answers
 * it, then sends the topic's segment files with {@link FileChannel#transferTo} from the page cache straight to the
 * socket, whole frames only, following the archive as it grows. It buffers no data: when the socket is full it
 * waits for OP_WRITE and the bytes come from the file again. The only buffers are the request (freed after the
 * handshake) and one small buffer for the response and the control frames.
 * <p>
 * Network server thread only.
 */
final class SubscriberSession
{
    enum State
    {
        /** Reading the request. */
        HANDSHAKE,
        /** Sending frames (and heartbeats). */
        STREAMING,
        /** Sending a last control frame (END or STREAM ERROR), then closing. */
        FINISHING,
        CLOSED
    }

    private static final int MAX_TRANSFERS_PER_POLL = 16;

    private final NetServer server;
    private final SocketChannel channel;
    private final String remote;
    private SelectionKey key;
    private State state = State.HANDSHAKE;
    private ByteBuffer request = ByteBuffer.allocate(SubscribeRequestDescriptor.MAX_REQUEST_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer control = ByteBuffer.allocate(ControlFrames.MAX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private boolean writeBlocked;
    private long deadlineNs;
    private long lastSendNs;

    private ArchiveView view;
    private long position;
    private long limit;
    private long end;
    private boolean endVerified;
    private FileChannel segment;
    private long segmentBase = -1;
    private int stopCode;
    private String stopMessage;

    SubscriberSession(final NetServer server, final SocketChannel channel, final String remote, final long nowNs)
    {
        this.server = server;
        this.channel = channel;
        this.remote = remote;
        this.deadlineNs = nowNs + server.settings().handshakeTimeoutNs();
        request.limit(4); // the magic first: garbage is refused after 4 bytes
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

    /** True while it only waits for the archive to grow (so the server polls it often). */
    boolean isFollowing()
    {
        return State.STREAMING == state && !writeBlocked && position == limit;
    }

    int onReadable(final long nowNs)
    {
        if (State.HANDSHAKE == state)
        {
            return readRequest(nowNs);
        }
        return readAfterRequest();
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
                    reject(NetErrorCode.HANDSHAKE_TIMEOUT, "the request was not complete within " +
                        server.settings().handshakeTimeoutNs() / 1_000_000 + " ms (" + request.position() +
                        " bytes received)");
                    return 1;
                }
                return 0;
            case STREAMING:
            case FINISHING:
                if (State.FINISHING == state && nowNs - deadlineNs >= 0)
                {
                    close(); // it does not read its last frame: do not wait for it forever
                    return 1;
                }
                return writeBlocked ? 0 : stream(nowNs);
            default:
                return 0;
        }
    }

    private int readRequest(final long nowNs)
    {
        final int n;
        try
        {
            n = channel.read(request);
        }
        catch (final IOException ex)
        {
            server.onHandshakeFailed(remote, NetErrorCode.MALFORMED_REQUEST, "connection failed: " + ex.getMessage());
            close();
            return 1;
        }
        try
        {
            if (n < 0)
            {
                throw new RequestRejectedException(NetErrorCode.MALFORMED_REQUEST, "connection closed after " +
                    request.position() + " bytes of an incomplete request");
            }
            if (request.position() == 4)
            {
                SubscriptionResolver.checkMagic(request);
                request.limit(SubscribeRequestDescriptor.HEADER_LENGTH);
            }
            if (request.position() == SubscribeRequestDescriptor.HEADER_LENGTH &&
                request.limit() == SubscribeRequestDescriptor.HEADER_LENGTH)
            {
                // read no further than the request: any byte after it is a protocol violation, seen later
                request.limit(SubscriptionResolver.checkHeader(request));
            }
            if (request.position() == request.limit() && request.limit() > SubscribeRequestDescriptor.HEADER_LENGTH)
            {
                start(server.resolver().resolve(request), nowNs);
            }
        }
        catch (final RequestRejectedException ex)
        {
            reject(ex.errorCode, ex.getMessage());
        }
        return 1;
    }

    private void start(final SubscriptionResolver.Subscription subscription, final long nowNs)
    {
        request = null;
        view = subscription.view();
        position = subscription.start();
        limit = position;
        end = subscription.end();
        endVerified = subscription.endVerified();
        state = State.STREAMING;
        lastSendNs = nowNs;
        SubscribeResponseDescriptor.encodeOk(control, position, view.maxFrameLength());
        server.onSubscribed(this, remote, view.topic(), position, end);
    }

    /** Bytes after the request: a protocol violation; -1: the subscriber closed its socket. */
    private int readAfterRequest()
    {
        final ByteBuffer scratch = server.scratch();
        scratch.clear();
        final int n;
        try
        {
            n = channel.read(scratch);
        }
        catch (final IOException ex)
        {
            close();
            return 1;
        }
        if (n < 0)
        {
            close();
            return 1;
        }
        if (n > 0 && State.STREAMING == state && 0 == stopCode)
        {
            stop(NetErrorCode.PROTOCOL_VIOLATION, "the subscriber sent " + n + " byte(s) after its request");
        }
        return 1;
    }

    /** Stops the stream with a STREAM ERROR, sent at the next frame boundary (the current limit). */
    private void stop(final int errorCode, final String message)
    {
        stopCode = errorCode;
        stopMessage = message;
        server.onStreamError(remote, view.topic(), errorCode, message);
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
                close();
                return work;
            }
        }
        if (0 == stopCode)
        {
            refreshLimit();
        }
        for (int i = 0; i < MAX_TRANSFERS_PER_POLL && position < limit; i++)
        {
            final long sent = transfer(nowNs);
            if (sent <= 0)
            {
                return work + (sent < 0 ? 1 : 0);
            }
            work++;
        }
        if (position < limit)
        {
            return work;
        }
        if (0 != stopCode)
        {
            finish(nowNs);
            ControlFrames.streamError(control, position, server.epochNs(), stopCode, stopMessage);
            return work + stream(nowNs);
        }
        if (SubscribeRequestDescriptor.END_LIVE != end && position == end)
        {
            finish(nowNs);
            ControlFrames.end(control, end, server.epochNs());
            return work + stream(nowNs);
        }
        if (nowNs - lastSendNs >= server.settings().heartbeatIntervalNs())
        {
            ControlFrames.heartbeat(control, position, server.epochNs());
            server.counters().heartbeatsSent.increment();
            writeControl(nowNs);
            work++;
        }
        return work;
    }

    private void finish(final long nowNs)
    {
        state = State.FINISHING;
        deadlineNs = nowNs + server.settings().handshakeTimeoutNs();
        updateInterest();
    }

    /**
     * Raises the limit to what the archive holds now (never past the end). Every limit is a frame boundary: the
     * archived position always is, and an end beyond the archive is checked once the archive has passed it.
     */
    private void refreshLimit()
    {
        final long archived = view.archivedPosition();
        if (SubscribeRequestDescriptor.END_LIVE == end || archived < end)
        {
            limit = Math.max(limit, archived);
            return;
        }
        if (!endVerified)
        {
            try
            {
                endVerified = ArchiveFiles.isFrameStart(view.topicDir(), view.segmentLength(), view.firstPosition(),
                    archived, end);
            }
            catch (final IOException ex)
            {
                endVerified = false;
            }
            if (!endVerified)
            {
                stop(NetErrorCode.NOT_FRAME_BOUNDARY, "end position " + end + " is not the first byte of a frame");
                return;
            }
        }
        limit = end;
    }

    /**
     * One {@code transferTo} from the segment file to the socket, within one segment and below the limit.
     *
     * @return bytes sent; 0 when the socket is full (now waiting for OP_WRITE); -1 when the session ended.
     */
    private long transfer(final long nowNs)
    {
        final long segmentLength = view.segmentLength();
        if (null == segment || position >= segmentBase + segmentLength)
        {
            if (!openSegment(SegmentDescriptor.basePosition(position, segmentLength)))
            {
                return -1;
            }
        }
        final long count = Math.min(Math.min(limit, segmentBase + segmentLength) - position, Integer.MAX_VALUE);
        final long sent;
        try
        {
            sent = segment.transferTo(position - segmentBase, count, channel);
            if (0 == sent && position - segmentBase >= segment.size())
            {
                storageError("segment " + SegmentDescriptor.fileName(segmentBase) + " ends at " +
                    (segmentBase + segment.size()) + ", before the archived position " + limit);
                return -1;
            }
        }
        catch (final IOException ex)
        {
            close(); // the subscriber is gone (reset, broken pipe)
            return -1;
        }
        if (0 == sent)
        {
            blockOnWrite();
            return 0;
        }
        position += sent;
        lastSendNs = nowNs;
        server.counters().bytesSent.getAndAdd(sent);
        return sent;
    }

    private boolean openSegment(final long base)
    {
        CloseHelper.quietClose(segment);
        segment = null;
        try
        {
            segment = FileChannel.open(SegmentDescriptor.file(view.topicDir(), base), StandardOpenOption.READ);
            segmentBase = base;
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            // a segment starts with a whole frame, so the stream is at a frame boundary here
            stop(NetErrorCode.POSITION_UNAVAILABLE, "position " + position + " of topic '" + view.topic() +
                "' is no longer available: its segment was deleted by retention (the archive now starts at " +
                view.firstPosition() + ")");
        }
        catch (final IOException ex)
        {
            stop(NetErrorCode.STORAGE_ERROR, "cannot read segment " + SegmentDescriptor.fileName(base) + ": " + ex);
        }
        limit = position; // the boundary where the STREAM ERROR goes
        return false;
    }

    private void storageError(final String message)
    {
        server.onStreamError(remote, view.topic(), NetErrorCode.STORAGE_ERROR, message);
        close(); // mid-frame, perhaps: no STREAM ERROR can follow, the subscriber sees the connection end
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
            key.interestOps((State.FINISHING == state ? 0 : SelectionKey.OP_READ) |
                (writeBlocked ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** Refuses the request: an ERROR response if the socket takes it at once (never waits), then close. */
    private void reject(final int errorCode, final String message)
    {
        server.onHandshakeFailed(remote, errorCode, message);
        SubscribeResponseDescriptor.encodeError(control, errorCode, message);
        server.writeLastWords(channel, control);
        close();
    }

    void close()
    {
        if (State.CLOSED == state)
        {
            return;
        }
        if (State.HANDSHAKE != state)
        {
            server.counters().subscriptionsActive.decrement();
        }
        state = State.CLOSED;
        if (null != key)
        {
            key.cancel();
        }
        CloseHelper.quietClose(channel);
        CloseHelper.quietClose(segment);
        segment = null;
    }
}
