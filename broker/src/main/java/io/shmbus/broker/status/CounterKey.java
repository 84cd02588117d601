package io.shmbus.broker.status;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The key of a topic's counter in the CnC file: which topic (and which consumer of it) the counter is about, so that
 * readers find a counter by type id and key, never by its label.
 * <pre>
 *   0  int   topic name length (ASCII bytes, at most 128)
 *   4  int   CRC-32C of the whole topic name
 *   8  long  consumer id: the slot of a local consumer (also of the archiver, for the archived position), the
 *            session number of a network subscriber; -1 for a counter about the topic as a whole
 *  16  ...   the topic name, its first 96 bytes when longer
 * </pre>
 * A topic name of up to 96 characters is in the key whole; a longer one matches by its length, CRC and first 96
 * bytes, and its remaining characters are read from the label, which holds the whole name, once the CRC confirms it.
 * <p>
 * Stateless; any thread.
 */
public final class CounterKey
{
    public static final int TOPIC_LENGTH_OFFSET = 0;
    public static final int TOPIC_CRC_OFFSET = TOPIC_LENGTH_OFFSET + 4;
    public static final int CONSUMER_ID_OFFSET = TOPIC_CRC_OFFSET + 4;
    public static final int TOPIC_NAME_OFFSET = CONSUMER_ID_OFFSET + 8;
    public static final int MAX_NAME_BYTES_IN_KEY = CountersReader.MAX_KEY_LENGTH - TOPIC_NAME_OFFSET;
    /** The consumer id of a counter about the whole topic. */
    public static final long NO_CONSUMER = -1;

    private CounterKey()
    {
    }

    /** The key of a counter about {@code topic} as a whole. */
    public static Consumer<MutableDirectBuffer> topic(final String topic)
    {
        return consumer(topic, NO_CONSUMER);
    }

    /** The key of a counter about one consumer of {@code topic}. */
    public static Consumer<MutableDirectBuffer> consumer(final String topic, final long consumerId)
    {
        final byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        final int crc = crc(name);
        return key ->
        {
            key.putInt(TOPIC_LENGTH_OFFSET, name.length);
            key.putInt(TOPIC_CRC_OFFSET, crc);
            key.putLong(CONSUMER_ID_OFFSET, consumerId);
            key.putBytes(TOPIC_NAME_OFFSET, name, 0, Math.min(name.length, MAX_NAME_BYTES_IN_KEY));
        };
    }

    /** True when the key at {@code offset} of {@code buffer} names {@code topic}. */
    public static boolean isTopic(final DirectBuffer buffer, final int offset, final String topic)
    {
        final byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        if (buffer.getInt(offset + TOPIC_LENGTH_OFFSET) != name.length ||
            buffer.getInt(offset + TOPIC_CRC_OFFSET) != crc(name))
        {
            return false;
        }
        for (int i = 0, n = Math.min(name.length, MAX_NAME_BYTES_IN_KEY); i < n; i++)
        {
            if (buffer.getByte(offset + TOPIC_NAME_OFFSET + i) != name[i])
            {
                return false;
            }
        }
        return true;
    }

    /** The consumer id in the key at {@code offset}. */
    public static long consumerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CONSUMER_ID_OFFSET);
    }

    /**
     * The topic the key at {@code offset} names. A name longer than the key holds is completed from {@code label}
     * (which contains it whole), found there by its prefix and confirmed by the CRC; null when it cannot be.
     */
    public static String topic(final DirectBuffer buffer, final int offset, final String label)
    {
        final int length = buffer.getInt(offset + TOPIC_LENGTH_OFFSET);
        if (length <= 0 || length > 1024)
        {
            return null;
        }
        final int inKey = Math.min(length, MAX_NAME_BYTES_IN_KEY);
        final String prefix = buffer.getStringWithoutLengthAscii(offset + TOPIC_NAME_OFFSET, inKey);
        if (inKey == length)
        {
            return prefix;
        }
        final int start = label.indexOf(prefix);
        if (start < 0 || start + length > label.length())
        {
            return null;
        }
        final String name = label.substring(start, start + length);
        return isTopic(buffer, offset, name) ? name : null;
    }

    private static int crc(final byte[] name)
    {
        final CRC32C crc = new CRC32C();
        crc.update(name, 0, name.length);
        return (int)crc.getValue();
    }
}
