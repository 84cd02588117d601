package io.shmbus.broker.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Length-prefixed messages, what {@code shmbus replay --format payload} writes: each a 4-byte little-endian length,
 * then that many bytes, so any bytes at all round-trip. A message longer than the limit is skipped over (counted,
 * not kept) so the caller can name it. Not thread-safe.
 */
final class PayloadReader implements MessageReader
{
    static final int LENGTH_PREFIX = 4;

    private final InputStream in;
    private final int limit;
    private final byte[] prefix = new byte[LENGTH_PREFIX];
    private byte[] payload = new byte[256];
    private long length;
    private long number;
    private long offset;
    private long nextOffset;

    PayloadReader(final InputStream in, final int limit)
    {
        this.in = in;
        this.limit = limit;
    }

    public boolean next() throws IOException
    {
        offset = nextOffset;
        number++;
        final int prefixRead = in.readNBytes(prefix, 0, LENGTH_PREFIX);
        if (0 == prefixRead)
        {
            number--;
            return false;
        }
        if (prefixRead < LENGTH_PREFIX)
        {
            throw new TruncatedInputException("the input ends inside the length of " + describe() + ": " +
                prefixRead + " of its 4 bytes");
        }
        length = (prefix[0] & 0xFFL) | (prefix[1] & 0xFFL) << 8 | (prefix[2] & 0xFFL) << 16 |
            (prefix[3] & 0xFFL) << 24;
        nextOffset = offset + LENGTH_PREFIX + length;
        if (length > limit)
        {
            skip(length);
            return true;
        }
        if (payload.length < length)
        {
            payload = Arrays.copyOf(payload, (int)Math.min(limit, Math.max(length, payload.length * 2L)));
        }
        final int read = in.readNBytes(payload, 0, (int)length);
        if (read < length)
        {
            throw truncated(read);
        }
        return true;
    }

    /** Reads past a message too long to keep (not {@code InputStream.skip}: a pipe cannot seek). */
    private void skip(final long bytes) throws IOException
    {
        long left = bytes;
        while (left > 0)
        {
            final int read = in.read(payload, 0, (int)Math.min(left, payload.length));
            if (read < 0)
            {
                throw truncated(bytes - left);
            }
            left -= read;
        }
    }

    private TruncatedInputException truncated(final long read)
    {
        return new TruncatedInputException("the input ends inside " + describe() + ": its length says " + length +
            " bytes, " + read + " follow");
    }

    public byte[] bytes()
    {
        return payload;
    }

    public long length()
    {
        return length;
    }

    public boolean tooLong()
    {
        return length > limit;
    }

    public String rest()
    {
        return "tail -c +" + (offset + 1) + " INPUT";
    }

    public String describe()
    {
        return "record " + number + " (its length at byte " + offset + ")";
    }
}
