package io.shmbus.client.bytes;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * A typical five-field message: an id, a quantity, a price, a short UTF-8 symbol and a stop-bit encoded timestamp.
 * Reads into reused fields (the symbol into a reused builder), so neither direction allocates. The structured
 * message benchmark (ipc-tests) has its twin, {@code BenchOrder}, with a hand-written encoding besides: this module
 * cannot depend on that one, nor benchmark code on this test code.
 */
final class Order implements BytesMarshallable
{
    /** The most it can take with a symbol of up to 16 UTF-8 bytes: 8 + 4 + 8 + (1 + 16) + 9. */
    static final int MAX_LENGTH = 46;

    long id;
    int quantity;
    double price;
    final StringBuilder symbol = new StringBuilder(16);
    long timestampNs;

    Order set(final long id, final int quantity, final double price, final CharSequence symbol, final long timestampNs)
    {
        this.id = id;
        this.quantity = quantity;
        this.price = price;
        this.symbol.setLength(0);
        this.symbol.append(symbol);
        this.timestampNs = timestampNs;
        return this;
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeLong(id).writeInt(quantity).writeDouble(price);
        out.writeUtf8(symbol);
        out.writeStopBit(timestampNs);
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        id = in.readLong();
        quantity = in.readInt();
        price = in.readDouble();
        in.readUtf8(symbol);
        timestampNs = in.readStopBit();
    }
}
