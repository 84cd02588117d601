package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveFiles;
import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.SegmentCursor.SegmentTruncatedException;
import io.shmbus.broker.archive.SegmentCursor;
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
    private final ArchiveView view;
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
     * One {@code transferTo} from the segment file holding the position, below the limit and the segment's end.
     *
     * @return bytes sent; 0 when the socket is full.
     * @throws RequestRejectedException  when the segment is gone (retention) or cannot be read: the stream is then
     *                                   at a frame boundary (a segment starts with a frame) and the limit stays
     *                                   there.
     * @throws SegmentTruncatedException when the file ends before the archived position (damaged storage).
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
            throw ex;
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
        final long sent = segments.transferTo(position, limit, socket);
        position += sent;
        return sent;
    }

    public void close()
    {
        segments.close();
    }
}
