package io.shmbus.examples;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * The message of {@link StructuredMessageExample}: a trade whose fields Chronicle Bytes writes straight into the
 * ring and reads in place. Mutable and reused, so neither side allocates per message; not thread-safe.
 */
public final class Trade implements BytesMarshallable
{
    /** The longest trade written: two longs, an int and a short symbol (its length byte and up to 16 chars). */
    public static final int MAX_LENGTH = 64;

    private static final String[] SYMBOLS = {"ACME", "GLOBEX", "INITECH"};

    public long id;
    public long priceTicks;
    public int quantity;
    public final StringBuilder symbol = new StringBuilder(); // reused: reading allocates nothing

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeLong(id).writeLong(priceTicks).writeInt(quantity).writeUtf8(symbol);
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        id = in.readLong();
        priceTicks = in.readLong();
        quantity = in.readInt();
        in.readUtf8(symbol);
    }

    /** Sets the fields of the trade numbered {@code id}: what the producer sends and the consumer expects. */
    public Trade numbered(final long id)
    {
        this.id = id;
        priceTicks = 10_000 + id % 500;
        quantity = (int)(id % 100) + 1;
        symbol.setLength(0);
        symbol.append(SYMBOLS[(int)(id % SYMBOLS.length)]);
        return this;
    }

    /** Whether the fields equal those of {@code other}. */
    public boolean sameAs(final Trade other)
    {
        return id == other.id && priceTicks == other.priceTicks && quantity == other.quantity &&
            symbol.toString().contentEquals(other.symbol);
    }

    @Override
    public String toString()
    {
        return "trade " + id + " " + symbol + " " + quantity + " @ " + priceTicks;
    }
}
