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
 * that is always a frame boundary: what the archive holds now, or the end of a bounded replay once the archive
 * has passed it and it has been checked to be a frame start. A partial write leaves the position inside a frame;
 * the next call goes on from there. Holds at most one open segment file (a {@link SegmentCursor}).
 * <p>
 * Network server thread only. Reads the {@link ArchiveView}, never the archiver.
 */
final class SegmentSender implements AutoCloseable
{
    private final ArchiveView view;
    private final long end;
    private boolean endVerified;
    private long position;
    private long limit;
    private final SegmentCursor segments;

    SegmentSender(final ArchiveView view, final long start, final long end, final boolean endVerified)
    {
        this.view = view;
        this.position = start;
        this.limit = start;
        this.end = end;
        this.endVerified = endVerified;
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

    /** True for a bounded replay that sent everything up to its end. */
    boolean isComplete()
    {
        return RemoteProtocol.END_LIVE != end && position == end;
    }

    /**
     * Raises the limit to what the archive holds now, never past the end.
     *
     * @throws RequestRejectedException NOT_FRAME_BOUNDARY when the archive passed an end that is not a frame start;
     *                                  the limit stays at the last boundary before it.
     */
    void refreshLimit() throws RequestRejectedException
    {
        final long archived = view.archivedPosition();
        if (RemoteProtocol.END_LIVE == end || archived < end)
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
                throw new RequestRejectedException(RemoteProtocol.NOT_FRAME_BOUNDARY, "end position " + end +
                    " is not the first byte of a frame");
            }
        }
        limit = end;
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
