package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveFiles;
import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.archive.NamedPositionStore;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.ConsumerNames;
import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.TopicNames;
import io.shmbus.client.log.FrameDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;

import static io.shmbus.client.remote.RemoteProtocol.*;
import static io.shmbus.client.remote.SubscribeRequestDescriptor.*;

/**
 * Checks a SUBSCRIBE request field by field and turns it into a {@link Subscription}: the header as soon as it is
 * complete (so a bad length is refused before its bytes are awaited), then the token, the topic, the consumer name
 * (taken for this connection) and the range. Reads the archive files to check frame boundaries and to find a
 * time. Network server thread only.
 */
final class SubscriptionResolver
{
    /**
     * A request the broker accepted: the topic, an exact range of frame boundaries, and the consumer name this
     * connection now holds (null for an anonymous subscriber).
     */
    record Subscription(ArchiveView view, long start, long end, String consumerName)
    {
    }

    private final ArchiveViews views;
    private final byte[] token;

    SubscriptionResolver(final ArchiveViews views, final byte[] token)
    {
        this.views = views;
        this.token = token;
    }

    /** Refuses a stream that does not start with the magic, as soon as its first 4 bytes are in. */
    static void checkMagic(final ByteBuffer request) throws RequestRejectedException
    {
        final int magic = request.getInt(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new RequestRejectedException(MALFORMED_REQUEST, String.format(
                "bad magic 0x%08x: a request starts with the bytes 'SHMB' (0x%08x little-endian)", magic, MAGIC));
        }
    }

    /** Refuses another protocol version or request type as soon as the first 8 bytes are in. */
    static void checkVersionAndType(final ByteBuffer request) throws RequestRejectedException
    {
        final int version = request.getShort(VERSION_OFFSET) & 0xFFFF;
        if (version < VERSION_1 || version > VERSION)
        {
            throw new RequestRejectedException(UNSUPPORTED_VERSION, "protocol version " + version +
                " is not supported (this broker speaks versions " + VERSION_1 + " to " + VERSION + ")");
        }
        final int type = request.getShort(REQUEST_TYPE_OFFSET) & 0xFFFF;
        if (REQUEST_SUBSCRIBE != type)
        {
            throw malformed("unknown request type " + type + " (1 = SUBSCRIBE)");
        }
    }

    /**
     * Checks the complete 40-byte header, in the order docs/protocol.md gives.
     *
     * @return the length of the whole request.
     */
    static int checkHeader(final ByteBuffer request) throws RequestRejectedException
    {
        checkMagic(request);
        checkVersionAndType(request);
        final int topicLength = request.getShort(TOPIC_LENGTH_OFFSET) & 0xFFFF;
        if (topicLength < 1 || topicLength > MAX_TOPIC_LENGTH)
        {
            throw malformed("topic length " + topicLength + " is not 1 to " + MAX_TOPIC_LENGTH +
                " (a topic name is 1 to " + MAX_TOPIC_LENGTH + " of A-Z a-z 0-9 . _ -, without '..')");
        }
        final int tokenLength = request.getShort(TOKEN_LENGTH_OFFSET) & 0xFFFF;
        if (tokenLength > MAX_TOKEN_LENGTH)
        {
            throw malformed("token length " + tokenLength + " is over " + MAX_TOKEN_LENGTH);
        }
        final boolean named = isNamedVersion(request);
        final int nameLength = named ? consumerNameLength(request) : 0;
        if (nameLength > MAX_CONSUMER_NAME_LENGTH)
        {
            throw malformed("consumer name length " + nameLength + " is over " + MAX_CONSUMER_NAME_LENGTH);
        }
        final int requestLength = request.getInt(REQUEST_LENGTH_OFFSET);
        if (requestLength != HEADER_LENGTH + topicLength + tokenLength + nameLength ||
            requestLength > MAX_REQUEST_LENGTH)
        {
            throw malformed("request length " + requestLength + " is not " + HEADER_LENGTH + " + topic length " +
                topicLength + " + token length " + tokenLength + (named ? " + consumer name length " + nameLength :
                "") + " (at most " + MAX_REQUEST_LENGTH + ")");
        }
        // version 1 keeps the flags and the name length reserved: a version 2 field in a version 1 request is a
        // client's mistake, not something to ignore
        final int flags = request.get(FLAGS_OFFSET) & 0xFF;
        boolean reservedZero = named ? (flags & ~FLAG_RESUME_NAMED) == 0 :
            0 == flags && 0 == request.getShort(CONSUMER_NAME_LENGTH_OFFSET);
        for (int i = 0; i < RESERVED_LENGTH; i++)
        {
            reservedZero &= request.get(RESERVED_OFFSET + i) == 0;
        }
        if (!reservedZero)
        {
            throw malformed("reserved bytes must be 0" + (named ? " (flags: only 1 = resume a named consumer)" :
                " (bytes 13 and 34-39 in version 1)"));
        }
        if (0 != (flags & FLAG_RESUME_NAMED) && 0 == nameLength)
        {
            throw malformed("flag 1 (resume a named consumer) needs a consumer name");
        }
        final int kind = request.get(START_KIND_OFFSET) & 0xFF;
        final long startValue = request.getLong(START_VALUE_OFFSET);
        if (kind < START_EARLIEST || kind > START_TIME)
        {
            throw malformed("unknown start kind " + kind + " (0 earliest, 1 latest, 2 position, 3 time)");
        }
        if ((START_EARLIEST == kind || START_LATEST == kind) && 0 != startValue)
        {
            throw malformed("start value must be 0 with start kind " +
                (START_EARLIEST == kind ? "earliest" : "latest"));
        }
        return requestLength;
    }

