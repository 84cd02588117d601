package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.shmbus.broker.config.MirrorConfig;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.MirrorWriter;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * One mirror: receives a topic's live frames from an Aeron subscription and catches up from the source's archive
 * over TCP, merging the two the way Aeron Archive's replay-merge does, and writes every frame at its position through
 * a {@link MirrorWriter} over its own mapping of the topic's ring.
 * <ul>
 *     <li>{@code CATCHING_UP}: frames from TCP are written; live frames are dropped, the end of the last one seen
 *     remembered. Once the written position reaches it (or TCP has been idle and the image is available) the
 *     mirror goes live and closes the TCP subscription.</li>
 *     <li>{@code LIVE}: a live frame below the written position is skipped, one exactly at it is written, one
 *     beyond it is a gap: back to {@code CATCHING_UP} from the written position. Losing the image does the
 *     same, so frames sent while it was gone come from the archive.</li>
 * </ul>
 * A failure (the source unreachable for the first position of a new mirror, a frame this ring cannot hold, a
 * position the source no longer has) is logged with the mirror's config line and retried with backoff.
 * <p>
 * Mirror thread only. Steady state (live, or catching up once connected) allocates nothing.
 */
final class MirrorSession implements AutoCloseable
{
    enum State
    {
        /** Subscribing to the live stream; opening the ring, or asking the source where a new mirror starts. */
        STARTING,
        /** A new mirror: waiting for the source to say its earliest position. */
        PROBING,
        /** A new mirror: its ring file made; waiting for the conductor to open the topic. */
        WAITING_FOR_OPEN,
        CATCHING_UP,
        LIVE,
        /** Waiting to retry after a failure. */
        FAILED
    }

    /**
     * How long the TCP stream must have been quiet, besides a heartbeat at the written position, before an idle
     * source counts as caught up: a pause alone is not enough (a loaded host pauses a catch-up too).
     */
    private static final long TCP_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MIN_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long MAX_BACKOFF_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long REPEAT_REPORT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int LIVE_FRAGMENT_LIMIT = 16;
    private static final int CATCH_UP_FRAGMENT_LIMIT = 64;

    private final MirrorConfig config;
    private final String topic;
    private final Path shmDir;
    private final Set<PosixFilePermission> filePermissions;
    private final Aeron aeron;
    private final MirrorHandOff handOff;
    private final MirrorCounters counters;
    private final BrokerLogger log;
    private final EpochNanoClock epochClock;
    private final String name;
    private final ControlledFragmentAssembler liveAssembler = new ControlledFragmentAssembler(this::onLive);
    private final ControlledFragmentHandler catchUpHandler = this::onCatchUp;
    /** Frames the current catch-up wrote from the source's archive. */
    private long catchUpFrames;
    private final ControlledFragmentHandler probeHandler = (buffer, offset, length, header) ->
        ControlledFragmentHandler.Action.ABORT;

    private State state = State.STARTING;
    private Subscription subscription;
    private RemoteConsumer remote;
    private TopicLog topicLog;
    private MirrorWriter writer;
    private long written = -1;
    private long liveEnd = -1;
    private long sourcePosition = -1;
    private long nowNs;
    private long lastTcpFrameNs;
    private long retryAtNs;
    private long backoffNs = MIN_BACKOFF_NS;
    private String lastReport;
    private long lastReportNs;

