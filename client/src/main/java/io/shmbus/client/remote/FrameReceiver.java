package io.shmbus.client.remote;

import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32C;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Reads the frame stream of one subscription from a channel into a direct buffer and hands DATA payloads to a
 * handler in place. Checks every frame's position, skips PAD (or, when asked, delivers it like DATA, so a copy of the
 * stream can be byte for byte), HEARTBEAT and the types a later broker may add (6 and up: frames the broker makes,
 * which never advance the position), and stops at END, at a STREAM ERROR, at a frame that breaks the protocol, or at
 * the end of the stream, leaving the reason in {@link #status()}.
 * <p>
 * Whole frames only: a frame split across reads is delivered once all of it has arrived. {@link #receive}
 * allocates nothing unless it stops on an error. Not thread-safe.
 */
final class FrameReceiver
{
    /** Nothing stopped the stream: more frames may follow. */
    static final int STREAMING = 0;
    static final int END = 1;
    static final int STREAM_ERROR = 2;
    /** A frame broke the protocol: see {@link #problem()}. */
    static final int BAD_FRAME = 3;
    static final int BAD_CHECKSUM = 4;
    static final int END_OF_STREAM = 5;
    /** The channel failed: see {@link #ioException()}. */
    static final int IO_ERROR = 6;

    static final int MIN_CAPACITY = 64 * 1024;
    /** Largest max frame length accepted from a broker: that of a topic of the largest capacity. */
    static final int MAX_FRAME_LENGTH_LIMIT = LogDescriptor.MAX_CAPACITY / 4;
    private static final int MIN_READ_SPACE = 4096;

    private final boolean verifyChecksums;
    private final boolean includePadding;
    private final Header header = new Header();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer byteBuffer;
    private ByteBuffer checksumView;
    private UnsafeBuffer buffer;
    private int capacity;
    private int readOffset;
    private int writeOffset;
    private long position;
    private int maxFrameLength;
    private int status;
    private int errorCode;
    private String problem;
    private long bytesReceived;
    private IOException ioException;
    private boolean aborted;
    /** The position of the last HEARTBEAT on this connection, or -1. */
    private long heartbeatPosition = -1;
    /** The position after the last message a handler answered COMMIT to in the last call, or -1. */
    private long commitActionPosition = -1;

    FrameReceiver(final boolean verifyChecksums)
    {
        this(verifyChecksums, false);
    }

    /**
     * @param includePadding deliver PAD frames to the handler as well (their {@link Header} says the type).
     */
    FrameReceiver(final boolean verifyChecksums, final boolean includePadding)
    {
        this.verifyChecksums = verifyChecksums;
        this.includePadding = includePadding;
    }

    /** The buffer size for a topic's max frame length: two of its largest frames, at least 64 KiB. */
    static int capacityFor(final int maxFrameLength)
    {
        return Math.max(MIN_CAPACITY, 2 * alignedLength(maxFrameLength));
    }

    /**
     * Starts a new stream at {@code position}, growing the buffer if this topic's frames need more room.
     */
    void reset(final long position, final int maxFrameLength)
    {
        final int required = capacityFor(maxFrameLength);
        if (null == byteBuffer || capacity < required)
        {
            byteBuffer = ByteBuffer.allocateDirect(required);
            checksumView = byteBuffer.duplicate();
            buffer = new UnsafeBuffer(byteBuffer);
            capacity = required;
        }
        this.position = position;
        this.maxFrameLength = maxFrameLength;
        heartbeatPosition = -1;
        readOffset = 0;
        writeOffset = 0;
        status = STREAMING;
        errorCode = 0;
        problem = null;
        ioException = null;
    }

    /**
     * Delivers up to {@code fragmentLimit} DATA frames, reading from the channel while it has bytes and a whole
     * frame is missing.
     *
     * @return the number of messages delivered; check {@link #status()} for why the stream stopped, if it did.
     */
    int receive(final ReadableByteChannel channel, final FragmentHandler handler, final int fragmentLimit)
    {
        return receive(channel, handler, null, fragmentLimit);
    }

    /**
     * Like {@link #receive(ReadableByteChannel, FragmentHandler, int)}, but after each message the handler's
     * action decides: CONTINUE and COMMIT go on, BREAK stops after the message, ABORT stops before it and leaves it
     * in the buffer, at the same position, for the next call (see {@link #isAborted()}). A handler that throws
     * leaves its message unconsumed, as ABORT does.
     */
    int controlledReceive(
        final ReadableByteChannel channel, final ControlledFragmentHandler handler, final int fragmentLimit)
    {
        return receive(channel, null, handler, fragmentLimit);
    }

    /** One of the two handlers is null; a single loop for both keeps their frame checks the same. */
    private int receive(
        final ReadableByteChannel channel,
        final FragmentHandler handler,
        final ControlledFragmentHandler controlled,
        final int fragmentLimit)
    {
        aborted = false;
        commitActionPosition = -1;
        if (STREAMING != status)
        {
            return 0;
        }
        final UnsafeBuffer buffer = this.buffer;
        int fragments = 0;
        while (fragments < fragmentLimit)
        {
            final int available = writeOffset - readOffset;
            int needed = HEADER_LENGTH;
            if (available >= HEADER_LENGTH)
            {
                final int frameOffset = readOffset;
                final int frameLength = buffer.getInt(frameOffset + FRAME_LENGTH_OFFSET);
                final short type = buffer.getShort(frameOffset + TYPE_OFFSET);
                if (!isPlausible(frameLength, type))
                {
                    badFrame(frameLength, type);
                    break;
                }
                needed = alignedLength(frameLength);
                if (available >= needed)
                {
                    if (buffer.getLong(frameOffset + POSITION_OFFSET) != position &&
                        TYPE_STREAM_ERROR != type)
                    {
                        badPosition(frameOffset, type);
                        break;
                    }
                    if (TYPE_DATA == type || (TYPE_PAD == type && includePadding))
                    {
                        if (TYPE_DATA == type && verifyChecksums && !checksumMatches(frameOffset, frameLength))
                        {
                            break;
                        }
                        if (null != handler)
                        {
                            readOffset += needed;
                            position += needed;
                            ++fragments;
                            handler.onFragment(buffer, frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH,
                                header.wrap(buffer, frameOffset));
                        }
                        else
                        {
                            final ControlledFragmentHandler.Action action = controlled.onFragment(buffer,
                                frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH,
                                header.wrap(buffer, frameOffset));
                            if (ControlledFragmentHandler.Action.ABORT == action)
                            {
                                aborted = true;
                                break;
                            }
                            readOffset += needed;
                            position += needed;
                            ++fragments;
                            if (ControlledFragmentHandler.Action.BREAK == action)
                            {
                                break;
                            }
                            if (ControlledFragmentHandler.Action.COMMIT == action)
                            {
                                commitActionPosition = position;
                            }
                        }
                    }
                    else if (TYPE_PAD == type)
                    {
                        readOffset += needed;
                        position += needed;
                    }
                    else if (TYPE_HEARTBEAT == type)
                    {
                        heartbeatPosition = position; // checked above: the broker's archived end when it sent it
                        readOffset += needed; // made by the broker: the next frame is still at the position
                    }
                    else if (isUnknownType(type))
                    {
                        readOffset += needed;
                    }
                    else if (TYPE_END == type)
                    {
                        readOffset += needed;
                        status = END;
                        break;
                    }
                    else
                    {
                        streamError(frameOffset, frameLength);
                        break;
                    }
                    continue;
                }
            }
            if (!read(channel, needed))
            {
                break;
            }
        }
        return fragments;
    }

    /** Reads once; false when the channel had nothing, ended or failed. */
    private boolean read(final ReadableByteChannel channel, final int needed)
    {
        if (readOffset == writeOffset)
        {
            readOffset = 0;
            writeOffset = 0;
        }
        else if (capacity - readOffset < needed || capacity - writeOffset < MIN_READ_SPACE)
        {
            byteBuffer.limit(writeOffset).position(readOffset);
            byteBuffer.compact();
            writeOffset -= readOffset;
            readOffset = 0;
        }
        byteBuffer.limit(capacity).position(writeOffset);
        final int bytes;
        try
        {
            bytes = channel.read(byteBuffer);
        }
        catch (final IOException ex)
        {
            status = IO_ERROR;
            ioException = ex;
            return false;
        }
        if (bytes < 0)
        {
            status = END_OF_STREAM;
            return false;
        }
        writeOffset += bytes;
        bytesReceived += bytes;
        return bytes > 0;
    }

    private boolean isPlausible(final int frameLength, final short type)
    {
        if (frameLength < HEADER_LENGTH)
        {
            return false;
        }
        if (TYPE_DATA == type || TYPE_PAD == type)
        {
            return frameLength <= maxFrameLength;
        }
        if (TYPE_HEARTBEAT == type || TYPE_END == type)
        {
            return HEADER_LENGTH == frameLength;
        }
        return (TYPE_STREAM_ERROR == type || isUnknownType(type)) &&
            frameLength <= RemoteProtocol.MAX_CONTROL_FRAME_LENGTH;
    }

    /** A type after the five of version 1: reserved for frames the broker makes, skipped (type 0 never is). */
    private static boolean isUnknownType(final short type)
    {
        return (type & 0xFFFF) > TYPE_STREAM_ERROR;
    }

    private boolean checksumMatches(final int frameOffset, final int frameLength)
    {
        if ((buffer.getByte(frameOffset + FLAGS_OFFSET) & FLAG_CHECKSUM) == 0)
        {
            return true;
        }
        checksumView.clear().position(frameOffset + HEADER_LENGTH).limit(frameOffset + frameLength);
        crc.reset();
        crc.update(checksumView);
        final int expected = buffer.getInt(frameOffset + CHECKSUM_OFFSET);
        final int actual = (int)crc.getValue();
        if (expected == actual)
        {
            return true;
        }
        status = BAD_CHECKSUM;
        problem = "CRC32C mismatch in the frame at position " + position + ": the frame says 0x" +
            Integer.toHexString(expected) + ", its payload gives 0x" + Integer.toHexString(actual);
        return false;
    }

    private void badFrame(final int frameLength, final short type)
    {
        status = BAD_FRAME;
        problem = "impossible frame at position " + position + ": type " + type + ", length " + frameLength +
            " (max frame length " + maxFrameLength + ")";
    }

    private void badPosition(final int frameOffset, final short type)
    {
        status = BAD_FRAME;
        problem = "frame of type " + type + " says position " + buffer.getLong(frameOffset + POSITION_OFFSET) +
            " where " + position + " was expected";
    }

    private void streamError(final int frameOffset, final int frameLength)
    {
        readOffset += alignedLength(frameLength);
        status = STREAM_ERROR;
        errorCode = buffer.getInt(frameOffset + PRODUCER_ID_OFFSET);
        problem = buffer.getStringWithoutLengthUtf8(frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH);
    }

    /** {@link #STREAMING} or why the stream stopped. */
    int status()
    {
        return status;
    }

    /** The error code of a STREAM ERROR. */
    int errorCode()
    {
        return errorCode;
    }

    /** The broker's message of a STREAM ERROR, or what was wrong with a bad frame or checksum. */
    String problem()
    {
        return problem;
    }

    /**
     * The position right after the last message whose handler answered COMMIT in the last call (not after later
     * messages of that call), or -1 when none did.
     */
    long commitActionPosition()
    {
        return commitActionPosition;
    }

    /**
     * The position the last HEARTBEAT of this connection carried (the next frame's: the broker had sent everything
     * its archive held, so the archive ended there), or -1 when none came yet.
     */
    long heartbeatPosition()
    {
        return heartbeatPosition;
    }

    /** True when the last call stopped on a message its handler aborted: that message is delivered again. */
    boolean isAborted()
    {
        return aborted;
    }

    IOException ioException()
    {
        return ioException;
    }

    /** Position of the next frame expected: just after the last PAD or DATA frame handled. */
    long position()
    {
        return position;
    }

    /** Bytes read from channels since this receiver was made; grows whenever anything arrives. */
    long bytesReceived()
    {
        return bytesReceived;
    }

    int capacity()
    {
        return capacity;
    }
}
