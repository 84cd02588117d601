package io.shmbus.client.cnc;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Layout of every broker-to-client response (one layout for all; unused fields are zero).
 * <pre>
 *  0   long correlationId     of the command answered (ON_CLIENT_TIMEOUT: 0)
 *  8   long registrationId    ON_PRODUCER_READY, ON_CONSUMER_READY; the client id for ON_CLIENT_TIMEOUT
 *  16  long position          ON_CONSUMER_READY: the exact start position
 *  24  int  slot              ON_CONSUMER_READY: the consumer slot in the topic log
 *  28  int  errorCode         ON_ERROR
 *  32  long replayPosition    ON_CONSUMER_READY: read the archive from here up to {@code position} first; -1: none
 *  40  int  flags             ON_CONSUMER_READY: FLAG_ARCHIVE_FALLBACK when the broker may detach a slow consumer
 *                              to the archive (the topic's slow-consumer policy is "archive");
 *                              ON_TOPIC_INFO: FLAG_MORE on every part but the last
 *  44  int  messageLength     ON_ERROR: the reason; ON_CONSUMER_READY: the topic's archive directory (empty when
 *                              the topic is not persistent); ON_TOPIC_INFO: a part of the report (whole lines);
 *                              ON_OPERATION_SUCCESS of DELETE_TOPIC: what was deleted
 *  48  message, UTF-8
 * </pre>
 * A flyweight: wrap a buffer, then read or write fields in place. Not thread-safe.
 */
public final class ResponseFlyweight
{
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int REGISTRATION_ID_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int POSITION_OFFSET = REGISTRATION_ID_OFFSET + 8;
    public static final int SLOT_OFFSET = POSITION_OFFSET + 8;
    public static final int ERROR_CODE_OFFSET = SLOT_OFFSET + 4;
    public static final int REPLAY_POSITION_OFFSET = ERROR_CODE_OFFSET + 4;
    public static final int FLAGS_OFFSET = REPLAY_POSITION_OFFSET + 8;
    public static final int MESSAGE_LENGTH_OFFSET = FLAGS_OFFSET + 4;
    public static final int MESSAGE_OFFSET = MESSAGE_LENGTH_OFFSET + 4;
    public static final int MAX_MESSAGE_LENGTH = 1024;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutable;
    private int offset;

    public ResponseFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutable = buffer;
        this.offset = offset;
        mutable.setMemory(offset, MESSAGE_OFFSET, (byte)0);
        mutable.putLong(offset + REPLAY_POSITION_OFFSET, -1);
        return this;
    }

    public ResponseFlyweight wrapForRead(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutable = null;
        this.offset = offset;
        return this;
    }

    public long correlationId()
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    public ResponseFlyweight correlationId(final long value)
    {
        mutable.putLong(offset + CORRELATION_ID_OFFSET, value);
        return this;
    }

    public long registrationId()
    {
        return buffer.getLong(offset + REGISTRATION_ID_OFFSET);
    }

    public ResponseFlyweight registrationId(final long value)
    {
        mutable.putLong(offset + REGISTRATION_ID_OFFSET, value);
        return this;
    }

    public long position()
    {
        return buffer.getLong(offset + POSITION_OFFSET);
    }

    public ResponseFlyweight position(final long value)
    {
        mutable.putLong(offset + POSITION_OFFSET, value);
        return this;
    }

    public int slot()
    {
        return buffer.getInt(offset + SLOT_OFFSET);
    }

    public ResponseFlyweight slot(final int value)
    {
        mutable.putInt(offset + SLOT_OFFSET, value);
        return this;
    }

    public long replayPosition()
    {
        return buffer.getLong(offset + REPLAY_POSITION_OFFSET);
    }

    public ResponseFlyweight replayPosition(final long value)
    {
        mutable.putLong(offset + REPLAY_POSITION_OFFSET, value);
        return this;
    }

    /** A consumer of a topic with the slow-consumer policy "archive". */
    public static final int FLAG_ARCHIVE_FALLBACK = 1;
    /** An {@code ON_TOPIC_INFO} part that more parts of the same answer follow. */
    public static final int FLAG_MORE = 2;

    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET);
    }

    public ResponseFlyweight flags(final int value)
    {
        mutable.putInt(offset + FLAGS_OFFSET, value);
        return this;
    }

    public int errorCode()
    {
        return buffer.getInt(offset + ERROR_CODE_OFFSET);
    }

    public ResponseFlyweight errorCode(final int value)
    {
        mutable.putInt(offset + ERROR_CODE_OFFSET, value);
        return this;
    }

    public String message()
    {
        final int length = Math.min(buffer.getInt(offset + MESSAGE_LENGTH_OFFSET), MAX_MESSAGE_LENGTH);
        if (length <= 0)
        {
            return "";
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + MESSAGE_OFFSET, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public ResponseFlyweight message(final String message)
    {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_LENGTH)
        {
            bytes = java.util.Arrays.copyOf(bytes, MAX_MESSAGE_LENGTH);
        }
        mutable.putInt(offset + MESSAGE_LENGTH_OFFSET, bytes.length);
        mutable.putBytes(offset + MESSAGE_OFFSET, bytes);
        return this;
    }

    public int length()
    {
        return MESSAGE_OFFSET + Math.max(0, buffer.getInt(offset + MESSAGE_LENGTH_OFFSET));
    }
}
