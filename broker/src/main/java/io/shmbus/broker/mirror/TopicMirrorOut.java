package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.archive.SegmentCursor;
import io.shmbus.broker.archive.SegmentCursor.SegmentTruncatedException;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrameCheck;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;

import static io.shmbus.client.log.FrameDescriptor.FRAME_LENGTH_OFFSET;
import static io.shmbus.client.log.FrameDescriptor.HEADER_LENGTH;

/**
 * The mirror of one topic: sends the topic's frames, read from its segment files (never from its ring, so it can
 * never hold the topic's producers back), on an Aeron publication. Each message is whole stored frames, byte for
 * byte, as many as fit in the publication's largest unfragmented payload; a longer frame goes alone and Aeron
 * fragments it.
 * <p>
 * While nobody listens (the publication is not connected) it stays at the live edge, the archived position; once
 * connected it sends every frame in order from where it is, waits on back pressure and never skips one. Each
 * frame's header is checked ({@link StoredFrameCheck}: length, type, version, position) before it is sent: at damaged
 * storage the frames before it go out, then this topic's mirror stops, reported to the error handler, and its
 * publication is closed, so receivers see the stream end rather than wait for it. A topic deleted and made again is
 * followed from its first position.
 * <p>
 * Mirror sender thread only (the constructor and {@link #close()} also on the thread that starts and stops the
 * broker, while that thread does not run). Its duty cycle allocates nothing.
 */
final class TopicMirrorOut implements AutoCloseable
{
    /** Bytes of the segment files read at a time, when the topic's largest frame is not larger. */
    static final int MIN_CHUNK_LENGTH = 256 * 1024;
    /** Aeron's largest message, whatever the term length. */
    private static final int AERON_MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;

    private final String topic;
    private final String channel;
    private final int streamId;
    private final Aeron aeron;
    private final ArchiveViews views;
    private final MirrorOutCounters counters;
    private final ErrorHandler errorHandler;
    private ExclusivePublication publication;
    private ArchiveView view;
    private SegmentCursor segments;
    private ByteBuffer chunk = ByteBuffer.allocateDirect(MIN_CHUNK_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);
    /** The chunk holds the stream's bytes {@code [chunkStart, chunkStart + chunkLength)}, read from the segments. */
    private long chunkStart;
    private int chunkLength;
    /** Everything before it was offered (or skipped while nobody listened); a frame boundary. */
    private long position;
    /** The whole, checked frames at {@link #position} in the chunk that go in the next offer; 0 when none. */
    private int batchLength;
    private boolean connected;
    private boolean failed;
    /** True once the mirror has followed an archive of the topic. */
    private boolean attached;

