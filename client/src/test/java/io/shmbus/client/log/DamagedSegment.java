package io.shmbus.client.log;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A segment file as the archiver writes it (data and padding frames from position 0, with its time and checksum
 * indexes), and the same bytes after one random damage: a flipped bit anywhere or in a header, a truncation, a
 * zeroed range, or a frame length set near {@link Integer#MAX_VALUE} (or to another bad value). For the property
 * tests of every reader of segments: what they deliver is compared with the <em>intact prefix</em>, the original
 * frames that end before the first changed byte. Its {@link #toString()} is what a failing, shrunk case prints.
 */
public final class DamagedSegment
{
    public enum Kind
    {
        FLIP_BIT, FLIP_HEADER_BIT, TRUNCATE, ZERO_RANGE, BAD_LENGTH
    }

    /** Frames a checksum record (one archiving step) covers in the generated indexes. */
    private static final int FRAMES_PER_STEP = 5;
    private static final int[] BAD_LENGTHS = {
        Integer.MAX_VALUE, Integer.MAX_VALUE - 31, Integer.MIN_VALUE, -1, 0, 1, 31,
        StoredFrameCheck.MAX_FRAME_LENGTH + 1
    };

    private final List<Integer> payloads;
    private final Kind kind;
    private final double at;
    private final int detail;
    private final int span;
    public final byte[] original;
    public final byte[] damaged;
    /** The stream position (file offset) of each original frame, then the end of the data. */
    public final long[] starts;

    private DamagedSegment(final List<Integer> payloads, final Kind kind, final double at, final int detail,
        final int span)
    {
        this.payloads = payloads;
        this.kind = kind;
        this.at = at;
        this.detail = detail;
        this.span = span;
        this.starts = new long[payloads.size() + 1];
        int length = 0;
        for (int i = 0; i < payloads.size(); i++)
        {
            starts[i] = length;
            length += FrameDescriptor.alignedLength(frameLength(i));
        }
        starts[payloads.size()] = length;
        final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < payloads.size(); i++)
        {
            final int start = (int)starts[i];
            final boolean pad = payloads.get(i) < 0;
            bytes.putLong(start, FrameDescriptor.commitWord(frameLength(i),
                pad ? FrameDescriptor.TYPE_PAD : FrameDescriptor.TYPE_DATA, (byte)0));
            bytes.putLong(start + FrameDescriptor.POSITION_OFFSET, start);
            bytes.putLong(start + FrameDescriptor.TIMESTAMP_OFFSET, 1000 + i);
            bytes.putInt(start + FrameDescriptor.PRODUCER_ID_OFFSET, 7);
            for (int j = FrameDescriptor.HEADER_LENGTH; j < frameLength(i); j++)
            {
                bytes.put(start + j, (byte)(i * 31 + j)); // never zero runs that look like the end of the data
            }
        }
        original = bytes.array();
        damaged = damage(original);
    }

    /** Segments of 1 to 40 frames of 0 to 300 payload bytes (some padding), each with one damage. */
    public static Arbitrary<DamagedSegment> arbitrary()
    {
        final Arbitrary<List<Integer>> frames = Arbitraries.integers().between(-1, 300).list().ofMinSize(1)
            .ofMaxSize(40);
        return Combinators.combine(frames, Arbitraries.of(Kind.class), Arbitraries.doubles().between(0, 1),
            Arbitraries.integers().between(0, 255), Arbitraries.integers().between(1, 400))
            .as(DamagedSegment::new);
    }

    /** The frame length of frame {@code i}: a padding frame (payload -1) is a bare header. */
    public int frameLength(final int i)
    {
        return FrameDescriptor.HEADER_LENGTH + Math.max(0, payloads.get(i));
    }

    public int frames()
    {
        return payloads.size();
    }

    public long end()
    {
        return starts[payloads.size()];
    }

    public boolean isData(final int i)
    {
        return payloads.get(i) >= 0;
    }

    /** The first byte that differs (a truncation counts from where the file ends), or -1 when nothing changed. */
    public int firstChangedByte()
    {
        final int common = Math.min(original.length, damaged.length);
        for (int i = 0; i < common; i++)
        {
            if (original[i] != damaged[i])
            {
                return i;
            }
        }
        return damaged.length < original.length ? damaged.length : -1;
    }

    /** How many original frames end before the first changed byte: every reader must deliver them all. */
    public int intactFrames()
    {
        final int changed = firstChangedByte();
        int n = 0;
        while (n < frames() && (changed < 0 || starts[n + 1] <= changed))
        {
            n++;
        }
        return n;
    }

    public long intactEnd()
    {
        return starts[intactFrames()];
    }

    /** The start of the frame holding the first changed byte, or the end when nothing changed. */
    public long firstDamagedFrame()
    {
        return intactEnd();
    }

    /** The end of the last original frame whose bytes are all still there, unchanged. */
    public long lastUnchangedFrameEnd()
    {
        long last = 0;
        for (int i = 0; i < frames(); i++)
        {
            if (starts[i + 1] <= damaged.length &&
                Arrays.equals(original, (int)starts[i], (int)starts[i + 1], damaged, (int)starts[i],
                (int)starts[i + 1]))
            {
                last = starts[i + 1];
            }
        }
        return last;
    }

    /** The checksum index the archiver would have written: position, length, CRC32C of each step's bytes. */
    public byte[] checksumIndex()
    {
        final int steps = (frames() + FRAMES_PER_STEP - 1) / FRAMES_PER_STEP;
        final ByteBuffer records = ByteBuffer.allocate(steps * 16).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        for (int s = 0; s < steps; s++)
        {
            final int from = (int)starts[s * FRAMES_PER_STEP];
            final int to = (int)starts[Math.min(frames(), (s + 1) * FRAMES_PER_STEP)];
            crc.reset();
            crc.update(original, from, to - from);
            records.putLong(from).putInt(to - from).putInt((int)crc.getValue());
        }
        return records.array();
    }

    /** The time index the archiver would have written: the first message of each step, time stamp and position. */
    public byte[] timeIndex()
    {
        final ByteBuffer records = ByteBuffer.allocate(frames() * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s * FRAMES_PER_STEP < frames(); s++)
        {
            final int first = s * FRAMES_PER_STEP;
            if (isData(first))
            {
                records.putLong(1000 + first).putLong(starts[first]);
            }
        }
        return Arrays.copyOf(records.array(), records.position());
    }

    private byte[] damage(final byte[] bytes)
    {
        final byte[] copy = bytes.clone();
        final int offset = (int)Math.min(bytes.length - 1, Math.floor(at * bytes.length));
        final int frame = (int)Math.min(frames() - 1, Math.floor(at * frames()));
        switch (kind)
        {
            case FLIP_BIT:
                copy[offset] ^= (byte)(1 << (detail & 7));
                return copy;
            case FLIP_HEADER_BIT:
                copy[(int)starts[frame] + (detail >>> 3) % FrameDescriptor.HEADER_LENGTH] ^= (byte)(1 << (detail & 7));
                return copy;
            case TRUNCATE:
                return Arrays.copyOf(bytes, offset);
            case ZERO_RANGE:
                Arrays.fill(copy, offset, Math.min(bytes.length, offset + span), (byte)0);
                return copy;
            default:
                ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt((int)starts[frame],
                    BAD_LENGTHS[detail % BAD_LENGTHS.length]);
                return copy;
        }
    }

    public String toString()
    {
        return kind + " at " + at + " (detail " + detail + ", span " + span + ") of " + frames() +
            " frames, payloads " + payloads + ": " + original.length + " bytes, damaged file " + damaged.length +
            " bytes, first changed byte " + firstChangedByte() + ", intact prefix " + intactFrames() + " frames";
    }
}
