package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.NamedPositionStore;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.remote.CommitMessageDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a named subscriber's COMMIT messages ({@link CommitMessageDescriptor}) in whatever pieces they arrive and
 * stores each acknowledged position in the topic's named consumer table, while this connection holds the name.
 * A COMMIT must be of a frame boundary the broker has already sent; the first message that is not is refused,
 * and everything after it is discarded. Allocates nothing per message.
 * <p>
 * Network server thread only.
 */
final class CommitReader
{
    private static final int BUFFER_LENGTH = 64 * CommitMessageDescriptor.LENGTH;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer view = new UnsafeBuffer(buffer);
    private final NamedPositionStore store;
    private final String topic;
    private final String name;
    private final long holderId;
    private boolean refused;

    /** For a connection that now holds {@code name} in the topic's table, as {@code holderId}. */
    CommitReader(final ArchiveView topicView, final String name, final long holderId)
    {
        this.store = topicView.namedPositions();
        this.topic = topicView.topic();
        this.name = name;
        this.holderId = holderId;
    }

    /** Where to read the socket into: it always has room, since {@link #apply} leaves less than one message. */
    ByteBuffer buffer()
    {
        return buffer;
    }

    /**
     * Stores every whole COMMIT read so far.
     *
     * @param sentPosition how far the broker has sent the stream: no COMMIT may go past it.
     * @return what is wrong with the first message refused, or null.
     */
    String apply(final long sentPosition)
    {
        buffer.flip();
        String problem = null;
        while (!refused && buffer.remaining() >= CommitMessageDescriptor.LENGTH)
        {
            final int offset = buffer.position();
            problem = CommitMessageDescriptor.checkHeader(view, offset);
            if (null == problem)
            {
                final long position = CommitMessageDescriptor.position(view, offset);
                problem = check(position, sentPosition);
                if (null == problem)
                {
                    store.commitRemote(name, holderId, position);
                }
            }
            refused = null != problem;
            buffer.position(offset + CommitMessageDescriptor.LENGTH);
        }
        if (refused)
        {
            buffer.clear(); // after a refusal nothing more is taken
        }
        else
        {
            buffer.compact();
        }
        return problem;
    }

    private String check(final long position, final long sentPosition)
    {
        if (position < 0 || (position & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            return "COMMIT of position " + position + " by consumer '" + name + "' of topic '" + topic +
                "': not a frame boundary (a multiple of " + FrameDescriptor.FRAME_ALIGNMENT + ")";
        }
        if (position > sentPosition)
        {
            return "COMMIT of position " + position + " by consumer '" + name + "' of topic '" + topic +
                "': the broker has sent the stream only up to " + sentPosition;
        }
        return null;
    }

    /** The connection ends: the name is free; its last acknowledged position stays stored. */
    void release()
    {
        store.detachRemote(name, holderId);
    }
}
