package io.shmbus.client.cnc;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Layout of every client-to-broker command (one layout for all; fields a command does not use are zero).
 * <pre>
 *  0   long correlationId     answers carry it back
 *  8   long clientId
 *  16  long clientPid
 *  24  long registrationId    REMOVE_PRODUCER, REMOVE_CONSUMER
 *  32  long startPosition     ADD_CONSUMER with START_POSITION
 *  40  int  startType         ADD_CONSUMER: START_EARLIEST, START_LATEST, START_POSITION, START_TIME;
 *                             DELETE_TOPIC: flags (DELETE_ARCHIVE)
 *  44  int  topicLength       ADD_PRODUCER, ADD_EXCLUSIVE_PRODUCER, ADD_CONSUMER, TOPIC_INFO, DELETE_TOPIC
 *  48  topic, US-ASCII, at most 128 bytes
 *  48 + topicLength      int  nameLength    ADD_NAMED_CONSUMER only
 *  52 + topicLength      consumer name, US-ASCII, at most 64 bytes
 * </pre>
 * A flyweight: wrap a buffer, then read or write fields in place. Not thread-safe.
 */
public final class CommandFlyweight
{
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int CLIENT_ID_OFFSET = CORRELATION_ID_OFFSET + 8;
    public static final int CLIENT_PID_OFFSET = CLIENT_ID_OFFSET + 8;
    public static final int REGISTRATION_ID_OFFSET = CLIENT_PID_OFFSET + 8;
    public static final int START_POSITION_OFFSET = REGISTRATION_ID_OFFSET + 8;
    public static final int START_TYPE_OFFSET = START_POSITION_OFFSET + 8;
    public static final int TOPIC_LENGTH_OFFSET = START_TYPE_OFFSET + 4;
    public static final int TOPIC_OFFSET = TOPIC_LENGTH_OFFSET + 4;
    public static final int MAX_TOPIC_LENGTH = 128;
    public static final int MIN_LENGTH = TOPIC_OFFSET;
    public static final int MAX_NAME_LENGTH = 64;
    public static final int MAX_LENGTH = TOPIC_OFFSET + MAX_TOPIC_LENGTH + 4 + MAX_NAME_LENGTH;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutable;
    private int offset;
    private boolean hasName;

    public CommandFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutable = buffer;
        this.offset = offset;
        this.hasName = false;
        return this;
    }

    public CommandFlyweight wrapForRead(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutable = null;
        this.offset = offset;
        this.hasName = false;
        return this;
    }

    /** Zeroes the whole command so unused fields are well defined. */
    public CommandFlyweight clear()
    {
        mutable.setMemory(offset, MAX_LENGTH, (byte)0);
        hasName = false;
        return this;
    }

    public long correlationId()
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    public CommandFlyweight correlationId(final long value)
    {
        mutable.putLong(offset + CORRELATION_ID_OFFSET, value);
        return this;
    }

    public long clientId()
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET);
    }

    public CommandFlyweight clientId(final long value)
    {
        mutable.putLong(offset + CLIENT_ID_OFFSET, value);
        return this;
    }

    public long clientPid()
    {
        return buffer.getLong(offset + CLIENT_PID_OFFSET);
    }

    public CommandFlyweight clientPid(final long value)
    {
        mutable.putLong(offset + CLIENT_PID_OFFSET, value);
        return this;
    }

    public long registrationId()
    {
        return buffer.getLong(offset + REGISTRATION_ID_OFFSET);
    }

    public CommandFlyweight registrationId(final long value)
    {
        mutable.putLong(offset + REGISTRATION_ID_OFFSET, value);
        return this;
    }

    public long startPosition()
    {
        return buffer.getLong(offset + START_POSITION_OFFSET);
    }

    public CommandFlyweight startPosition(final long value)
    {
        mutable.putLong(offset + START_POSITION_OFFSET, value);
        return this;
    }

    public int startType()
    {
        return buffer.getInt(offset + START_TYPE_OFFSET);
    }

    public CommandFlyweight startType(final int value)
    {
        mutable.putInt(offset + START_TYPE_OFFSET, value);
        return this;
    }

    public int topicLength()
    {
        return buffer.getInt(offset + TOPIC_LENGTH_OFFSET);
    }

    /** The topic, or null when the length field is out of range for a command of {@code commandLength}. */
    public String topic(final int commandLength)
    {
        final int length = topicLength();
        if (length < 0 || length > MAX_TOPIC_LENGTH || TOPIC_OFFSET + length > commandLength)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + TOPIC_OFFSET, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    public CommandFlyweight topic(final String topic)
    {
        final byte[] bytes = topic.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_TOPIC_LENGTH)
        {
            throw new IllegalArgumentException("topic longer than " + MAX_TOPIC_LENGTH);
        }
        mutable.putInt(offset + TOPIC_LENGTH_OFFSET, bytes.length);
        mutable.putBytes(offset + TOPIC_OFFSET, bytes);
        return this;
    }

    /** Encoded length with the topic written so far. */
    public int length()
    {
        return TOPIC_OFFSET + Math.max(0, topicLength()) + (hasName ? 4 + Math.max(0, nameLength()) : 0);
    }

    /** Writes a consumer name after the topic (call after {@link #topic(String)}). */
    public CommandFlyweight consumerName(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("consumer name longer than " + MAX_NAME_LENGTH);
        }
        final int at = offset + TOPIC_OFFSET + topicLength();
        mutable.putInt(at, bytes.length);
        mutable.putBytes(at + 4, bytes);
        hasName = true;
        return this;
    }

    private int nameLength()
    {
        return buffer.getInt(offset + TOPIC_OFFSET + topicLength());
    }

    /**
     * @return the consumer name that follows the topic, or null when the command is too short for it or its
     * length is out of range.
     */
    public String consumerName(final int commandLength)
    {
        final int topicLength = topicLength();
        if (topicLength < 0 || topicLength > MAX_TOPIC_LENGTH || TOPIC_OFFSET + topicLength + 4 > commandLength)
        {
            return null;
        }
        final int length = nameLength();
        if (length < 0 || length > MAX_NAME_LENGTH || TOPIC_OFFSET + topicLength + 4 + length > commandLength)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + TOPIC_OFFSET + topicLength + 4, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
