package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveFiles;
import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.SegmentCursor.SegmentTruncatedException;
import io.shmbus.broker.archive.SegmentCursor;
import io.shmbus.broker.archive.StoredFrameWalk;
import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.remote.RemoteProtocol;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;

/**
 * The data path of one subscription: sends a topic's segment files from a position to a socket with
 * {@link FileChannel#transferTo} (sendfile: page cache to socket, no copy in the JVM), never past a <em>limit</em>
 * that is always a frame boundary: what the archive holds now, or, once the archive has reached the end of a
 * bounded replay, the <em>stop</em>: the last frame start at or before that end, so the replay sends every frame
 * that lies wholly before the end and no byte past it. A partial write leaves the position inside a frame; the
 * next call goes on from there. Holds at most one open segment file (a {@link SegmentCursor}).
 * <p>
 * Network server thread only. Reads the {@link ArchiveView}, never the archiver.
 */
final class SegmentSender implements AutoCloseable
{
    /** How far ahead of the position one check of frame headers goes (an archiving step). */
    private static final long CHECK_STEP = 1024 * 1024;

    private final ArchiveView view;
    private final StoredFrameWalk walk;
    /** Every frame in {@code [start, checkedTo)} passed its header check; a frame boundary. */
    private long checkedTo;
    private final long end;
    private long stop = -1;
    private long position;
    private long limit;
    private final SegmentCursor segments;

    /**
     * @param end the exclusive end of a bounded replay (a multiple of the frame alignment, after the start), or
     *            {@link RemoteProtocol#END_LIVE}.
     */
    SegmentSender(final ArchiveView view, final long start, final long end)
    {
        this.view = view;
        this.position = start;
        this.limit = start;
        this.end = end;
        this.segments = new SegmentCursor(view.topicDir(), view.segmentLength(), false);
        this.walk = new StoredFrameWalk(view.maxFrameLength());
        this.checkedTo = start;
    }

    ArchiveView view()
    {
        return view;
    }

    long position()
    {
        return position;
    }

    /** True when everything up to the limit was sent: the stream is between whole frames. */
    boolean isAtLimit()
    {
        return position == limit;
    }

    /** True for a bounded replay that sent every frame before its end: END goes next, at {@link #position()}. */
    boolean isComplete()
    {
        return stop >= 0 && position == stop;
    }

    /**
     * Raises the limit to what the archive holds now; for a bounded replay whose end the archive has reached, to
     * the last frame start at or before the end (a frame the end falls inside of is not sent).
     *
     * @throws RequestRejectedException when that frame start cannot be found (the segment was deleted or cannot
     *                                  be read); the limit stays where it was, at a frame boundary.
     */
    void refreshLimit() throws RequestRejectedException
    {
        final long archived = view.archivedPosition();
        if (RemoteProtocol.END_LIVE == end || archived < end)
        {
            limit = Math.max(limit, archived); // every frame below the archived position ends before the end
            return;
        }
        if (stop < 0)
        {
            stop = lastFrameStartBeforeEnd(archived);
        }
        limit = stop;
    }

    private long lastFrameStartBeforeEnd(final long archived) throws RequestRejectedException
    {
        final String segment = SegmentDescriptor.fileName(SegmentDescriptor.basePosition(end, view.segmentLength()));
        final long start;
        try
        {
            start = ArchiveFiles.lastFrameStartAtOrBefore(
                view.topicDir(), view.segmentLength(), view.firstPosition(), archived, end);
        }
        catch (final DamagedStorageException ex)
        {
            // damage before the end: the frames before it go out, then the stream stops there
            throw damaged(ex.position(), ex.reason() + " (walking to the end position " + end + ")");
        }
        catch (final NoSuchFileException ex)
        {
            throw new RequestRejectedException(RemoteProtocol.POSITION_UNAVAILABLE, "segment " + segment +
                " of topic '" + view.topic() + "', which holds end position " + end + ", was deleted by retention " +
                "(the archive now starts at " + view.firstPosition() + ")");
        }
        catch (final IOException ex)
        {
            throw new RequestRejectedException(RemoteProtocol.STORAGE_ERROR, "cannot read segment " + segment +
                " of topic '" + view.topic() + "': " + ex);
        }
        if (start < limit) // -1: a header on the way is not a frame's
        {
            throw new RequestRejectedException(RemoteProtocol.STORAGE_ERROR, "segment " + segment + " of topic '" +
                view.topic() + "' is damaged before end position " + end + ": no frame boundary found there");
        }
        return start;
    }

    /**
     * One {@code transferTo} from the segment file holding the position, below the limit and the segment's end, of
     * frames whose headers were checked first ({@link StoredFrameWalk}, an archiving step ahead at a time): a
     * damaged frame is never sent.
     *
     * @return bytes sent; 0 when the socket is full.
     * @throws RequestRejectedException  when the segment is gone (retention), cannot be read, or holds a damaged
     *                                   frame: the limit then stays at the frame boundary where the stream must stop,
     *                                   and the frames before it are still sent.
     * @throws SegmentTruncatedException when the file ends, inside a frame already partly sent, before the archived
     *                                   position (it was cut while being read).
     * @throws IOException               when the socket fails (the subscriber is gone).
     */
    long send(final WritableByteChannel socket) throws IOException, RequestRejectedException
    {
        try
        {
            segments.moveTo(position);
        }
        catch (final SegmentTruncatedException ex)
        {
            if (position != checkedTo)
            {
                throw ex;
            }
            throw damaged(position, ex.getMessage());
        }
        catch (final NoSuchFileException ex)
        {
            limit = position;
            throw new RequestRejectedException(RemoteProtocol.POSITION_UNAVAILABLE, "position " + position +
                " of topic '" + view.topic() + "' is no longer available: its segment was deleted by retention " +
                "(the archive now starts at " + view.firstPosition() + ")");
        }
        catch (final IOException ex)
        {
            limit = position;
            throw new RequestRejectedException(RemoteProtocol.STORAGE_ERROR, "cannot read segment " +
                SegmentDescriptor.fileName(SegmentDescriptor.basePosition(position, view.segmentLength())) +
                " of topic '" + view.topic() + "': " + ex);
        }
        if (position == checkedTo)
        {
            checkFrames();
        }
        final long sent = segments.transferTo(position, Math.min(limit, checkedTo), socket);
        position += sent;
        return sent;
    }

    /** Checks the frame headers from {@code checkedTo} on: an archiving step, up to the limit or the segment end. */
    private void checkFrames() throws IOException, RequestRejectedException
    {
        final long base = segments.base();
        final long end = Math.min(limit, base + view.segmentLength());
        walk.start(segments.channel(), base, checkedTo, end);
        final long stepEnd = checkedTo + CHECK_STEP;
        while (walk.position() < stepEnd && walk.hasFrame())
        {
            walk.next();
        }
        checkedTo = walk.position();
        if (null != walk.problem())
        {
            throw damaged(checkedTo, walk.problem());
        }
    }

    /** The stream stops at a damaged frame: what comes before it still goes out, then a STREAM ERROR. */
    private RequestRejectedException damaged(final long at, final String reason)
    {
        limit = at;
        checkedTo = at;
        view.onDamage();
        final DamagedStorageException damage = new DamagedStorageException(view.topic(), SegmentDescriptor.file(
            view.topicDir(), SegmentDescriptor.basePosition(at, view.segmentLength())), at, reason);
        return new RequestRejectedException(RemoteProtocol.STORAGE_ERROR, damage.getMessage());
    }

    public void close()
    {
        segments.close();
    }
}
