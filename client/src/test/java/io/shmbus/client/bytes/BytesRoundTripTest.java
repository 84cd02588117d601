package io.shmbus.client.bytes;

import io.shmbus.client.Consumer;
import io.shmbus.client.ExclusiveProducer;
import io.shmbus.client.Header;
import io.shmbus.client.Producer;
import io.shmbus.client.Publisher;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TestDirs;
import io.shmbus.client.Topic;
import io.shmbus.client.log.FrameDescriptor;
import net.openhft.chronicle.bytes.BytesIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Structured messages written in place with {@link BytesClaim} and read in place through a
 * {@link BytesFragmentAdapter}, on a real topic log: every field back as written, across many laps of the ring,
 * from both kinds of producer; too long a message, or a failing one, publishes nothing.
 */
@Timeout(60)
class BytesRoundTripTest
{
    private static final String[] SYMBOLS = {"EURUSD", "VOD.L", "\u20acSTR", "\u65e5\u7d4c225", "X"};

    private Path dir;
    private Topic topic;
    private final Order sent = new Order();
    private final Order received = new Order();
    private final List<Long> positions = new ArrayList<>();
    private int count;
    private int lastLength;

    @BeforeEach
    void open()
    {
        dir = TestDirs.create("bytes");
        topic = Topic.open(new Topic.Context().dir(dir).topic("orders").capacity(64 * 1024));
    }

    @AfterEach
    void close()
    {
        try
        {
            topic.close();
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    private void onMessage(final BytesIn<?> in, final Header header)
    {
        received.readMarshallable(in);
        lastLength = (int)in.readLimit();
        positions.add(header.position());
        count++;
    }

    @Test
    void everyFieldComesBackAcrossManyLapsOfTheRing()
    {
        roundTrip(topic.addProducer());
    }

    @Test
    void anExclusiveProducerWritesTheSame()
    {
        roundTrip(topic.addExclusiveProducer());
    }

    private void roundTrip(final Publisher producer)
    {
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BytesClaim claim = new BytesClaim();
        final BytesFragmentAdapter adapter = new BytesFragmentAdapter(this::onMessage);
        final int messages = 20_000;
        for (int i = 0; i < messages; i++)
        {
            final String symbol = SYMBOLS[i % SYMBOLS.length];
            sent.set(i * 31L, i, i * 0.25 + 0.125, symbol, 1_700_000_000_000_000_000L + i);
            assertTrue(claim.tryWrite(producer, Order.MAX_LENGTH, sent) > 0, "message " + i);
            assertEquals(1, consumer.poll(adapter, 10), "message " + i);
            assertEquals(i * 31L, received.id);
            assertEquals(i, received.quantity);
            assertEquals(i * 0.25 + 0.125, received.price);
            assertEquals(symbol, received.symbol.toString());
            assertEquals(1_700_000_000_000_000_000L + i, received.timestampNs);
            assertEquals(Order.MAX_LENGTH, lastLength, "the payload is the bound claimed");
        }
        assertEquals(messages, count);
        assertTrue(topic.tailPosition() > 20L * topic.capacity(), "the ring wrapped many times");
        for (int i = 1; i < positions.size(); i++)
        {
            assertTrue(positions.get(i) > positions.get(i - 1));
        }
    }

    @Test
    void theClaimAndTheAdapterMayBeHandedFromOneThreadToAnother() throws Exception
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BytesClaim claim = new BytesClaim();
        final BytesFragmentAdapter adapter = new BytesFragmentAdapter(this::onMessage);
        sent.set(1, 2, 3.5, "VOD.L", 4);
        assertTrue(claim.tryWrite(producer, Order.MAX_LENGTH, sent) > 0);
        assertEquals(1, consumer.poll(adapter, 10));
        final Throwable[] failure = new Throwable[1];
        final Thread user = new Thread(() ->
        {
            try
            {
                sent.set(5, 6, 7.5, "EURUSD", 8);
                assertTrue(claim.tryWrite(producer, Order.MAX_LENGTH, sent) > 0);
                assertEquals(1, consumer.poll(adapter, 10));
            }
            catch (final Throwable ex)
            {
                failure[0] = ex;
            }
        }, "bytes-user");
        user.start();
        user.join(30_000);
        assertFalse(user.isAlive(), "the other thread finished within 30 s");
        assertNull(failure[0], () -> "on another thread: " + failure[0]);
        assertEquals(5, received.id);
        assertEquals("EURUSD", received.symbol.toString());
    }

    @Test
    void aShorterMessageIsZeroPaddedToTheBoundAndReportsItsLength()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BytesClaim claim = new BytesClaim();
        // fill the ring once with ones, so the padding must really be written as zeros on the next lap
        final byte[] ones = new byte[200];
        java.util.Arrays.fill(ones, (byte)-1);
        final org.agrona.concurrent.UnsafeBuffer src = new org.agrona.concurrent.UnsafeBuffer(ones);
        while (topic.tailPosition() < topic.capacity() * 2L)
        {
            assertTrue(producer.offer(src, 0, ones.length) > 0);
            consumer.poll((b, o, l, h) -> { }, 100);
        }
        assertTrue(claim.tryWrite(producer, 64, out -> out.writeStopBit(5).writeUtf8("ab")) > 0);
        assertEquals(4, claim.writtenLength());
        final int[] zeros = {-1};
        assertEquals(1, consumer.poll((buffer, offset, length, header) ->
        {
            assertEquals(64, length);
            assertEquals(5, buffer.getByte(offset));
            int z = 0;
            for (int i = 4; i < length; i++)
            {
                z += 0 == buffer.getByte(offset + i) ? 1 : 0;
            }
            zeros[0] = z;
        }, 10));
        assertEquals(60, zeros[0]);
    }

