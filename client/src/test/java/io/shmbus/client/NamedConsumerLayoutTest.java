package io.shmbus.client;

import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bytes behind durable named consumers: the committed position in the consumer slot, and the consumer name
 * after the topic in {@code ADD_NAMED_CONSUMER}.
 */
class NamedConsumerLayoutTest
{
    @Test
    void committedPositionOffsets()
    {
        assertEquals(32, LogDescriptor.SLOT_COMMITTED_POSITION_OFFSET);
        assertEquals(-1, LogDescriptor.NO_COMMIT);
        assertTrue(LogDescriptor.SLOT_COMMITTED_POSITION_OFFSET + 8 <= LogDescriptor.CONSUMER_SLOT_LENGTH);
        assertEquals(2, LogDescriptor.VERSION, "the field uses bytes earlier releases left zero: no new version");
        assertEquals(10, ControlProtocol.ADD_NAMED_CONSUMER);
        assertEquals(13, ControlProtocol.ERROR_CONSUMER_NAME_IN_USE);
    }

    @Test
    void commitStoresThePositionAfterTheLastDeliveredMessageInTheSlot() throws IOException
    {
        final Path dir = TestDirs.create("named-layout");
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("orders").capacity(65536)))
        {
            final Producer producer = topic.addProducer();
            final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
            final int slotOffset = LogDescriptor.slotOffset(consumer.slot());
            assertEquals(LogDescriptor.NO_COMMIT, fileBytes(topic).getLong(slotOffset + 32), "activated: no commit");

            final UnsafeBuffer msg = new UnsafeBuffer(new byte[]{'h', 'i'});
            final long end = producer.offer(msg, 0, 2);
            producer.offer(msg, 0, 2);
            assertEquals(1, consumer.poll((buffer, offset, length, header) -> { }, 1));
            consumer.commit();
            final ByteBuffer file = fileBytes(topic);
            assertEquals(end, file.getLong(slotOffset + 32), "committed: the next position to read");
            assertEquals(end, file.getLong(slotOffset + 8), "the flow-control position is the same here");
            assertEquals(0, file.getLong(slotOffset + 40));
            assertEquals(0, file.getLong(slotOffset + 56));
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    @Test
    void consumerNameFollowsTheTopicInTheCommand()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
        final CommandFlyweight command = new CommandFlyweight().wrap(buffer, 0).clear()
            .correlationId(7).clientPid(42).startType(ControlProtocol.START_EARLIEST).topic("orders")
            .consumerName("billing");
        assertEquals(48 + 6 + 4 + 7, command.length());
        assertEquals(6, buffer.getInt(44));
        assertEquals("orders", buffer.getStringWithoutLengthAscii(48, 6));
        assertEquals(7, buffer.getInt(54));
        assertEquals("billing", new String(buffer.byteArray(), 58, 7, StandardCharsets.US_ASCII));

        final CommandFlyweight read = new CommandFlyweight().wrapForRead(buffer, 0);
        assertEquals("billing", read.consumerName(command.length()));
        assertNull(read.consumerName(command.length() - 1), "a name cut short is refused, not misread");
        assertEquals(48 + 128 + 4 + 64, CommandFlyweight.MAX_LENGTH);
    }

    @Test
    void consumerNamesAreChecked()
    {
        assertEquals("billing-2.eu_west", ConsumerNames.validate("billing-2.eu_west"));
        assertThrows(ConfigurationException.class, () -> ConsumerNames.validate(""));
        assertThrows(ConfigurationException.class, () -> ConsumerNames.validate("a b"));
        assertThrows(ConfigurationException.class, () -> ConsumerNames.validate("x".repeat(65)));
    }

    private static ByteBuffer fileBytes(final Topic topic) throws IOException
    {
        return ByteBuffer.wrap(Files.readAllBytes(topic.file())).order(ByteOrder.LITTLE_ENDIAN);
    }
}
