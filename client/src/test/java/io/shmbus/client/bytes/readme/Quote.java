package io.shmbus.client.bytes.readme;

import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.bytes.BytesClaim;
import io.shmbus.client.bytes.BytesFragmentAdapter;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

public final class Quote implements BytesMarshallable
{
    public long id;
    public double price;
    public final StringBuilder symbol = new StringBuilder(); // reused: reading allocates nothing

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeLong(id).writeDouble(price).writeUtf8(symbol);
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        id = in.readLong();
        price = in.readDouble();
        in.readUtf8(symbol);
    }

    /** Writes {@code sent} straight into the ring and reads it in place into {@code received}. */
    public static void sendAndReceive(
        final Producer producer, final Consumer consumer, final Quote sent, final Quote received)
    {
        final BytesClaim claim = new BytesClaim(); // keep one per thread
        final BytesFragmentAdapter handler = new BytesFragmentAdapter((in, header) -> received.readMarshallable(in));
        // claims at most 64 bytes; a quote that needs more throws MessageTooLongException, publishing nothing
        while (claim.tryWrite(producer, 64, sent) == Producer.BACK_PRESSURED)
        {
            Thread.onSpinWait();
        }
        while (0 == consumer.poll(handler, 10))
        {
            Thread.onSpinWait();
        }
    }
}
