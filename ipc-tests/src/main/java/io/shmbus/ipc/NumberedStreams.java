package io.shmbus.ipc;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Checks a sequence of {@link NumberedMessages} as one reader sees it (a consumer, a network subscriber, the walk
 * over an archive): frame positions only grow, every stream goes on one message at a time ({@code seq == last + 1})
 * with intact content. A stream that jumps ahead has <em>missing</em> messages (a gap with later messages after it:
 * a loss); one that goes back has a <em>duplicate</em> (or a reordering). Streams appear as they come, any number.
 * <p>
 * A reader that saw every stream from its beginning checks with {@code fromStart}: each stream must start at seq 0.
 * One that joined at some position takes each stream's first message as that stream's start.
 * <p>
 * Not thread-safe: use from the reading thread.
 */
public final class NumberedStreams implements FragmentHandler
{
    public static final int MAX_REPORTED_ERRORS = 20;

    /** What one stream delivered: seqs {@code firstSeq .. nextSeq - 1}, {@code count} in order. */
    public static final class Stream
    {
        public final int id;
        public int firstSeq;
        public int nextSeq;
        public long count;
        public long lastPosition;

        Stream(final int id, final int firstSeq)
        {
            this.id = id;
            this.firstSeq = firstSeq;
            this.nextSeq = firstSeq;
        }
    }

    private final boolean fromStart;
    private final Int2ObjectHashMap<Stream> streams = new Int2ObjectHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private long errorCount;
    private long messages;
    private long missing;
    private long duplicates;
    private long corrupt;
    private long lastPosition = -1;

    /**
     * @param fromStart every stream must begin at seq 0: the reader started before any of them.
     */
    public NumberedStreams(final boolean fromStart)
    {
        this.fromStart = fromStart;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onMessage(buffer, offset, length, header.position());
    }

    /** Checks one message, the payload of the frame at {@code position}. */
    public void onMessage(final DirectBuffer buffer, final int offset, final int length, final long position)
    {
        messages++;
        if (position <= lastPosition)
        {
            error("frame position " + position + " after " + lastPosition);
        }
        lastPosition = position;
        if (length < NumberedMessages.MIN_LENGTH || length > NumberedMessages.MAX_LENGTH)
        {
            corrupt++;
            error("message of " + length + " bytes at " + position + ": not a numbered message");
            return;
        }
        final int id = NumberedMessages.stream(buffer, offset);
        final int seq = NumberedMessages.seq(buffer, offset);
        if (!NumberedMessages.isIntact(buffer, offset, length, id, seq))
        {
            corrupt++;
            error("stream " + id + " seq " + seq + ": corrupt message of " + length + " bytes at " + position);
            return;
        }
        Stream stream = streams.get(id);
        if (null == stream)
        {
            stream = new Stream(id, fromStart ? 0 : seq);
            streams.put(id, stream);
        }
        if (seq < stream.nextSeq)
        {
            duplicates++;
            error("stream " + id + " seq " + seq + " after " + (stream.nextSeq - 1) + " at " + position +
                " (duplicate or reordered)");
            return;
        }
        if (seq > stream.nextSeq)
        {
            missing += seq - stream.nextSeq;
            error("stream " + id + " seq " + seq + (0 == stream.count ? " first" : " after " + (stream.nextSeq - 1)) +
                " at " + position + ": " + (seq - stream.nextSeq) + " missing");
        }
        stream.nextSeq = seq + 1;
        stream.count++;
        stream.lastPosition = position;
    }

    private void error(final String message)
    {
        if (errorCount++ < MAX_REPORTED_ERRORS)
        {
            errors.add(message);
        }
    }

    /** The stream, or null when none of its messages was seen. */
    public Stream stream(final int id)
    {
        return streams.get(id);
    }

    public Collection<Stream> streams()
    {
        return streams.values();
    }

    public long messages()
    {
        return messages;
    }

    public long errorCount()
    {
        return errorCount;
    }

    /** Messages skipped inside streams: each is a gap that later messages of its stream followed. */
    public long missing()
    {
        return missing;
    }

    public long duplicates()
    {
        return duplicates;
    }

    public long corrupt()
    {
        return corrupt;
    }

    public long lastPosition()
    {
        return lastPosition;
    }

    /** The first {@link #MAX_REPORTED_ERRORS} errors. */
    public List<String> errors()
    {
        return errors;
    }

    /** {@code key=value} tokens for a report line. */
    public String summary()
    {
        return "messages=" + messages + " streams=" + streams.size() + " errors=" + errorCount + " missing=" +
            missing + " duplicates=" + duplicates + " corrupt=" + corrupt + " lastPosition=" + lastPosition;
    }

    /** Every stream as {@code id:firstSeq:nextSeq}, comma-separated (a {@code streams=} token's value). */
    public String streamRanges()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Stream stream : streams.values())
        {
            sb.append(sb.length() == 0 ? "" : ",").append(stream.id).append(':').append(stream.firstSeq).append(':')
                .append(stream.nextSeq);
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
