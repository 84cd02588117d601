package io.shmbus.broker.status;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CounterKey}: the bytes at each offset, as docs/protocol.md gives them, and topics told apart by key alone,
 * long names (past the 96 bytes the key holds) included.
 */
class CounterKeyTest
{
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[CountersReader.MAX_KEY_LENGTH]);

    @Test
    void layout()
    {
        assertEquals(0, CounterKey.TOPIC_LENGTH_OFFSET);
        assertEquals(4, CounterKey.TOPIC_CRC_OFFSET);
        assertEquals(8, CounterKey.CONSUMER_ID_OFFSET);
        assertEquals(16, CounterKey.TOPIC_NAME_OFFSET);
        assertEquals(96, CounterKey.MAX_NAME_BYTES_IN_KEY);

        CounterKey.consumer("orders", 7).accept(key);
        assertEquals(6, key.getInt(0));
        final CRC32C crc = new CRC32C();
        crc.update("orders".getBytes(StandardCharsets.US_ASCII));
        assertEquals((int)crc.getValue(), key.getInt(4));
        assertEquals(7, key.getLong(8));
        assertEquals("orders", key.getStringWithoutLengthAscii(16, 6));
        assertEquals(0, key.getByte(22), "nothing after the name");

        CounterKey.topic("orders").accept(key);
        assertEquals(CounterKey.NO_CONSUMER, key.getLong(8));
    }

    @Test
    void matchesItsTopicOnly()
    {
        CounterKey.topic("orders").accept(key);
        assertTrue(CounterKey.isTopic(key, 0, "orders"));
        assertFalse(CounterKey.isTopic(key, 0, "order"));
        assertFalse(CounterKey.isTopic(key, 0, "orderz"));
        assertEquals("orders", CounterKey.topic(key, 0, "any label"));
    }

    @Test
    void aNameLongerThanTheKeyIsMatchedByItsCrcAndReadWholeFromTheLabel()
    {
        final String prefix = "p".repeat(96);
        final String name = prefix + "-first-of-two-long-names";
        CounterKey.topic(name).accept(key);
        assertEquals(prefix, key.getStringWithoutLengthAscii(16, 96), "the first 96 bytes");
        assertTrue(CounterKey.isTopic(key, 0, name));
        assertFalse(CounterKey.isTopic(key, 0, prefix + "-first-of-two-long-nameZ"), "same length, other CRC");
        assertEquals(name, CounterKey.topic(key, 0, "topic " + name + ": tail position"));
        assertNull(CounterKey.topic(key, 0, "topic " + prefix + "-first-of-two-long-namX: tail position"),
            "a label that does not hold the name is not believed");
    }

    @Test
    void theFinderFindsACounterByTypeAndTopic()
    {
        final CountersManager counters = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024)));
        counters.newCounter("topic a: tail position", CounterTypes.TOPIC_TAIL_POSITION, CounterKey.topic("a"))
            .set(1);
        counters.newCounter("topic b: tail position", CounterTypes.TOPIC_TAIL_POSITION, CounterKey.topic("b"))
            .set(2);
        counters.newCounter("topic a: producer limit", CounterTypes.TOPIC_PRODUCER_LIMIT, CounterKey.topic("a"))
            .set(3);
        counters.newCounter("topic b: archived position", CounterTypes.ARCHIVE_ARCHIVED_POSITION,
            CounterKey.consumer("b", 5)).set(4);
        assertEquals(2, counters.getCounterValue(CounterFinder.find(counters, CounterTypes.TOPIC_TAIL_POSITION, "b")));
        assertEquals(3, counters.getCounterValue(CounterFinder.find(counters, CounterTypes.TOPIC_PRODUCER_LIMIT, "a")));
        assertEquals(-1, CounterFinder.find(counters, CounterTypes.TOPIC_PRODUCER_LIMIT, "b"));
        assertEquals(5, CounterFinder.consumerId(counters,
            CounterFinder.find(counters, CounterTypes.ARCHIVE_ARCHIVED_POSITION, "b")));
    }
}