    /**
     * Adds the topic's publication and counters.
     *
     * @throws ConfigurationException when the media driver refuses the channel, or the topic (when open already)
     *                                has frames longer than the channel's largest message.
     */
    TopicMirrorOut(
        final String topic,
        final String channel,
        final int streamId,
        final Aeron aeron,
        final ArchiveViews views,
        final CountersManager countersManager,
        final ErrorHandler errorHandler)
    {
        this.topic = topic;
        this.channel = channel;
        this.streamId = streamId;
        this.aeron = aeron;
        this.views = views;
        this.errorHandler = errorHandler;
        this.counters = new MirrorOutCounters(topic, countersManager);
        try
        {
            publication = addPublication();
            final ArchiveView open = views.get(topic);
            final String tooLong = null == open ? null : tooLong(open);
            if (null != tooLong)
            {
                throw new ConfigurationException(tooLong);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private ExclusivePublication addPublication()
    {
        try
        {
            return aeron.addExclusivePublication(channel, streamId);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigurationException("topic '" + topic + "' cannot be mirrored out on " + channel +
                " (stream id " + streamId + "): the media driver refused it: " + ex.getMessage());
        }
    }

    String topic()
    {
        return topic;
    }

    String channel()
    {
        return channel;
    }

    int streamId()
    {
        return streamId;
    }

    /** One step: follows the topic's view, the publication's connection, and offers the next batch. */
    int doWork()
    {
        if (failed)
        {
            return 0;
        }
        final ArchiveView current = views.get(topic);
        if (current != view)
        {
            attach(current);
            return 1;
        }
        if (null == view)
        {
            return 0;
        }
        if (!publication.isConnected())
        {
            if (connected)
            {
                connected = false;
                counters.connected.setRelease(0);
            }
            toLiveEdge();
            return 0;
        }
        if (!connected)
        {
            connected = true;
            counters.connected.setRelease(1);
        }
        return send();
    }

    /**
     * The topic was opened, deleted, or deleted and made again: follow its new archive. The first archive the mirror
     * sees it starts at the live edge; a topic made again while the broker runs is new, none of it sent yet: from its
     * first position (the live edge instead when nobody listens, as always).
     */
    private void attach(final ArchiveView current)
    {
        final boolean madeAgain = attached;
        CloseHelper.quietClose(segments);
        segments = null;
        view = current;
        chunkLength = 0;
        batchLength = 0;
        if (null == current)
        {
            return;
        }
        final String tooLong = tooLong(current);
        if (null != tooLong)
        {
            fail(new ShmbusException(tooLong));
            return;
        }
        final int largest = (int)StoredFrameCheck.alignedLength(current.maxFrameLength());
        if (chunk.capacity() < largest)
        {
            chunk = ByteBuffer.allocateDirect(largest).order(ByteOrder.LITTLE_ENDIAN);
            chunkView.wrap(chunk);
        }
        segments = new SegmentCursor(current.topicDir(), current.segmentLength(), false);
        attached = true;
        position = -1;
        if (madeAgain)
        {
            position = current.firstPosition();
            counters.position.setRelease(position);
        }
        else
        {
            toLiveEdge();
        }
    }

    /** A message why the topic's largest frame cannot be one message of the publication, or null when it can. */
    private String tooLong(final ArchiveView view)
    {
        final long largest = StoredFrameCheck.alignedLength(view.maxFrameLength());
        if (largest <= publication.maxMessageLength())
        {
            return null;
        }
        final String fix = largest > AERON_MAX_MESSAGE_LENGTH ?
            "Aeron carries messages of at most 16 MiB: give the topic a max.message.length of at most 16m - " +
            HEADER_LENGTH :
            "add term-length=" + Math.max(64 * 1024, BitUtil.findNextPositivePowerOfTwo(8 * (int)largest)) +
            " to its mirror.channel (a message may take an eighth of a term)";
        return "topic '" + topic + "' holds frames of up to " + largest + " bytes, longer than the largest message " +
            "of its mirror channel " + channel + ", " + publication.maxMessageLength() + " bytes: " + fix;
    }

    private void toLiveEdge()
    {
        final long archived = view.archivedPosition();
        if (position != archived)
        {
            position = archived;
            batchLength = 0;
            counters.position.setRelease(archived);
        }
    }

    private int send()
    {
        if (0 == batchLength)
        {
            final long archived = view.archivedPosition();
            if (position >= archived || !formBatch(archived))
            {
                return 0;
            }
        }
        final long result = publication.offer(chunkView, (int)(position - chunkStart), batchLength);
        if (result > 0)
        {
            position += batchLength;
            batchLength = 0;
            counters.position.setRelease(position);
            return 1;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            counters.backPressured.increment();
            return 0;
        }
        if (Publication.NOT_CONNECTED == result)
        {
            return 0; // the next step sees it, and waits at the live edge
        }
        if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            // the publication's log is used up (2^31 terms): a new one, a new Aeron session, from the live edge
            CloseHelper.quietClose(publication);
            publication = addPublication();
            return 1;
        }
        fail(new ShmbusException("topic '" + topic + "': its mirror publication on " + channel + " (stream id " +
            streamId + ") was closed (offer returned " + result + "); the topic is no longer mirrored"));
        return 1;
    }

    /**
     * Forms the next batch at the position: the whole frames that fit in one unfragmented message (or one longer
     * frame alone), each header checked, none past the archived position.
     *
     * @return false when there is none: damaged storage stopped the mirror, or a deleted segment moved it on.
     */
    private boolean formBatch(final long archived)
    {
        final int maxPayload = publication.maxPayloadLength();
        final long segmentLength = view.segmentLength();
        int length = 0;
        long frame = position;
        while (frame < archived)
        {
            if (frame + HEADER_LENGTH > chunkStart + chunkLength || frame < chunkStart)
            {
                if (length > 0)
                {
                    break; // the batch ends with the chunk; the next one reads on
                }
                if (!read(frame, archived))
                {
                    return false;
                }
            }
            final int at = (int)(frame - chunkStart);
            final long dataEnd = Math.min(archived, SegmentDescriptor.basePosition(frame, segmentLength) +
                segmentLength);
            final String problem = StoredFrameCheck.problem(chunkView, at, frame, dataEnd - frame,
                view.maxFrameLength());
            if (null != problem)
            {
                if (length > 0)
                {
                    break; // the frames before the damage go out first
                }
                damaged(frame, problem);
                return false;
            }
            final int aligned = (int)StoredFrameCheck.alignedLength(chunkView.getInt(at + FRAME_LENGTH_OFFSET));
            if (at + aligned > chunkLength)
            {
                if (length > 0)
                {
                    break;
                }
                if (!read(frame, archived)) // the chunk holds the largest frame: it is whole after this
                {
                    return false;
                }
                continue;
            }
            if (length > 0 && length + aligned > maxPayload)
            {
                break;
            }
            length += aligned;
            frame += aligned;
            if (length >= maxPayload)
            {
                break; // a frame longer than a message's payload goes alone, fragmented by Aeron
            }
        }
        batchLength = length;
        return length > 0;
    }

    /**
     * Reads the stream from {@code from} toward the archived position into the chunk, from as many segment files
     * as it crosses.
     *
     * @return false when it could not: damaged storage stopped the mirror, or a deleted segment moved it on.
     */
    private boolean read(final long from, final long archived)
    {
        chunkStart = from;
        chunkLength = 0;
        final int want = (int)Math.min(chunk.capacity(), archived - from);
        long at = from;
        try
        {
            while (chunkLength < want)
            {
                segments.moveTo(at);
                final long segmentEnd = segments.base() + view.segmentLength();
                final int end = chunkLength + (int)Math.min(want - chunkLength, segmentEnd - at);
                chunk.limit(end).position(chunkLength);
                while (chunk.hasRemaining())
                {
                    final int n = segments.channel().read(chunk, at + (chunk.position() - chunkLength) -
                        segments.base());
                    if (n < 0)
                    {
                        final long fileEnd = at + (chunk.position() - chunkLength);
                        chunkLength = 0;
                        damaged(fileEnd, "the segment ends at position " + fileEnd + ", before position " + archived +
                            " that the archive holds (truncated)");
                        return false;
                    }
                }
                at += end - chunkLength;
                chunkLength = end;
            }
            return true;
        }
        catch (final SegmentTruncatedException ex)
        {
            chunkLength = 0;
            damaged(at, ex.getMessage());
            return false;
        }
        catch (final NoSuchFileException ex)
        {
            chunkLength = 0;
            fellBehindRetention(at);
            return false;
        }
        catch (final IOException ex)
        {
            chunkLength = 0;
            fail(new ShmbusException("topic '" + topic + "': its mirror cannot read segment " +
                SegmentDescriptor.fileName(SegmentDescriptor.basePosition(at, view.segmentLength())) + ": " + ex +
                "; the topic is no longer mirrored", ex));
            return false;
        }
    }

    /**
     * Retention deleted what the mirror had not sent yet (it was held back longer than the topic keeps data): said,
     * then on from the live edge; a receiver sees the jump in positions.
     */
    private void fellBehindRetention(final long at)
    {
        final long archived = view.archivedPosition();
        errorHandler.onError(new ShmbusException("topic '" + topic + "': its mirror was held back past retention: " +
            "position " + at + " was deleted (the archive now starts at " + view.firstPosition() + "); the mirror " +
            "goes on from the live edge, position " + archived));
        position = archived;
        batchLength = 0;
        counters.position.setRelease(archived);
    }

    private void damaged(final long at, final String reason)
    {
        view.onDamage();
        fail(new DamagedStorageException(topic, SegmentDescriptor.file(view.topicDir(),
            SegmentDescriptor.basePosition(at, view.segmentLength())), at,
            reason + "; the mirror sent every frame before it and stops there"));
    }

    /** Stops this topic's mirror for good: reported, its publication closed so that receivers see the end. */
    private void fail(final Throwable reason)
    {
        failed = true;
        batchLength = 0;
        CloseHelper.quietClose(publication);
        CloseHelper.quietClose(segments);
        segments = null;
        counters.connected.setRelease(0);
        errorHandler.onError(reason);
    }

    /** Closes the publication, the open segment file and the counters. */
    public void close()
    {
        CloseHelper.quietClose(publication);
        CloseHelper.quietClose(segments);
        segments = null;
        counters.close();
    }
}
