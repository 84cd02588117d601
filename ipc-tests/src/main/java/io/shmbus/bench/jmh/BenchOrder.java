package io.shmbus.bench.jmh;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The five-field message of {@link StructuredMessageBenchmark}: an id, a quantity, a price, a short symbol and a
 * timestamp. Two encodings of the same fields: Chronicle Bytes ({@link #writeMarshallable}, the symbol as UTF-8
 * and the timestamp stop-bit encoded) and by hand at fixed offsets with Agrona ({@link #encode}, the symbol as
 * ASCII after a length byte, the timestamp as 8 bytes). Reads into reused fields: neither allocates. One thread.
 */
final class BenchOrder implements BytesMarshallable
{
    /** Chronicle Bytes encoding, bound for a symbol of up to 16 bytes: 8 + 4 + 8 + (1 + 16) + 9. */
    static final int MAX_LENGTH = 46;

    static final int ID_OFFSET = 0;
    static final int QUANTITY_OFFSET = ID_OFFSET + 8;
    static final int PRICE_OFFSET = QUANTITY_OFFSET + 4;
    static final int TIMESTAMP_OFFSET = PRICE_OFFSET + 8;
    static final int SYMBOL_LENGTH_OFFSET = TIMESTAMP_OFFSET + 8;
    static final int SYMBOL_OFFSET = SYMBOL_LENGTH_OFFSET + 1;

    long id;
    int quantity;
    double price;
    final StringBuilder symbol = new StringBuilder(16);
    long timestampNs;

    /** Hand-written encoding: its length for a symbol of {@code symbolLength} ASCII characters. */
    static int encodedLength(final int symbolLength)
    {
        return SYMBOL_OFFSET + symbolLength;
    }

    BenchOrder set(final long id, final int quantity, final double price, final String symbol, final long timestampNs)
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

    void encode(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        buffer.putInt(offset + QUANTITY_OFFSET, quantity);
        buffer.putDouble(offset + PRICE_OFFSET, price);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestampNs);
        final int length = symbol.length();
        buffer.putByte(offset + SYMBOL_LENGTH_OFFSET, (byte)length);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + SYMBOL_OFFSET + i, (byte)symbol.charAt(i));
        }
    }

    void decode(final DirectBuffer buffer, final int offset)
    {
        id = buffer.getLong(offset + ID_OFFSET);
        quantity = buffer.getInt(offset + QUANTITY_OFFSET);
        price = buffer.getDouble(offset + PRICE_OFFSET);
        timestampNs = buffer.getLong(offset + TIMESTAMP_OFFSET);
        symbol.setLength(0);
        buffer.getStringWithoutLengthAscii(offset + SYMBOL_OFFSET, buffer.getByte(offset + SYMBOL_LENGTH_OFFSET),
            symbol);
    }
}
