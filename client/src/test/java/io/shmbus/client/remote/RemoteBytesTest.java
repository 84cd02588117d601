package io.shmbus.client.remote;

import io.shmbus.client.StartPosition;
import io.shmbus.client.bytes.BytesFragmentAdapter;
import io.shmbus.client.bytes.readme.Quote;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A {@link BytesFragmentAdapter} reads structured messages in place from a {@link RemoteConsumer}'s receive buffer
 * too, not only from the ring.
 */
@Timeout(30)
class RemoteBytesTest
{
    /** The broker's OK to a subscription from position 0 (the example of docs/protocol.md). */
    private static final byte[] OK = {
        0x53, 0x48, 0x4d, 0x42, 0x01, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00};

    private final FakeBroker broker = new FakeBroker();
    private RemoteConsumer consumer;

    @AfterEach
    void close() throws IOException
    {
        if (null != consumer)
        {
            consumer.close();
        }
        broker.close();
    }

    @Test
    void aQuoteSentOverTcpIsReadInPlace() throws IOException
    {
        final Quote sent = new Quote();
        sent.id = 12;
        sent.price = 99.5;
        sent.symbol.append("\u20acSTR");
        final Bytes<byte[]> encoded = Bytes.allocateElasticOnHeap(64);
        sent.writeMarshallable(encoded);

        final Quote received = new Quote();
        final int[] count = {0};
        final BytesFragmentAdapter adapter = new BytesFragmentAdapter((in, header) ->
        {
            received.readMarshallable(in);
            count[0]++;
        });
        consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context().host("127.0.0.1").port(broker.port())
            .topic("orders").start(StartPosition.EARLIEST).reconnectBackoffMs(10).reconnectBackoffMaxMs(20));
        try (FakeBroker.Session session = broker.accept(consumer, adapter))
        {
            session.send(OK);
            session.send(new StreamBuilder(0).data(encoded.toByteArray(), false).toBytes());
            final long deadline = System.currentTimeMillis() + FakeBroker.DEADLINE_MS;
            while (0 == count[0])
            {
                assertTrue(System.currentTimeMillis() < deadline, "no message within " + FakeBroker.DEADLINE_MS +
                    " ms; the consumer is " + consumer);
                consumer.poll(adapter, 10);
            }
        }
        assertEquals(12, received.id);
        assertEquals(99.5, received.price);
        assertEquals("\u20acSTR", received.symbol.toString());
    }
}
