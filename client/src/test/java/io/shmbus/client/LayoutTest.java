package io.shmbus.client;

import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.shmbus.client.log.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Pins the binary layouts byte by byte: segment files and other languages depend on them.
 */
@Timeout(30)
class LayoutTest
{
    @Test
    void frameHeaderOffsets()
    {
        assertEquals(0, FRAME_LENGTH_OFFSET);
        assertEquals(4, TYPE_OFFSET);
        assertEquals(6, FLAGS_OFFSET);
        assertEquals(7, VERSION_OFFSET);
        assertEquals(8, POSITION_OFFSET);
        assertEquals(16, TIMESTAMP_OFFSET);
        assertEquals(24, PRODUCER_ID_OFFSET);
        assertEquals(28, CHECKSUM_OFFSET);
        assertEquals(32, HEADER_LENGTH);
        assertEquals(32, FRAME_ALIGNMENT);
    }

    @Test
    void commitWordIsLittleEndianLengthTypeFlagsVersion()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, FrameDescriptor.commitWord(0x01020304, TYPE_DATA, FLAG_CHECKSUM));
        assertArrayEquals(new byte[]{0x04, 0x03, 0x02, 0x01, 0x02, 0x00, 0x01, 0x01}, buffer.byteArray());

        buffer.putLong(0, FrameDescriptor.commitWord(-64, TYPE_DATA, (byte)0));
        assertEquals(-64, buffer.getInt(0));
        assertEquals(TYPE_DATA, buffer.getShort(4));
    }

    @Test
    void alignment()
    {
        assertEquals(32, alignedLength(1));
        assertEquals(32, alignedLength(32));
        assertEquals(64, alignedLength(33));
        assertEquals(1056, alignedLength(1024 + HEADER_LENGTH));
    }

    @Test
    void logMetadataOffsets()
    {
        assertEquals(0, LogDescriptor.VERSION_OFFSET);
        assertEquals(4, LogDescriptor.MAGIC_OFFSET);
        assertEquals(8, LogDescriptor.CAPACITY_OFFSET);
        assertEquals(12, LogDescriptor.MAX_MESSAGE_LENGTH_OFFSET);
        assertEquals(16, LogDescriptor.CONSUMER_SLOT_COUNT_OFFSET);
        assertEquals(20, LogDescriptor.TOPIC_NAME_LENGTH_OFFSET);
        assertEquals(24, LogDescriptor.CREATED_EPOCH_MS_OFFSET);
        assertEquals(32, LogDescriptor.CREATOR_PID_OFFSET);
        assertEquals(40, LogDescriptor.INITIAL_POSITION_OFFSET);
        assertEquals(48, LogDescriptor.TOPIC_NAME_OFFSET);
        assertEquals(256, LogDescriptor.TAIL_POSITION_OFFSET);
        assertEquals(384, LogDescriptor.PRODUCER_LIMIT_OFFSET);
        assertEquals(512, LogDescriptor.CLEAN_POSITION_OFFSET);
        assertEquals(640, LogDescriptor.NEXT_PRODUCER_ID_OFFSET);
        assertEquals(768, LogDescriptor.BROKER_EPOCH_NS_OFFSET);
        assertEquals(896, LogDescriptor.ARCHIVED_POSITION_OFFSET);
        assertEquals(1024, LogDescriptor.CONSUMER_SLOTS_OFFSET);
        assertEquals(64, LogDescriptor.CONSUMER_SLOT_LENGTH);
        assertEquals(4096, LogDescriptor.META_DATA_LENGTH);
        assertEquals(0, LogDescriptor.SLOT_STATE_OFFSET);
        assertEquals(4, LogDescriptor.SLOT_FLAGS_OFFSET);
        assertEquals(8, LogDescriptor.SLOT_POSITION_OFFSET);
        assertEquals(16, LogDescriptor.SLOT_OWNER_PID_OFFSET);
        assertEquals(24, LogDescriptor.SLOT_HEARTBEAT_OFFSET);
    }

    @Test
    void responseOffsets()
    {
        assertEquals(32, io.shmbus.client.cnc.ResponseFlyweight.REPLAY_POSITION_OFFSET);
        assertEquals(40, io.shmbus.client.cnc.ResponseFlyweight.FLAGS_OFFSET);
        assertEquals(44, io.shmbus.client.cnc.ResponseFlyweight.MESSAGE_LENGTH_OFFSET);
        assertEquals(48, io.shmbus.client.cnc.ResponseFlyweight.MESSAGE_OFFSET);
    }

    @Test
    void createdFileHasTheDocumentedBytes() throws IOException
    {
        final Path dir = TestDirs.create("layout");
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("orders").capacity(65536)
            .initialPosition(4096)))
        {
            final Producer producer = topic.addProducer();
            final UnsafeBuffer msg = new UnsafeBuffer(new byte[]{'h', 'i'});
            assertEquals(4096 + 64, producer.offer(msg, 0, 2));
            final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(topic.file())).order(ByteOrder.LITTLE_ENDIAN);

            assertEquals(4096 + 65536, file.capacity());
            assertEquals(LogDescriptor.VERSION, file.getInt(0));
            assertEquals(0x424D4853, file.getInt(4));
            assertEquals('S', file.get(4));
            assertEquals(65536, file.getInt(8));
            assertEquals(65536 / 8 - 32, file.getInt(12));
            assertEquals(48, file.getInt(16));
            assertEquals(6, file.getInt(20));
            assertEquals(ProcessHandle.current().pid(), file.getLong(32));
            assertEquals(4096, file.getLong(40));
            assertEquals("orders", new String(file.array(), 48, 6, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(4096 + 64, file.getLong(256), "tail");

            // initial position 4096 maps to ring offset 4096 & (65536 - 1) = 4096
            final int frame = 4096 + 4096;
            assertEquals(34, file.getInt(frame));
            assertEquals(TYPE_DATA, file.getShort(frame + 4));
            assertEquals(0, file.get(frame + 6));
            assertEquals(CURRENT_VERSION, file.get(frame + 7));
            assertEquals(4096, file.getLong(frame + 8));
            final long nowNs = System.currentTimeMillis() * 1_000_000L;
            assertTrue(Math.abs(file.getLong(frame + 16) - nowNs) < 60_000_000_000L, "timestamp is epoch ns");
            assertEquals(producer.producerId(), file.getInt(frame + 24));
            assertEquals('h', file.get(frame + 32));
            assertEquals('i', file.get(frame + 33));
            assertEquals(0, file.getInt(frame + 64), "next frame not written");
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }
}