    /** True for a request of a version that may carry a consumer name. */
    private static boolean isNamedVersion(final ByteBuffer request)
    {
        return (request.getShort(VERSION_OFFSET) & 0xFFFF) >= VERSION_NAMED;
    }

    private static int consumerNameLength(final ByteBuffer request)
    {
        return isNamedVersion(request) ? request.getShort(CONSUMER_NAME_LENGTH_OFFSET) & 0xFFFF : 0;
    }

    /**
     * Resolves a complete request whose header passed {@link #checkHeader}. A named request takes the name for
     * {@code holderId} (the caller lets it go when the connection ends); a refusal after that lets it go here.
     */
    Subscription resolve(final ByteBuffer request, final long holderId, final String remote)
        throws RequestRejectedException
    {
        final int topicLength = request.getShort(TOPIC_LENGTH_OFFSET) & 0xFFFF;
        final int tokenLength = request.getShort(TOKEN_LENGTH_OFFSET) & 0xFFFF;
        checkToken(request, HEADER_LENGTH + topicLength, tokenLength);
        final ArchiveView view = view(request, topicLength);
        final String consumerName = consumerName(request, HEADER_LENGTH + topicLength + tokenLength);
        if (null == consumerName)
        {
            return resolveRange(request, view, null, NamedPositionStore.NO_POSITION);
        }
        final NamedPositionStore store = view.namedPositions();
        final long stored;
        try
        {
            stored = store.attachRemote(consumerName, holderId, remote);
        }
        catch (final ConsumerNameInUseException ex)
        {
            throw new RequestRejectedException(CONSUMER_NAME_IN_USE, ex.getMessage());
        }
        boolean resolved = false;
        try
        {
            final boolean resume = 0 != (request.get(FLAGS_OFFSET) & FLAG_RESUME_NAMED);
            final Subscription subscription = resolveRange(request, view, consumerName,
                resume ? stored : NamedPositionStore.NO_POSITION);
            resolved = true;
            return subscription;
        }
        finally
        {
            if (!resolved)
            {
                store.detachRemote(consumerName, holderId);
            }
        }
    }

