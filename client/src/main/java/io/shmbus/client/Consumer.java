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
    private final java.nio.file.Path archiveDirectory;
    private final boolean archiveFallback;
    private final String name;
    private ArchiveReplay replay;
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
        this.archiveFallback = false;
        this.name = null;
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

    /**
     * A consumer on a slot the broker has already activated at {@code position}.
     *
     * @param archiveDirectory the topic's segment files when the broker archives it, else null.
     * @param archiveFallback  the topic's slow-consumer policy is "archive": the broker may move this consumer to
     *                         the segment files.
     */
    Consumer(final TopicLog log, final ConsumerSlots slots, final int slot, final long position,
        final Runnable onClose, final ErrorHandler errorHandler, final ArchiveReplay replay,
        final java.nio.file.Path archiveDirectory, final boolean archiveFallback, final String name)
    {
        this.name = name;
        this.errorHandler = errorHandler;
        this.archiveDirectory = archiveDirectory;
        this.archiveFallback = archiveFallback;
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
                    checkAfterBatch(initialPosition);
                }
            }
        }
        return fragments;
    }

    /**
     * Like {@link #poll} but the handler decides after each message whether to go on, stop, or leave it. A handler
     * that returns {@link ControlledFragmentHandler.Action#COMMIT} on a named consumer also acknowledges: the
     * consumer resumes right after that message (not after later ones of the same poll), as {@link #commit()} called
     * at that moment would make it; in the ring or in the archive alike. Allocates nothing.
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
                    if (null != name)
                    {
                        slots.committedPositionRelease(slot, position); // acknowledged: resumes here
                    }
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
                replay.controlledPoll(controlled, limit, header, null != name ? slots : null, slot);
            if (fragments > 0 && replay.isFollowing())
            {
                slots.positionRelease(slot, replay.position()); // for monitoring: flow control ignores the slot
            }
            if (replay.isDone())
            {
                if (!replay.isFollowing())
                {
                    replay.close();
                    replay = null; // from here on, the live ring, at the position the broker registered
                }
                else if (slots.rejoin(slot, replay.position()))
                {
                    position = replay.position();
                    replay.close();
                    replay = null; // caught up: back in the ring, held by flow control again
                }
                else
                {
                    isSlotActive(); // still detached: read more of the archive and try again; or revoked
                }
            }
            return fragments;
        }
        catch (final ShmbusException ex)
        {
            revoked = true;
            position = replay.position(); // where it stopped: the damaged or missing frame
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

    /**
     * True while this consumer reads archived frames from the segment files instead of the ring: before the live
     * ring when it started in the archive, or after falling behind (see {@link #isDetached()}).
     */
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

    /**
     * Checks this consumer's slot before and after a batch: active in the ring, detached while it reads the
     * archive, or dropped by the broker.
     *
     * @return true if the consumer may deliver.
     */
    private boolean isSlotActive()
    {
        final int state = slots.stateVolatile(slot);
        if (null != replay && replay.isFollowing())
        {
            return LogDescriptor.SLOT_DETACHED == state || onDropped(state);
        }
        if (LogDescriptor.SLOT_ACTIVE == state)
        {
            return true;
        }
        if ((LogDescriptor.SLOT_DETACHING == state || LogDescriptor.SLOT_DETACHED == state) && archiveFallback)
        {
            return detachToArchive();
        }
        return onDropped(state);
    }

    /**
     * After a batch read in place: if the broker dropped this consumer, or moved it to the archive because the
     * batch outlasted the detach timeout, producers may have overwritten what the handler was reading. The ring
     * is intact from {@code cleanPosition - capacity} on, so that tells exactly whether they did.
     */
    private void checkAfterBatch(final long batchStart)
    {
        final int state = slots.stateVolatile(slot);
        if (LogDescriptor.SLOT_ACTIVE == state)
        {
            return;
        }
        if (isSlotActive() && LogDescriptor.SLOT_DETACHED == state && null != errorHandler &&
            log.cleanPositionVolatile() - log.capacity() > batchStart)
        {
            errorHandler.onError(new MessagesOverwrittenException("consumer of topic '" + log.topic() +
                "' was moved to the archive while its handler read positions from " + batchStart +
                " in place for longer than the detach timeout; producers overwrote them meanwhile, so those messages " +
                "may have been read torn; " +
                "it continues from the archive at " + position));
        }
    }

    private boolean onDropped(final int state)
    {
        revoked = true;
        if (null != replay)
        {
            replay.close();
            replay = null;
        }
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

    /**
     * The broker asked this slow consumer to continue from the archive: stop reading the ring, which releases
     * producers, and read the segment files from our position until we catch up with the archived position.
     *
     * @return true when the consumer can read the archive.
     */
    private boolean detachToArchive()
    {
        if (!slots.detach(slot) && slots.stateVolatile(slot) != LogDescriptor.SLOT_DETACHED)
        {
            return onDropped(slots.stateVolatile(slot)); // revoked in the meantime
        }
        final long from = null != replay ? replay.position() : position;
        if (null != replay)
        {
            replay.close(); // a start-up replay with a fixed end becomes one that follows the archive
        }
        position = from;
        replay = new ArchiveReplay(archiveDirectory, from, log);
        return true;
    }

    /** True while this consumer reads the archive because it fell behind (slow-consumer policy "archive"). */
    public boolean isDetached()
    {
        return null != replay && replay.isFollowing();
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

    /**
     * Acknowledges every message delivered so far: a durable named consumer that restarts resumes right after the
     * last message delivered before this call. One ordered store into shared memory; no system call, no allocation.
     * For a consumer without a name it only records the position (nobody reads it). A handler of
     * {@link #controlledPoll} acknowledges its own message without this call by returning
     * {@link ControlledFragmentHandler.Action#COMMIT}.
     * <p>
     * Messages delivered after the last commit are delivered again after a crash (at-least-once); a handler that
     * must process each message once records {@link Header#position()} with its effect and skips positions at or
     * below the one it recorded.
     */
    public void commit()
    {
        if (!closed && !revoked)
        {
            slots.committedPositionRelease(slot, position());
        }
    }

    /** The durable name the broker keeps this consumer's position under, or null for an anonymous consumer. */
    public String name()
    {
        return name;
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
