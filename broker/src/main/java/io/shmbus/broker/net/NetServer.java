package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.broker.logging.LogLevel;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.remote.RemoteProtocol;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The broker's TCP server for network subscribers (docs/protocol.md): one non-blocking selector loop that accepts
 * connections, reads their requests and sends each subscriber its topic's segment files with {@code sendfile}.
 * It learns what is archived only from the {@link ArchiveViews} the conductor publishes, and reads only the
 * files, never the shared-memory ring, so it cannot hold producers back: a subscriber that does not read only
 * fills its own socket.
 * <p>
 * Runs as an agent on its own thread ({@code shmbus-broker-net}) with {@link #idleStrategy()}, which waits in the
 * selector. The constructor binds the socket (so a busy port fails the broker's start); everything else is on the
 * agent's thread. {@link #onClose()} closes every connection. Ready keys are handed to it by the selector's
 * action-taking {@code select} calls, never through the selected-key set, so a duty cycle with its connections
 * open allocates nothing ({@code SteadyStateAllocationTest}).
 */
public final class NetServer implements Agent
{
    /** How long the selector may wait while some subscriber only waits for the archive to grow. */
    private static final long FOLLOW_WAIT_MS = 1;
    /** How long it may wait otherwise: the granularity of handshake timeouts and heartbeats. */
    private static final long IDLE_WAIT_MS = 50;
    private static final int MAX_ACCEPTS_PER_CYCLE = 64;
    private static final int MAX_DRAIN_BYTES = 64 * 1024;
    /** How long accepting pauses after it failed (e.g. out of file descriptors), instead of failing in a loop. */
    private static final long ACCEPT_PAUSE_NS = 100_000_000L;
    /** Log lines a second about connections; a flood of bad ones is counted, not all logged. */
    private static final int LOG_LINES_PER_SECOND = 20;

    private final NetSettings settings;
    private final NetCounters counters;
    private final LogLimiter log;
    private final ErrorHandler errorHandler;
    private final BrokerLogger logger;
    private final NanoClock nanoClock;
    private final EpochNanoClock epochNanoClock = new OffsetEpochNanoClock();
    private final SubscriptionResolver resolver;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress boundAddress;
    private final List<SubscriberSession> sessions = new ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(4096);
    private final IdleStrategy idleStrategy;
    private final Consumer<SelectionKey> readyKeyHandler = this::onReadyKey;
    private int readyWork;
    private long nextConnectionId;
    private SelectionKey acceptKey;
    private long acceptPausedUntilNs;
    private boolean acceptPaused;

    /**
     * Binds the server socket.
     *
     * @throws ShmbusException when the address cannot be bound (e.g. the port is in use).
     */
    public NetServer(
        final NetSettings settings,
        final ArchiveViews views,
        final NetCounters counters,
        final BrokerLogger log,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock)
    {
        this.settings = settings;
        this.counters = counters;
        this.logger = log;
        this.log = new LogLimiter(log, nanoClock, LOG_LINES_PER_SECOND);
        this.errorHandler = errorHandler;
        this.nanoClock = nanoClock;
        this.resolver = new SubscriptionResolver(views, settings.authTokenBytes());
        Selector openedSelector = null;
        ServerSocketChannel openedChannel = null;
        try
        {
            openedSelector = Selector.open();
            openedChannel = ServerSocketChannel.open();
            openedChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            openedChannel.bind(new InetSocketAddress(settings.bindAddress(), settings.port()), 128);
            openedChannel.configureBlocking(false);
            acceptKey = openedChannel.register(openedSelector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(openedChannel, openedSelector);
            throw new ShmbusException("cannot listen for network subscribers on " + settings.bindAddress() + ":" +
                settings.port() + ": " + (ex instanceof java.nio.channels.UnresolvedAddressException ?
                "unknown address" : ex.getMessage()), ex);
        }
        this.selector = openedSelector;
        this.serverChannel = openedChannel;
        this.idleStrategy = new SelectorIdleStrategy(selector, readyKeyHandler, this::selectWaitMs, errorHandler);
        this.boundAddress = (InetSocketAddress)serverChannel.socket().getLocalSocketAddress();
    }

    /** The address the server listens on, with the real port when 0 was asked for. */
    public InetSocketAddress boundAddress()
    {
        return boundAddress;
    }

    /** The idle strategy to run this agent with: it waits in the selector, so new events wake it at once. */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    public String roleName()
    {
        return "shmbus-broker-net";
    }

    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        if (acceptPaused && nowNs - acceptPausedUntilNs >= 0)
        {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        readyWork = 0;
        try
        {
            selector.selectNow(readyKeyHandler);
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
        int work = readyWork;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final SubscriberSession session = sessions.get(i);
            try
            {
                work += session.poll(nowNs);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
                session.close();
            }
            if (SubscriberSession.State.CLOSED == session.state())
            {
                sessions.remove(i);
                counters.connectionsOpen.setRelease(sessions.size());
            }
        }
        return work;
    }

    /** A key the selector found ready, in a duty cycle or while the idle strategy waits. */
    private void onReadyKey(final SelectionKey key)
    {
        readyWork += onReady(key, nanoClock.nanoTime());
    }

    private int onReady(final SelectionKey key, final long nowNs)
    {
        if (!key.isValid())
        {
            return 0;
        }
        if (null == key.attachment())
        {
            return accept(nowNs);
        }
        final SubscriberSession session = (SubscriberSession)key.attachment();
        int work = 0;
        try
        {
            if (key.isReadable())
            {
                work += session.onReadable(nowNs);
            }
            if (key.isValid() && key.isWritable())
            {
                work += session.onWritable(nowNs);
            }
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex); // a bug must cost one connection, never the server
            session.close();
        }
        return work;
    }

    private int accept(final long nowNs)
    {
        int accepted = 0;
        while (accepted < MAX_ACCEPTS_PER_CYCLE)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final IOException ex)
            {
                // e.g. out of file descriptors: pause accepting rather than fail again on every cycle
                errorHandler.onError(new ShmbusException("network server cannot accept a connection (pausing " +
                    "accepts for " + ACCEPT_PAUSE_NS / 1_000_000 + " ms): " + ex, ex));
                acceptPaused = true;
                acceptPausedUntilNs = nowNs + ACCEPT_PAUSE_NS;
                acceptKey.interestOps(0);
                break;
            }
            if (null == channel)
            {
                break;
            }
            accepted++;
            counters.connectionsAccepted.increment();
            final String remote = remoteOf(channel);
            try
            {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (sessions.size() >= settings.maxConnections())
                {
                    refuse(channel, remote);
                    continue;
                }
                final SubscriberSession session = new SubscriberSession(this, channel, remote, nowNs);
                session.key(channel.register(selector, SelectionKey.OP_READ, session));
                sessions.add(session);
                counters.connectionsOpen.setRelease(sessions.size());
            }
            catch (final IOException ex)
            {
                CloseHelper.quietClose(channel);
            }
        }
        return accepted;
    }

    /**
     * Refuses a connection beyond the limit as soon as it is accepted, without reading its request: holding it
     * until the request arrives would spend on it what the limit protects. The ERROR is the one response this
     * connection gets, whether its request was sent before or after.
     */
    private void refuse(final SocketChannel channel, final String remote)
    {
        counters.connectionsRefused.increment(); // a refusal, not a handshake error: no request was read
        final String message = "the broker has reached its limit of " + settings.maxConnections() + " connections";
        log.log(LogLevel.WARN, "refused " + remote + ": " +
            RemoteProtocol.errorCodeName(RemoteProtocol.TOO_MANY_CONNECTIONS) + ": " + message);
        final ByteBuffer response = ByteBuffer.allocate(ControlFrames.MAX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        // before any request: in version 1, which every client reads, so an older client retries as it should
        ControlFrames.errorResponse(response, RemoteProtocol.VERSION_1, RemoteProtocol.TOO_MANY_CONNECTIONS, message);
        writeLastWords(channel, response);
        CloseHelper.quietClose(channel);
    }

    /**
     * Writes a last message if the socket takes it now (never waits for a subscriber), then reads what the
     * subscriber already sent, so that closing does not reset the connection before it read the message.
     *
     * @return the bytes read and discarded.
     */
    int writeLastWords(final SocketChannel channel, final ByteBuffer message)
    {
        int drained = 0;
        try
        {
            channel.write(message);
            channel.shutdownOutput();
            int n;
            do
            {
                scratch.clear();
                n = channel.read(scratch);
                drained += Math.max(0, n);
            }
            while (n > 0 && drained < MAX_DRAIN_BYTES);
        }
        catch (final IOException ignore)
        {
            // the subscriber is gone: nothing to tell it
        }
        return drained;
    }

    private static String remoteOf(final SocketChannel channel)
    {
        try
        {
            return String.valueOf(channel.getRemoteAddress());
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    void onSubscribed(final String remote, final String topic, final long start, final long end)
    {
        counters.subscriptions.increment();
        counters.subscriptionsActive.increment();
        log.log(LogLevel.INFO, remote + " subscribed to '" + topic + "' from position " + start +
            (RemoteProtocol.END_LIVE == end ? ", live" : " to " + end));
    }

    void onHandshakeFailed(final String remote, final int errorCode, final String message)
    {
        counters.handshakeErrors.increment();
        log.log(LogLevel.WARN, "refused " + remote + ": " + RemoteProtocol.errorCodeName(errorCode) + ": " +
            message);
    }

    void onStreamError(final String remote, final String topic, final int errorCode, final String message)
    {
        counters.streamErrors.increment();
        log.log(LogLevel.WARN, "stopped " + remote + " on '" + topic + "': " +
            RemoteProtocol.errorCodeName(errorCode) + ": " + message);
        // not rate-limited (the error log keeps each distinct error once) and without the address, so the same
        // error met by many subscribers is one entry with a count
        logger.record(BrokerLogger.NET, "stopped a subscriber on '" + topic + "': " +
            RemoteProtocol.errorCodeName(errorCode) + ": " + message);
    }

    /** A number unique to each connection this server accepted, for holding a consumer name. */
    long nextConnectionId()
    {
        return ++nextConnectionId;
    }

    NetSettings settings()
    {
        return settings;
    }

    NetCounters counters()
    {
        return counters;
    }

    SubscriptionResolver resolver()
    {
        return resolver;
    }

    /** A small buffer for bytes that are read only to be discarded. */
    ByteBuffer scratch()
    {
        return scratch;
    }

    long epochNs()
    {
        return epochNanoClock.nanoTime();
    }

    /** How long the idle strategy may wait in the selector: short while a subscriber waits for the archive. */
    private long selectWaitMs()
    {
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            if (sessions.get(i).isFollowing())
            {
                return FOLLOW_WAIT_MS;
            }
        }
        return IDLE_WAIT_MS;
    }

    /** Wakes the selector, so that a thread closing the broker does not wait for a select to time out. */
    public void wakeup()
    {
        selector.wakeup();
    }

    public void onClose()
    {
        for (final SubscriberSession session : sessions)
        {
            session.close();
        }
        sessions.clear();
        counters.connectionsOpen.setRelease(0);
        CloseHelper.quietCloseAll(serverChannel, selector);
    }
}