    private Subscription resolveRange(
        final ByteBuffer request, final ArchiveView view, final String consumerName, final long stored)
        throws RequestRejectedException
    {
        final int kind = NamedPositionStore.NO_POSITION != stored ? START_POSITION :
            request.get(START_KIND_OFFSET) & 0xFF;
        final long startValue = NamedPositionStore.NO_POSITION != stored ? stored :
            request.getLong(START_VALUE_OFFSET);
        final long end = request.getLong(END_POSITION_OFFSET);
        final long first = view.firstPosition();
        final long archived = view.archivedPosition();
        if (NamedPositionStore.NO_POSITION != stored && stored < first)
        {
            throw new RequestRejectedException(POSITION_UNAVAILABLE, "consumer '" + consumerName + "' of topic '" +
                view.topic() + "' stopped at position " + stored + ", which is no longer retained (the archive " +
                "starts at " + first + "); move it with 'shmbus consumer reset'");
        }
        try
        {
            final long start;
            switch (kind)
            {
                case START_EARLIEST:
                    start = first;
                    if (first < archived) // the first frame is checked: a damaged one is no place to start
                    {
                        ArchiveFiles.isSoundFrameStart(view.topicDir(), view.segmentLength(), first, archived, first);
                    }
                    break;
                case START_LATEST:
                    start = archived;
                    break;
                case START_TIME:
                    start = ArchiveFiles.positionAtTime(view.topicDir(), view.segmentLength(), first, archived,
                        startValue);
                    break;
                default:
                    start = startValue;
                    if (NamedPositionStore.NO_POSITION != stored && stored > archived)
                    {
                        // acknowledged by a local consumer in the ring, not archived yet: the stream waits for it
                        break;
                    }
                    checkBoundary(view, first, archived, start, "start");
                    if (start < archived) // a damaged frame is no place to start
                    {
                        ArchiveFiles.isSoundFrameStart(view.topicDir(), view.segmentLength(), first, archived, start);
                    }
            }
            if (END_LIVE == end)
            {
                return new Subscription(view, start, END_LIVE, consumerName);
            }
            if (end <= start) // a negative end other than -1 too: the start is never negative
            {
                throw new RequestRejectedException(POSITION_UNAVAILABLE, "end position " + end +
                    " is not after the start position " + start + " of topic '" + view.topic() + "'");
            }
            if ((end & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
            {
                throw new RequestRejectedException(NOT_FRAME_BOUNDARY, "end position " + end + " is not a multiple " +
                    "of " + FrameDescriptor.FRAME_ALIGNMENT + ", so no frame can start there");
            }
            // An end inside a frame is not refused: the replay stops at the last frame start before it, whether
            // the archive holds the end yet or not (SegmentSender), so the answer never depends on the archiver.
            return new Subscription(view, start, end, consumerName);
        }
        catch (final NoSuchFileException ex)
        {
            if (view.isDeleted())
            {
                throw new RequestRejectedException(UNKNOWN_TOPIC, "topic '" + view.topic() + "' was deleted");
            }
            throw new RequestRejectedException(POSITION_UNAVAILABLE, "topic '" + view.topic() +
                "': a segment was deleted by retention meanwhile: " + ex.getMessage());
        }
        catch (final DamagedStorageException ex)
        {
            view.onDamage();
            throw new RequestRejectedException(STORAGE_ERROR, ex.getMessage());
        }
        catch (final IOException ex)
        {
            throw new RequestRejectedException(STORAGE_ERROR, "topic '" + view.topic() +
                "': cannot read the archive: " + ex);
        }
    }

    private void checkToken(final ByteBuffer request, final int offset, final int length)
        throws RequestRejectedException
    {
        if (null == token)
        {
            if (0 != length)
            {
                throw new RequestRejectedException(AUTHENTICATION_FAILED,
                    "this broker has no token configured: send a token length of 0");
            }
            return;
        }
        final byte[] presented = new byte[length];
        request.get(offset, presented);
        if (!MessageDigest.isEqual(token, presented)) // constant time for tokens of the right length
        {
            throw new RequestRejectedException(AUTHENTICATION_FAILED, "wrong token");
        }
    }

    /** The consumer name of a version 2 request, checked by the rule of every consumer name; null when none. */
    private static String consumerName(final ByteBuffer request, final int offset) throws RequestRejectedException
    {
        final int length = consumerNameLength(request);
        if (0 == length)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        request.get(offset, bytes);
        final String name = new String(bytes, StandardCharsets.ISO_8859_1); // one char a byte, for the check
        try
        {
            return ConsumerNames.validate(name);
        }
        catch (final ConfigurationException ex)
        {
            throw malformed(ex.getMessage());
        }
    }

    private ArchiveView view(final ByteBuffer request, final int topicLength) throws RequestRejectedException
    {
        final byte[] name = new byte[topicLength];
        request.get(HEADER_LENGTH, name);
        final String topic = new String(name, StandardCharsets.ISO_8859_1); // one char a byte, for the check
        try
        {
            TopicNames.validate(topic); // the rule of every topic name, local or remote
        }
        catch (final InvalidTopicNameException ex)
        {
            throw malformed(ex.getMessage());
        }
        final ArchiveView view = views.get(topic);
        if (null == view)
        {
            throw new RequestRejectedException(UNKNOWN_TOPIC, "no persistent topic '" + topic +
                "' on this broker (a topic that is not persistent cannot be read remotely)");
        }
        return view;
    }

    private static void checkBoundary(
        final ArchiveView view, final long first, final long archived, final long position, final String which)
        throws RequestRejectedException, IOException
    {
        if (position < first || position > archived)
        {
            throw new RequestRejectedException(POSITION_UNAVAILABLE, which + " position " + position +
                " of topic '" + view.topic() + "' is outside the retained range [" + first + ", " + archived + "]");
        }
        if (!ArchiveFiles.isFrameStart(view.topicDir(), view.segmentLength(), first, archived, position))
        {
            throw new RequestRejectedException(NOT_FRAME_BOUNDARY, which + " position " + position +
                " of topic '" + view.topic() + "' is not the first byte of a frame");
        }
    }

    private static RequestRejectedException malformed(final String message)
    {
        return new RequestRejectedException(MALFORMED_REQUEST, message);
    }
}