    @Test
    void aMessageTooLongForItsClaimPublishesNothing()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BytesClaim claim = new BytesClaim();
        final BytesFragmentAdapter adapter = new BytesFragmentAdapter(this::onMessage);
        final long before = topic.tailPosition();

        sent.set(1, 2, 3.0, "EURUSD", 4);
        final MessageTooLongException ex =
            assertThrows(MessageTooLongException.class, () -> claim.tryWrite(producer, 16, sent));
        assertTrue(ex.getMessage().contains("longer than the 16 bytes claimed"), ex.getMessage());
        assertTrue(ex.getMessage().contains("nothing was published"), ex.getMessage());
        assertTrue(topic.tailPosition() > before, "the claim was taken, then aborted");
        assertEquals(0, consumer.poll(adapter, 10), "the aborted claim is padding: nothing delivered");

        sent.set(7, 8, 9.5, "VOD.L", 10);
        assertTrue(claim.tryWrite(producer, Order.MAX_LENGTH, sent) > 0);
        assertEquals(1, consumer.poll(adapter, 10));
        assertEquals(1, count);
        assertEquals(7, received.id);
        assertEquals("VOD.L", received.symbol.toString());
    }

    @Test
    void aFailingMessageAbortsItsClaimAndTheErrorPropagates()
    {
        final Producer producer = topic.addProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BytesClaim claim = new BytesClaim();
        final IllegalStateException thrown = new IllegalStateException("no price");
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> claim.tryWrite(producer, 32, out ->
        {
            out.writeLong(1);
            throw thrown;
        })));
        assertEquals(0, consumer.poll(new BytesFragmentAdapter(this::onMessage), 10));
        assertEquals(0, count);
    }

    @Test
    void aBoundAboveTheTopicsMaximumIsRefusedWithTheUsualCode()
    {
        final Producer producer = topic.addProducer();
        final BytesClaim claim = new BytesClaim();
        assertEquals(Producer.MAX_MESSAGE_LENGTH_EXCEEDED,
            claim.tryWrite(producer, topic.maxMessageLength() + 1, out -> out.writeLong(1)));
        assertEquals(Producer.INVALID_LENGTH, claim.tryWrite(producer, 0, out -> out.writeLong(1)));
    }

    @Test
    void theAdapterReadsFieldsInPlaceAtFixedOffsetsToo()
    {
        final ExclusiveProducer producer = topic.addExclusiveProducer();
        final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
        final BytesClaim claim = new BytesClaim();
        assertTrue(claim.tryWrite(producer, 16, out -> out.writeLong(42).writeLong(43)) > 0);
        final long[] read = new long[3];
        assertEquals(1, consumer.poll(new BytesFragmentAdapter((in, header) ->
        {
            read[0] = in.readLong(8);
            read[1] = in.readLong();
            read[2] = header.frameLength();
        }), 10));
        assertArrayEquals(new long[]{43, 42, FrameDescriptor.HEADER_LENGTH + 16}, read);
    }
}