    MirrorSession(
        final MirrorConfig config,
        final Path shmDir,
        final Set<PosixFilePermission> filePermissions,
        final Aeron aeron,
        final MirrorHandOff handOff,
        final MirrorCounters counters,
        final BrokerLogger log,
        final EpochNanoClock epochClock)
    {
        this.config = config;
        this.topic = config.topic();
        this.shmDir = shmDir;
        this.filePermissions = filePermissions;
        this.aeron = aeron;
        this.handOff = handOff;
        this.counters = counters;
        this.log = log;
        this.epochClock = epochClock;
        this.name = "mirror '" + topic + "' (" + config.configLine() + ", source " + config.source() + ", " +
            config.channel() + " stream " + config.streamId() + ")";
    }

    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        try
        {
            switch (state)
            {
                case STARTING:
                    return start();
                case PROBING:
                    return probe();
                case WAITING_FOR_OPEN:
                    return handOff.isOpen(topic) ? openRing() : 0;
                case CATCHING_UP:
                    return catchUp();
                case LIVE:
                    return live();
                default:
                    if (nowNs - retryAtNs >= 0)
                    {
                        state(State.STARTING);
                        return 1;
                    }
                    return 0;
            }
        }
        catch (final RuntimeException ex)
        {
            fail(ex);
            return 1;
        }
    }

    State state()
    {
        return state;
    }

    private int start()
    {
        if (null == subscription)
        {
            subscription = aeron.addSubscription(config.channel(), config.streamId());
        }
        if (handOff.isOpen(topic))
        {
            return openRing();
        }
        // a new mirror: its positions are the source's, so its ring starts at the source's earliest
        remote = RemoteConsumer.subscribe(remoteContext(StartPosition.EARLIEST));
        state(State.PROBING);
        return 1;
    }

    private int probe()
    {
        remote.controlledPoll(probeHandler, 1);
        final long earliest = remote.position();
        if (earliest < 0)
        {
            return 0;
        }
        closeRemote();
        final TopicConfig topicConfig = config.topicConfig();
        TopicLog.openOrCreate(shmDir, topic, topicConfig.capacity(), topicConfig.maxMessageLength(), earliest,
            filePermissions, 5_000).close();
        log.info(BrokerLogger.MIRROR, name + ": a new mirror, starting at the source's earliest position " +
            earliest);
        handOff.requestOpen(topic);
        state(State.WAITING_FOR_OPEN);
        return 1;
    }

    private int openRing()
    {
        topicLog = TopicLog.open(TopicLog.fileOf(shmDir, topic), topic, 5_000);
        writer = new MirrorWriter(topicLog, new FlowControl(topicLog, new ConsumerSlots(topicLog)));
        written = writer.resumePosition();
        counters.position.setRelease(written);
        log.info(BrokerLogger.MIRROR, name + ": writing from position " + written);
        startCatchUp();
        return 1;
    }

    private void startCatchUp()
    {
        closeRemote();
        remote = RemoteConsumer.subscribe(remoteContext(StartPosition.at(written)).includePadding(true)
            .verifyChecksums(true));
        liveEnd = -1;
        catchUpFrames = 0;
        lastTcpFrameNs = nowNs;
        state(State.CATCHING_UP);
    }

    private RemoteConsumer.Context remoteContext(final StartPosition start)
    {
        final RemoteConsumer.Context ctx = new RemoteConsumer.Context()
            .host(config.sourceHost())
            .port(config.sourcePort())
            .topic(topic)
            .start(start)
            .errorHandler(this::onRemoteError);
        if (null != config.token())
        {
            ctx.token(config.token());
        }
        return ctx;
    }

    private int catchUp()
    {
        int work = subscription.controlledPoll(liveAssembler, LIVE_FRAGMENT_LIMIT);
        if (State.CATCHING_UP != state)
        {
            return work;
        }
        final int frames = remote.controlledPoll(catchUpHandler, CATCH_UP_FRAGMENT_LIMIT);
        work += frames;
        catchUpFrames += frames;
        final boolean imageAvailable = subscription.isConnected();
        counters.connected.setRelease(imageAvailable ? 1 : 0);
        if (imageAvailable && ((liveEnd >= 0 && written >= liveEnd) ||
            (remote.isConnected() && remote.heartbeatPosition() == written &&
            nowNs - lastTcpFrameNs >= TCP_IDLE_NS)))
        {
            closeRemote();
            backoffNs = MIN_BACKOFF_NS;
            if (catchUpFrames > 0)
            {
                counters.catchUps.increment(); // one catch-up done: frames came from the archive, then live
            }
            state(State.LIVE);
            work++;
        }
        return work;
    }

    private int live()
    {
        if (!subscription.isConnected())
        {
            counters.connected.setRelease(0);
            log.warn(BrokerLogger.MIRROR, name + ": the live stream's image is gone at position " + written +
                ": catching up from the source's archive");
            startCatchUp();
            return 1;
        }
        final int work = subscription.controlledPoll(liveAssembler, LIVE_FRAGMENT_LIMIT);
        if (0 == work)
        {
            counters.lagNs.setRelease(0);
        }
        return work;
    }

    /** One Aeron message: whole stored frames, contiguous. */
    private io.aeron.logbuffer.ControlledFragmentHandler.Action onLive(
        final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header header)
    {
        final int limit = offset + length;
        int frameOffset = offset;
        while (frameOffset < limit)
        {
            final int frameLength = limit - frameOffset >= HEADER_LENGTH ?
                buffer.getInt(frameOffset + FRAME_LENGTH_OFFSET) : -1;
            final short type = frameLength > 0 ? buffer.getShort(frameOffset + TYPE_OFFSET) : 0;
            if (frameLength < HEADER_LENGTH || !isKnownType(type) ||
                frameOffset + alignedLength(frameLength) > limit)
            {
                report(name + ": a live message of " + length + " bytes is not whole stored frames (at byte " +
                    (frameOffset - offset) + "): dropped");
                if (State.LIVE == state)
                {
                    startCatchUp();
                }
                return io.aeron.logbuffer.ControlledFragmentHandler.Action.CONTINUE;
            }
            final long position = buffer.getLong(frameOffset + POSITION_OFFSET);
            final long end = position + alignedLength(frameLength);
            sourcePosition(end);
            if (State.LIVE != state)
            {
                liveEnd = end; // catching up: dropped, only its end remembered
            }
            else if (position == written)
            {
                final long result;
                try
                {
                    result = write(buffer, frameOffset);
                }
                catch (final RuntimeException ex)
                {
                    fail(ex); // not thrown into Aeron's poll, which would only log it
                    return io.aeron.logbuffer.ControlledFragmentHandler.Action.BREAK;
                }
                if (Producer.BACK_PRESSURED == result)
                {
                    // the frames before it in this message are written: they are skipped when it comes again
                    return io.aeron.logbuffer.ControlledFragmentHandler.Action.ABORT;
                }
            }
            else if (position > written)
            {
                log.warn(BrokerLogger.MIRROR, name + ": the live stream went on at position " + position +
                    " but the mirror is at " + written + ": catching up from the source's archive");
                startCatchUp();
                liveEnd = limitEnd(buffer, frameOffset, limit);
                return io.aeron.logbuffer.ControlledFragmentHandler.Action.CONTINUE;
            }
            frameOffset += alignedLength(frameLength);
        }
        return io.aeron.logbuffer.ControlledFragmentHandler.Action.CONTINUE;
    }

    /** The end position of the last frame of a message, from the frame at {@code frameOffset} on. */
    private static long limitEnd(final DirectBuffer buffer, final int frameOffset, final int limit)
    {
        int offset = frameOffset;
        long end = -1;
        while (limit - offset >= HEADER_LENGTH)
        {
            final int aligned = alignedLength(buffer.getInt(offset + FRAME_LENGTH_OFFSET));
            if (aligned < HEADER_LENGTH || offset + aligned > limit)
            {
                break;
            }
            end = buffer.getLong(offset + POSITION_OFFSET) + aligned;
            offset += aligned;
        }
        return end;
    }

    /** One frame of the catch-up (DATA or PAD, whole at {@code offset - 32}). */
    private ControlledFragmentHandler.Action onCatchUp(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final long end = header.nextPosition();
        sourcePosition(end);
        lastTcpFrameNs = nowNs;
        if (end <= written)
        {
            return ControlledFragmentHandler.Action.CONTINUE; // already written (a live frame got it first)
        }
        if (header.position() != written)
        {
            counters.gaps.increment(); // the writer refuses it: the catch-up starts again from the written position
        }
        return write(buffer, offset - HEADER_LENGTH) == Producer.BACK_PRESSURED ?
            ControlledFragmentHandler.Action.ABORT : ControlledFragmentHandler.Action.CONTINUE;
    }

    private long write(final DirectBuffer buffer, final int frameOffset)
    {
        final long result = writer.write(buffer, frameOffset);
        if (result > 0)
        {
            written = result;
            counters.position.setRelease(result);
            if (TYPE_DATA == buffer.getShort(frameOffset + TYPE_OFFSET)) // padding carries no time
            {
                counters.lagNs.setRelease(Math.max(0, epochClock.nanoTime() -
                    buffer.getLong(frameOffset + TIMESTAMP_OFFSET)));
            }
        }
        return result;
    }

    private void sourcePosition(final long end)
    {
        if (end > sourcePosition)
        {
            sourcePosition = end;
            counters.sourcePosition.setRelease(end);
        }
    }

    private void onRemoteError(final Throwable error)
    {
        report(name + ": catch-up from " + config.source() + ": " + error.getMessage());
    }

    /** Logs a problem, but the same one again only every {@link #REPEAT_REPORT_NS}. */
    private void report(final String message)
    {
        if (!message.equals(lastReport) || nowNs - lastReportNs >= REPEAT_REPORT_NS)
        {
            lastReport = message;
            lastReportNs = nowNs;
            log.warn(BrokerLogger.MIRROR, message);
        }
    }

    private void fail(final RuntimeException ex)
    {
        closeRemote();
        closeRing();
        log.error(BrokerLogger.MIRROR, name + ": " + ex.getMessage() + "; retrying in " +
            TimeUnit.NANOSECONDS.toMillis(backoffNs) + " ms");
        retryAtNs = nowNs + backoffNs;
        backoffNs = Math.min(MAX_BACKOFF_NS, backoffNs * 2);
        state(State.FAILED);
    }

    private void state(final State newState)
    {
        state = newState;
        counters.state.setRelease(State.CATCHING_UP == newState ? MirrorCounters.CATCHING_UP :
            State.LIVE == newState ? MirrorCounters.LIVE :
            State.FAILED == newState ? MirrorCounters.FAILED : MirrorCounters.STARTING);
    }

    private void closeRemote()
    {
        if (null != remote)
        {
            CloseHelper.quietClose(remote);
            remote = null;
        }
    }

    private void closeRing()
    {
        writer = null;
        if (null != topicLog)
        {
            CloseHelper.quietClose(topicLog);
            topicLog = null;
        }
    }

    public void close()
    {
        closeRemote();
        closeRing();
        CloseHelper.quietClose(subscription);
        counters.close();
    }
}
