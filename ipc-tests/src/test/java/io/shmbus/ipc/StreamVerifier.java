package io.shmbus.ipc;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks, message by message, what one consumer receives from producers that send {@link Payloads} messages: every
 * (process, thread) stream arrives exactly once and in order ({@code seq == last + 1}, starting at 0), with the
 * derived length and intact content; frame positions only grow; one producer id per process; frame checksums,
 * where the producer wrote them, match. Counts per stream are compared with the expected counts at the end.
 * <p>
 * Not thread-safe: use from the polling thread; {@link #summary()} from elsewhere gives a racy snapshot.
 */
final class StreamVerifier implements FragmentHandler
{
    static final int MAX_REPORTED_ERRORS = 20;
    static final long UNKNOWN = -1;

    private final Payloads payloads;
    private final Checksums checksums = new Checksums();
    private final int processes;
    private final int threads;
    private final long[] expected;
    private final int[] lastSeq;
    private final long[] counts;
    private final int[] producerIds;
    private final List<String> errors = new ArrayList<>();
    private long errorCount;
    private long received;
    private long bytes;
    private long frameChecksums;
    private long lastPosition = -1;
    private long firstMessageNs;
    private long lastMessageNs;

    /**
     * @param expectedPerThread messages each thread of each process sends, by process, or {@link #UNKNOWN}.
     */
    StreamVerifier(final Payloads payloads, final int processes, final int threads, final long[] expectedPerThread)
    {
        if (expectedPerThread.length != processes)
        {
            throw new IllegalArgumentException("one expected count per process: " + Arrays.toString(expectedPerThread));
        }
        this.payloads = payloads;
        this.processes = processes;
        this.threads = threads;
        this.expected = new long[processes * threads];
        for (int p = 0; p < processes; p++)
        {
            Arrays.fill(expected, p * threads, (p + 1) * threads, expectedPerThread[p]);
        }
        this.lastSeq = new int[processes * threads];
        Arrays.fill(lastSeq, -1);
        this.counts = new long[processes * threads];
        this.producerIds = new int[processes];
        Arrays.fill(producerIds, Integer.MIN_VALUE);
    }

    /** Replaces the expected count of every stream, in stream order (process-major). */
    void expect(final long[] perStream)
    {
        if (perStream.length != expected.length)
        {
            throw new IllegalArgumentException(
                "expected " + expected.length + " counts: " + Arrays.toString(perStream));
        }
        System.arraycopy(perStream, 0, expected, 0, perStream.length);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final long now = System.nanoTime();
        if (0 == received++)
        {
            firstMessageNs = now;
        }
        lastMessageNs = now;
        bytes += length;

        final long position = header.position();
        if (position <= lastPosition)
        {
            error("frame position " + position + " after " + lastPosition);
        }
        lastPosition = position;
        if (header.hasChecksum())
        {
            frameChecksums++;
            final int crc = checksums.crc32c(buffer, offset, length);
            if (crc != header.checksum())
            {
                error("frame checksum " + header.checksum() + " != CRC32C " + crc + " of the payload at " + position);
            }
        }

        final byte first = buffer.getByte(offset);
        if (Payloads.isShortForm(first))
        {
            onShortForm(buffer, offset, length, position, first, header.producerId());
        }
        else
        {
            onFullForm(buffer, offset, length, position, header.producerId());
        }
    }

    private void onFullForm(
        final DirectBuffer buffer, final int offset, final int length, final long position, final int producerId)
    {
        if (length < Payloads.FULL_HEADER_LENGTH)
        {
            error(length + "-byte message at " + position + " without the short-form flag");
            return;
        }
        final int p = buffer.getByte(offset + Payloads.PROCESS_OFFSET);
        final int t = buffer.getByte(offset + Payloads.THREAD_OFFSET);
        if (!isKnown(p, t, position))
        {
            return;
        }
        final int stream = p * threads + t;
        final int seq = buffer.getInt(offset + Payloads.SEQ_OFFSET);
        final int last = lastSeq[stream];
        if (seq != last + 1)
        {
            error(name(p, t) + " seq " + seq + " after " + last + (seq <= last ?
                " (duplicate or reordered)" : " (" + (seq - last - 1) + " missing)") + " at " + position);
        }
        final int lengthField = buffer.getShort(offset + Payloads.LENGTH_OFFSET) & 0xFFFF;
        if (lengthField != length || length != payloads.length(p, t, seq))
        {
            error(name(p, t) + " seq " + seq + " length " + length + ", length field " + lengthField +
                ", sent with length " + payloads.length(p, t, seq) + " at " + position);
        }
        else
        {
            final int crc = checksums.crc32(
                buffer, offset + Payloads.FULL_HEADER_LENGTH, length - Payloads.FULL_HEADER_LENGTH);
            final int sentCrc = buffer.getInt(offset + Payloads.CRC_OFFSET);
            if (crc != sentCrc)
            {
                error(name(p, t) + " seq " + seq + " corrupt: CRC32 " + crc + " != " + sentCrc + " at " + position);
            }
        }
        accept(p, stream, seq, producerId, position);
    }

    private void onShortForm(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long position,
        final byte tag,
        final int producerId)
    {
        if (length >= Payloads.FULL_HEADER_LENGTH)
        {
            error(length + "-byte message at " + position + " with the short-form flag");
            return;
        }
        final int p = Payloads.shortFormProcess(tag);
        final int t = Payloads.shortFormThread(tag);
        if (!isKnown(p, t, position))
        {
            return;
        }
        final int stream = p * threads + t;
        final int seq = lastSeq[stream] + 1;
        if ((seq & 0xF) != Payloads.shortFormSeqBits(tag))
        {
            error(name(p, t) + " expected seq " + seq + " but a short message carries low bits " +
                Payloads.shortFormSeqBits(tag) + " (lost, duplicated or reordered) at " + position);
        }
        else if (length != payloads.length(p, t, seq))
        {
            error(name(p, t) + " seq " + seq + " length " + length + ", sent with length " +
                payloads.length(p, t, seq) + " at " + position);
        }
        else if (!payloads.shortFormContentMatches(buffer, offset, length, p, t, seq))
        {
            error(name(p, t) + " seq " + seq + " corrupt short message at " + position);
        }
        accept(p, stream, seq, producerId, position);
    }

    private boolean isKnown(final int p, final int t, final long position)
    {
        if (p < 0 || p >= processes || t < 0 || t >= threads)
        {
            error("unknown stream process " + p + " thread " + t + " at " + position);
            return false;
        }
        return true;
    }

    private void accept(final int p, final int stream, final int seq, final int producerId, final long position)
    {
        if (Integer.MIN_VALUE == producerIds[p])
        {
            producerIds[p] = producerId;
        }
        else if (producerIds[p] != producerId)
        {
            error("process " + p + " sent with producer id " + producerIds[p] + " and then " + producerId +
                " at " + position);
        }
        lastSeq[stream] = Math.max(lastSeq[stream], seq);
        if (++counts[stream] > expected[stream] && UNKNOWN != expected[stream])
        {
            error(name(p, stream % threads) + " more messages than the " + expected[stream] + " expected");
        }
    }

    private void error(final String message)
    {
        if (errorCount++ < MAX_REPORTED_ERRORS)
        {
            errors.add(message);
        }
    }

    private static String name(final int p, final int t)
    {
        return "p" + p + "t" + t;
    }

    boolean isComplete()
    {
        for (int i = 0; i < counts.length; i++)
        {
            if (UNKNOWN != expected[i] && counts[i] != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    /** Every expected message arrived, exactly once, in order, intact, and nothing else did. */
    boolean isPerfect()
    {
        return 0 == errorCount && isComplete();
    }

    long errorCount()
    {
        return errorCount;
    }

    long received()
    {
        return received;
    }

    /** The first {@link #MAX_REPORTED_ERRORS} errors. */
    List<String> errors()
    {
        return errors;
    }

    long[] counts()
    {
        return counts.clone();
    }

    /**
     * One line of {@code key=value} tokens: {@code counts} and {@code expected} list the streams in order p0t0,
     * p0t1, p1t0, ...; {@code activeMs} runs from the first message to the last.
     */
    String summary()
    {
        return "received=" + received + " bytes=" + bytes + " errors=" + errorCount +
            " frameChecksums=" + frameChecksums + " complete=" + isComplete() + " perfect=" + isPerfect() +
            " counts=" + join(counts) + " expected=" + join(expected) +
            " activeMs=" + (lastMessageNs - firstMessageNs) / 1_000_000 + " lastPosition=" + lastPosition;
    }

    private static String join(final long[] values)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++)
        {
            sb.append(i == 0 ? "" : ",").append(values[i]);
        }
        return sb.toString();
    }
}
