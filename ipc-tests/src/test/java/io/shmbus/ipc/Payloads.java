package io.shmbus.ipc;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Test messages that a consumer in another process can check byte for byte. The length and content of the message
 * with sequence number {@code seq} from thread {@code t} of producer process {@code p} are derived from a shared
 * seed, so a consumer recomputes both from the sequence number it expects next.
 * <p>
 * Lengths: half the messages are 1..64 bytes, half 1..{@code maxLength} (uniform), so the smallest frames are
 * common. Content is a slice of a seeded random block, starting at a seeded offset. Layout, little-endian:
 * <pre>
 *   full form, length &gt;= 12               short form, length 1..11
 *   0   process index (0..127)               0   1ppt ssss: process (2 bits), thread (1 bit),
 *   1   thread index                                         low 4 bits of seq
 *   2   length (unsigned short)              1.. pattern bytes
 *   4   sequence number (int)
 *   8   CRC32 of bytes 12..length
 *   12.. pattern bytes
 * </pre>
 * A short message cannot hold the whole header: the consumer takes it as the next message of its (process,
 * thread) stream, checks the low sequence bits, the derived length and every pattern byte. A lost, duplicated or
 * reordered short message therefore still shows as an error (and in the final per-stream counts). Short messages
 * are only generated when process and thread fit the tag (at most 4 processes of at most 2 threads).
 * <p>
 * Immutable after construction and thread-safe.
 */
final class Payloads
{
    static final int PROCESS_OFFSET = 0;
    static final int THREAD_OFFSET = 1;
    static final int LENGTH_OFFSET = 2;
    static final int SEQ_OFFSET = 4;
    static final int CRC_OFFSET = 8;
    static final int FULL_HEADER_LENGTH = 12;

    static final int SHORT_FORM_FLAG = 0x80;
    static final int SHORT_FORM_MAX_PROCESSES = 4;
    static final int SHORT_FORM_MAX_THREADS = 2;

    private static final int SMALL_LENGTH = 64;
    private static final int PATTERN_STARTS = 4096;

    private final long seed;
    private final int maxLength;
    private final int minLength;
    private final UnsafeBuffer pattern;

    /**
     * @param seed      shared by producers and consumers of one run.
     * @param processes number of producer processes.
     * @param threads   producing threads per process.
     * @param maxLength largest payload, at least {@link #FULL_HEADER_LENGTH}.
     */
    Payloads(final long seed, final int processes, final int threads, final int maxLength)
    {
        if (processes < 1 || processes > 127 || threads < 1 || threads > 127 || maxLength < FULL_HEADER_LENGTH)
        {
            throw new IllegalArgumentException(
                "processes=" + processes + " threads=" + threads + " maxLength=" + maxLength);
        }
        this.seed = seed;
        this.maxLength = maxLength;
        this.minLength = processes <= SHORT_FORM_MAX_PROCESSES && threads <= SHORT_FORM_MAX_THREADS ?
            1 : FULL_HEADER_LENGTH;
        this.pattern = new UnsafeBuffer(ByteBuffer.allocateDirect(PATTERN_STARTS + maxLength));
        long state = seed;
        for (int i = 0; i + 8 <= pattern.capacity(); i += 8)
        {
            state += 0x9E37_79B9_7F4A_7C15L;
            pattern.putLong(i, mix(state));
        }
    }

    /** Payload length of message {@code seq} of thread {@code t} of process {@code p}. */
    int length(final int p, final int t, final int seq)
    {
        final long h = hash(p, t, seq);
        final int bound = (h & 1) == 0 ? Math.min(SMALL_LENGTH, maxLength) : maxLength;
        return Math.max(minLength, (int)((h >>> 1) % bound) + 1);
    }

    /**
     * Writes message {@code seq} of length {@link #length(int, int, int)} at {@code offset}.
     *
     * @param checksums the calling thread's own.
     */
    void encode(
        final MutableDirectBuffer dst,
        final int offset,
        final int p,
        final int t,
        final int seq,
        final int length,
        final Checksums checksums)
    {
        final int start = patternStart(p, t, seq);
        if (length < FULL_HEADER_LENGTH)
        {
            dst.putByte(offset, shortFormTag(p, t, seq));
            dst.putBytes(offset + 1, pattern, start + 1, length - 1);
        }
        else
        {
            dst.putByte(offset + PROCESS_OFFSET, (byte)p);
            dst.putByte(offset + THREAD_OFFSET, (byte)t);
            dst.putShort(offset + LENGTH_OFFSET, (short)length);
            dst.putInt(offset + SEQ_OFFSET, seq);
            dst.putInt(offset + CRC_OFFSET,
                checksums.crc32(pattern, start + FULL_HEADER_LENGTH, length - FULL_HEADER_LENGTH));
            dst.putBytes(offset + FULL_HEADER_LENGTH, pattern, start + FULL_HEADER_LENGTH, length - FULL_HEADER_LENGTH);
        }
    }

    /** True when the short message's bytes after the tag are the pattern of message {@code seq}. */
    boolean shortFormContentMatches(
        final DirectBuffer buffer, final int offset, final int length, final int p, final int t, final int seq)
    {
        final int start = patternStart(p, t, seq);
        for (int i = 1; i < length; i++)
        {
            if (buffer.getByte(offset + i) != pattern.getByte(start + i))
            {
                return false;
            }
        }
        return true;
    }

    static boolean isShortForm(final byte firstByte)
    {
        return (firstByte & SHORT_FORM_FLAG) != 0;
    }

    static byte shortFormTag(final int p, final int t, final int seq)
    {
        return (byte)(SHORT_FORM_FLAG | (p << 5) | (t << 4) | (seq & 0xF));
    }

    static int shortFormProcess(final byte tag)
    {
        return (tag >> 5) & 0x3;
    }

    static int shortFormThread(final byte tag)
    {
        return (tag >> 4) & 0x1;
    }

    static int shortFormSeqBits(final byte tag)
    {
        return tag & 0xF;
    }

    private int patternStart(final int p, final int t, final int seq)
    {
        return (int)((hash(p, t, seq) >>> 40) % PATTERN_STARTS);
    }

    private long hash(final int p, final int t, final int seq)
    {
        return mix(seed ^ ((long)p << 56) ^ ((long)t << 48) ^ (seq & 0xFFFF_FFFFL));
    }

    /** The SplitMix64 finaliser: a bijection that scatters neighbouring inputs. */
    private static long mix(final long x)
    {
        long z = x + 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
