package io.shmbus.client;

import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * Reads a topic's messages in place from the shared-memory ring, in stream order, each exactly once. Producers
 * never overwrite what this consumer has not read: its position is published in a slot of the log after each poll.
 * <p>
 * Not thread-safe: poll from one thread (use one consumer per thread). {@link #poll} allocates nothing.
 */
public final class Consumer implements AutoCloseable
{
    private final TopicLog log;
    private final ConsumerSlots slots;
    private final UnsafeBuffer ring;
    private final Header header = new Header();
    private final int mask;
    private final int slot;
    private final Runnable onClose;
    private final ErrorHandler errorHandler;
    private ArchiveReplay replay;
    private final java.nio.file.Path archiveDirectory;
    private long position;
    private boolean closed;
    private boolean revoked;

    Consumer(final TopicLog log, final ConsumerSlots slots, final StartPosition start)
    {
        this.log = log;
        this.slots = slots;
        this.ring = log.ring();
        this.mask = log.mask();
        this.onClose = null;
        this.errorHandler = null;
        this.archiveDirectory = null;
        this.slot = slots.reserve();
        try
        {
            this.position = slots.activate(slot, start);
        }
        catch (final RuntimeException ex)
        {
            slots.release(slot);
            throw ex;
        }
    }

    /** A consumer on a slot the broker has already activated at {@code position}. */
    Consumer(final TopicLog log, final ConsumerSlots slots, final int slot, final long position,
        final Runnable onClose, final ErrorHandler errorHandler, final ArchiveReplay replay,
        final java.nio.file.Path archiveDirectory)
    {
        this.errorHandler = errorHandler;
        this.archiveDirectory = archiveDirectory;
        this.replay = replay;
        this.log = log;
        this.slots = slots;
        this.ring = log.ring();
        this.mask = log.mask();
        this.slot = slot;
        this.position = position;
        this.onClose = onClose;
    }

    /**
     * Delivers up to {@code fragmentLimit} committed messages to the handler.
     *
     * @return the number of messages delivered. A handler that throws has consumed its message.
     */
    public int poll(final FragmentHandler handler, final int fragmentLimit)
    {
        if (closed || revoked || !isSlotActive())
        {
            return 0;
        }
        if (null != replay)
        {
            return replay(handler, null, fragmentLimit);
        }
        final UnsafeBuffer ring = this.ring;
        final long initialPosition = position;
        long position = initialPosition;
        int fragments = 0;
        try
        {
            while (fragments < fragmentLimit)
            {
                final int frameOffset = (int)position & mask;
                final int frameLength = ring.getIntVolatile(frameOffset + FRAME_LENGTH_OFFSET);
                if (frameLength <= 0)
                {
                    break;
                }
                if (ring.getLong(frameOffset + POSITION_OFFSET) != position)
                {
                    onLapped(position);
                    break;
                }
                position += alignedLength(frameLength);
                if (TYPE_DATA == ring.getShort(frameOffset + TYPE_OFFSET))
                {
                    ++fragments;
                    handler.onFragment(
                        ring, frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH, header.wrap(ring, frameOffset));
                }
            }
        }
        finally
        {
            if (position != initialPosition)
            {
                this.position = position;
                slots.positionRelease(slot, position);
                if (fragments > 0)
                {
                    isSlotActive(); // revoked during the batch: what was delivered may have been overwritten
                }
            }
        }
        return fragments;
    }

    /**
     * Like {@link #poll} but the handler decides after each message whether to go on, stop, or leave it.
     *
     * @return the number of messages consumed.
     */
    public int controlledPoll(final ControlledFragmentHandler handler, final int fragmentLimit)
    {
        if (closed || revoked || !isSlotActive())
        {
            return 0;
        }
        if (null != replay)
        {
            return replay(null, handler, fragmentLimit);
        }
        final UnsafeBuffer ring = this.ring;
        long position = this.position;
        int fragments = 0;
        try
        {
            while (fragments < fragmentLimit)
            {
                final int frameOffset = (int)position & mask;
                final int frameLength = ring.getIntVolatile(frameOffset + FRAME_LENGTH_OFFSET);
                if (frameLength <= 0)
                {
                    break;
                }
                if (ring.getLong(frameOffset + POSITION_OFFSET) != position)
                {
                    onLapped(position);
                    break;
                }
                final long next = position + alignedLength(frameLength);
                if (TYPE_DATA != ring.getShort(frameOffset + TYPE_OFFSET))
                {
                    position = next;
                    continue;
                }
                final ControlledFragmentHandler.Action action = handler.onFragment(
                    ring, frameOffset + HEADER_LENGTH, frameLength - HEADER_LENGTH, header.wrap(ring, frameOffset));
                if (ControlledFragmentHandler.Action.ABORT == action)
                {
                    break;
                }
                ++fragments;
                position = next;
                if (ControlledFragmentHandler.Action.BREAK == action)
                {
                    break;
                }
                if (ControlledFragmentHandler.Action.COMMIT == action)
                {
                    this.position = position;
                    slots.positionRelease(slot, position);
                }
            }
        }
        finally
        {
            if (position != this.position)
            {
                this.position = position;
                slots.positionRelease(slot, position);
            }
        }
        return fragments;
    }

    private int replay(final FragmentHandler handler, final ControlledFragmentHandler controlled, final int limit)
    {
        try
        {
            final int fragments = null != handler ? replay.poll(handler, limit, header) :
                replay.controlledPoll(controlled, limit, header);
            if (replay.isDone())
            {
                replay.close();
                replay = null; // from here on, the live ring, at the position the broker registered
            }
            return fragments;
        }
        catch (final ShmbusException ex)
        {
            revoked = true;
            replay.close();
            replay = null;
            if (null != errorHandler)
            {
                errorHandler.onError(ex);
            }
            return 0;
        }
    }

    /**
     * The directory of the topic's segment files when the broker archives the topic, else null (and always null
     * for a consumer of a topic opened without a broker). Tools that send a persisted range without reading it
     * (replay to a socket) use it.
     */
    public java.nio.file.Path archiveDirectory()
    {
        return archiveDirectory;
    }

    /** True while this consumer still reads archived frames from the segment files, before the live ring. */
    public boolean isReplaying()
    {
        return null != replay;
    }

    /**
     * True once the broker dropped this consumer (its client was silent for longer than the client timeout, e.g.
     * a long pause) or producers overwrote its position. It then delivers nothing more: close it and add a new one.
     */
    public boolean isRevoked()
    {
        return revoked;
    }

    private boolean isSlotActive()
    {
        final int state = slots.stateVolatile(slot);
        if (LogDescriptor.SLOT_ACTIVE == state)
        {
            return true;
        }
        revoked = true;
        if (LogDescriptor.SLOT_REVOKED == state)
        {
            slots.freeRevoked(slot);
        }
        if (null != errorHandler)
        {
            errorHandler.onError(new ConsumerRevokedException("consumer of topic '" + log.topic() + "' at position " +
                position + " was dropped by the broker (its client was silent for longer than the client timeout); " +
                "messages delivered in the last poll may have been overwritten"));
        }
        return false;
    }

    private void onLapped(final long position)
    {
        revoked = true;
        if (null != errorHandler)
        {
            errorHandler.onError(new ConsumerRevokedException("consumer of topic '" + log.topic() +
                "' was overtaken by producers at position " + position + ": its data was overwritten"));
        }
    }

    /** Frees this consumer's slot in the log directly, unless the broker already took it back. */
    void releaseSlot()
    {
        if (!log.isClosed())
        {
            if (slots.stateVolatile(slot) == LogDescriptor.SLOT_REVOKED)
            {
                slots.freeRevoked(slot);
            }
            else if (!revoked)
            {
                slots.release(slot);
            }
        }
    }

    /** Index of this consumer's slot in the topic log. */
    public int slot()
    {
        return slot;
    }

    /** The position of the next frame this consumer reads. */
    public long position()
    {
        return null != replay ? replay.position() : position;
    }

    public String topic()
    {
        return log.topic();
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** Leaves the topic: producers stop waiting for this consumer. */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != replay)
            {
                replay.close();
                replay = null;
            }
            if (null != onClose)
            {
                onClose.run(); // the broker frees the slot, or releaseSlot() when there is no broker
            }
            else
            {
                releaseSlot();
            }
        }
    }
}
