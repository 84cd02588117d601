package io.shmbus.client.bytes;

import io.shmbus.client.AllocationRounds;
import io.shmbus.client.Consumer;
import io.shmbus.client.Header;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TestDirs;
import io.shmbus.client.Topic;
import net.openhft.chronicle.bytes.BytesIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Encode with {@link BytesClaim}, commit, poll and decode through a {@link BytesFragmentAdapter} allocate nothing
 * once warm, across many laps of the ring, for the five-field {@link Order} with its UTF-8 symbol (measured as
 * {@code AllocationFreeHotPathTest} measures the raw hot path).
 */
@Timeout(120)
class BytesAllocationTest
{
    private static final String[] SYMBOLS = {"EURUSD", "VOD.L", "\u20acSTR"};

    private final Order sent = new Order();
    private final Order received = new Order();
    private long sum;

    private void onMessage(final BytesIn<?> in, final Header header)
    {
        received.readMarshallable(in);
        sum += received.id + received.quantity + received.symbol.length() + received.timestampNs;
    }

    @Test
    void encodeCommitPollDecodeAllocatesNothing()
    {
        final Path dir = TestDirs.create("bytes-alloc");
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("alloc").capacity(64 * 1024)))
        {
            final Producer producer = topic.addProducer();
            final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
            final BytesClaim claim = new BytesClaim();
            final BytesFragmentAdapter adapter = new BytesFragmentAdapter(this::onMessage);

            exercise(producer, consumer, claim, adapter, 200_000); // warm up: JIT, Chronicle's lazy state
            AllocationRounds.assertOneClean("bytes allocated in each round of 500,000 messages",
                () -> exercise(producer, consumer, claim, adapter, 500_000));
            assertTrue(topic.tailPosition() > 100L * topic.capacity(), "the measured loop lapped the ring");
            assertNotEquals(0, sum);
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    private void exercise(
        final Producer producer, final Consumer consumer, final BytesClaim claim, final BytesFragmentAdapter adapter,
        final int messages)
    {
        for (int i = 0; i < messages; i++)
        {
            sent.set(i, i & 0xFFFF, i * 0.5, SYMBOLS[i % SYMBOLS.length], 1_700_000_000_000_000_000L + i);
            if (claim.tryWrite(producer, Order.MAX_LENGTH, sent) <= 0)
            {
                fail("refused at message " + i);
            }
            if (1 != consumer.poll(adapter, 1))
            {
                fail("not delivered: message " + i);
            }
            if (received.id != i)
            {
                fail("message " + i + " read back as " + received.id);
            }
        }
    }
}
