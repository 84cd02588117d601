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
 * UTF-8 after a length byte, the timestamp as 8 bytes). Reads into reused fields: neither allocates. One thread.
 * <p>
 * The client's tests write the same fields with their own {@code Order}: the client cannot depend on this module,
 * and benchmark code here does not depend on test code (the benchmarks' runtime class path is shipped in
 * {@code target/lib}); the examples' {@code Trade} has other fields, which would change what is measured.
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

    /** Hand-written encoding: its length for a symbol of {@code symbolUtf8Length} UTF-8 bytes. */
    static int encodedLength(final int symbolUtf8Length)
    {
        return SYMBOL_OFFSET + symbolUtf8Length;
    }

    /** UTF-8 length of the symbol (characters of the Basic Multilingual Plane: symbols are short codes). */
    int symbolUtf8Length()
    {
        int length = 0;
        for (int i = 0, n = symbol.length(); i < n; i++)
        {
            final char c = symbol.charAt(i);
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return length;
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
        int at = offset + SYMBOL_OFFSET;
        for (int i = 0, n = symbol.length(); i < n; i++)
        {
            final char c = symbol.charAt(i);
            if (c < 0x80)
            {
                buffer.putByte(at++, (byte)c);
            }
            else if (c < 0x800)
            {
                buffer.putByte(at++, (byte)(0xC0 | c >> 6));
                buffer.putByte(at++, (byte)(0x80 | c & 0x3F));
            }
            else
            {
                buffer.putByte(at++, (byte)(0xE0 | c >> 12));
                buffer.putByte(at++, (byte)(0x80 | c >> 6 & 0x3F));
                buffer.putByte(at++, (byte)(0x80 | c & 0x3F));
            }
        }
        buffer.putByte(offset + SYMBOL_LENGTH_OFFSET, (byte)(at - offset - SYMBOL_OFFSET));
    }

    void decode(final DirectBuffer buffer, final int offset)
    {
        id = buffer.getLong(offset + ID_OFFSET);
        quantity = buffer.getInt(offset + QUANTITY_OFFSET);
        price = buffer.getDouble(offset + PRICE_OFFSET);
        timestampNs = buffer.getLong(offset + TIMESTAMP_OFFSET);
        symbol.setLength(0);
        final int end = offset + SYMBOL_OFFSET + buffer.getByte(offset + SYMBOL_LENGTH_OFFSET);
        for (int at = offset + SYMBOL_OFFSET; at < end; )
        {
            final int b = buffer.getByte(at++) & 0xFF;
            if (b < 0x80)
            {
                symbol.append((char)b);
            }
            else if (b < 0xE0)
            {
                symbol.append((char)((b & 0x1F) << 6 | buffer.getByte(at++) & 0x3F));
            }
            else
            {
                final int b2 = buffer.getByte(at++) & 0x3F;
                symbol.append((char)((b & 0x0F) << 12 | b2 << 6 | buffer.getByte(at++) & 0x3F));
            }
        }
    }
}
