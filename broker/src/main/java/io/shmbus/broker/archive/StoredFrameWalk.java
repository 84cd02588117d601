package io.shmbus.broker.archive;

import io.shmbus.client.log.StoredFrameCheck;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * The one walk over the frames stored in a segment file, for every reader of segments in the broker: recovery and
 * {@code verify} ({@link SegmentScanner}), the frame-boundary and time lookups ({@link ArchiveFiles}), the senders
 * that check what they send ({@link SegmentRangeSender}, the network server's {@code SegmentSender}). Each header
 * is checked with {@link StoredFrameCheck} before its length is used, so a damaged length can neither overflow nor
 * carry the walk past sound frames or the end of the data: the walk stops at the first damaged frame and says what
 * is wrong with it.
 * <pre>{@code
 * walk.start(channel, base, from, end);
 * while (walk.hasFrame())
 * {
 *     ... walk.position(), walk.type(), walk.timestamp() ...
 *     walk.next();
 * }
 * if (null != walk.problem()) ... damaged at walk.position()
 * }</pre>
 * Headers are read with positional reads into a direct buffer: 64 KiB at a time while frames are small, the header
 * alone after a large frame, so that walking large frames reads almost none of their payload.
 * <p>
 * Not thread-safe: one walk at a time; reuses its buffers.
 */
public final class StoredFrameWalk
{
    static final int CHUNK_LENGTH = 64 * 1024;
    /** After a frame at least this long the next read takes the next header alone. */
    private static final int LARGE_FRAME = 4096;

    private final int maxFrameLength;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);
    private ByteBuffer frameBuffer = ByteBuffer.allocateDirect(CHUNK_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private FileChannel channel;
    private long base;
    private long end;
    private long fileEnd;
    private long position;
    private long previous;
    private long chunkStart;
    private int chunkLength;
    private int at;
    private int frameLength;
    private boolean checked;
    private boolean zeroLength;
    private String problem;

    /**
     * @param maxFrameLength the topic's largest frame, header included, or {@link StoredFrameCheck#MAX_FRAME_LENGTH}
     *                       when the reader does not know it.
     */
    public StoredFrameWalk(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    /**
     * Starts a walk over the segment in {@code channel}, whose first byte is stream position {@code base}.
     *
     * @param from a frame start in the segment.
     * @param end  where the walk ends: a frame boundary the data is known to reach (the archived position, the end
     *             of a range), or the end of the file. A file that ends before it is reported as truncated.
     */
    public void start(final FileChannel channel, final long base, final long from, final long end) throws IOException
    {
        this.channel = channel;
        this.base = base;
        this.position = from;
        this.previous = -1;
        this.fileEnd = base + channel.size();
        this.end = end;
        this.chunkStart = from;
        this.chunkLength = 0;
        this.checked = false;
        this.zeroLength = false;
        this.problem = null;
    }

    /**
     * Reads and checks the frame at {@link #position()}.
     *
     * @return true when a sound frame starts there; false at the end of the walk ({@link #problem()} null) or at a
     * damaged frame ({@link #problem()} says what is wrong).
     */
    public boolean hasFrame() throws IOException
    {
        if (checked)
        {
            return null == problem;
        }
        checked = true;
        if (position >= end)
        {
            return false;
        }
        if (position >= fileEnd)
        {
            problem = "the segment ends at position " + fileEnd + ", before position " + end +
                " that the archive holds (truncated)";
            return false;
        }
        final long available = Math.min(end, fileEnd) - position;
        if (!headerInChunk())
        {
            final boolean afterLargeFrame = frameLength >= LARGE_FRAME;
            read(position, Math.min(available, afterLargeFrame ? HEADER_LENGTH : CHUNK_LENGTH));
        }
        at = (int)(position - chunkStart);
        final int inChunk = chunkLength - at;
        problem = StoredFrameCheck.problem(chunkView, at, position, inChunk < HEADER_LENGTH ? inChunk : available,
            maxFrameLength);
        if (null != problem)
        {
            zeroLength = inChunk >= HEADER_LENGTH && 0 == chunkView.getInt(at + FRAME_LENGTH_OFFSET);
            return false;
        }
        frameLength = chunkView.getInt(at + FRAME_LENGTH_OFFSET);
        return true;
    }

    /** Moves past the sound frame {@link #hasFrame()} found. */
    public void next()
    {
        previous = position;
        position += StoredFrameCheck.alignedLength(frameLength);
        checked = false;
    }

    /** The position of the frame being looked at: after the walk, where it ended or the damaged frame. */
    public long position()
    {
        return position;
    }

    /** What is wrong with the frame at {@link #position()}, or null. */
    public String problem()
    {
        return problem;
    }

    /** True when the walk stopped at a frame whose length field is 0 (nothing was written there). */
    public boolean stoppedAtZeroLength()
    {
        return null != problem && zeroLength;
    }

    public int frameLength()
    {
        return frameLength;
    }

    public short type()
    {
        return chunkView.getShort(at + TYPE_OFFSET);
    }

    public byte flags()
    {
        return chunkView.getByte(at + FLAGS_OFFSET);
    }

    public long timestamp()
    {
        return chunkView.getLong(at + TIMESTAMP_OFFSET);
    }

    public int producerId()
    {
        return chunkView.getInt(at + PRODUCER_ID_OFFSET);
    }

    public int checksum()
    {
        return chunkView.getInt(at + CHECKSUM_OFFSET);
    }

    /**
     * The payload of the sound frame {@link #hasFrame()} found, as a buffer positioned at its first byte and
     * limited to its end: a view of the read chunk or, for a payload beyond it, a buffer read for it. Valid until
     * the walk moves.
     */
    public ByteBuffer payload() throws IOException
    {
        final int payloadLength = frameLength - HEADER_LENGTH;
        if (at + frameLength <= chunkLength)
        {
            return chunk.duplicate().limit(at + frameLength).position(at + HEADER_LENGTH);
        }
        if (frameBuffer.capacity() < payloadLength)
        {
            frameBuffer = ByteBuffer.allocateDirect(payloadLength).order(ByteOrder.LITTLE_ENDIAN);
        }
        frameBuffer.clear().limit(payloadLength);
        readFully(frameBuffer, position + HEADER_LENGTH);
        return frameBuffer.flip();
    }

    /** The start of the last frame the walk passed, or -1. */
    public long previous()
    {
        return previous;
    }

    /**
     * Looks for the next sound frame after the damaged one the walk stopped at: the first frame-aligned position
     * before the end whose header passes {@link StoredFrameCheck} (it names its own position, so bytes of a payload
     * are not taken for one by chance). The search starts inside the last frame the walk passed, since a damaged
     * length that still looked sound may have carried the walk over the start of a sound frame. Continues the walk
     * there when it finds one.
     *
     * @return its position (before the damaged one when the last frame passed overlaps it), or -1 when none lies
     * between the damage and the end.
     */
    public long resync() throws IOException
    {
        final long dataEnd = Math.min(end, fileEnd);
        long candidate = (previous >= 0 ? previous : position) + FRAME_ALIGNMENT;
        while (candidate + HEADER_LENGTH <= dataEnd)
        {
            if (candidate < chunkStart || candidate + HEADER_LENGTH > chunkStart + chunkLength)
            {
                read(candidate, Math.min(CHUNK_LENGTH, dataEnd - candidate));
                if (chunkLength < HEADER_LENGTH)
                {
                    return -1; // the file shrank meanwhile
                }
            }
            final int offset = (int)(candidate - chunkStart);
            if (null == StoredFrameCheck.problem(chunkView, offset, candidate, dataEnd - candidate, maxFrameLength))
            {
                position = candidate;
                previous = -1;
                checked = false;
                zeroLength = false;
                problem = null;
                return candidate;
            }
            candidate += FRAME_ALIGNMENT;
        }
        return -1;
    }

    private boolean headerInChunk()
    {
        return position >= chunkStart && position + HEADER_LENGTH <= chunkStart + chunkLength;
    }

    /** Reads up to {@code length} bytes from stream position {@code from} into the chunk, never past the file. */
    private void read(final long from, final long length) throws IOException
    {
        chunkStart = from;
        chunk.clear().limit((int)Math.max(0, Math.min(length, fileEnd - from)));
        chunkLength = readFully(chunk, from);
    }

    /** Reads until the buffer is full or the file ends; returns the bytes read. */
    private int readFully(final ByteBuffer buffer, final long from) throws IOException
    {
        final int start = buffer.position();
        long offset = from - base;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, offset);
            if (n < 0)
            {
                break;
            }
            offset += n;
        }
        return buffer.position() - start;
    }
}
