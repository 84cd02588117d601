package io.shmbus.ipc;

import io.shmbus.client.Header;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The checks the consumer processes rely on catch what they are meant to catch: a lost, duplicated, reordered,
 * truncated or corrupted message, in the full and the short form, and nothing when the stream is perfect.
 */
class StreamVerifierTest
{
    private static final int PROCESSES = 2;
    private static final int THREADS = 2;
    private static final int MAX_LENGTH = 4096;
    private static final int PRODUCER_ID = 7;
    private static final int MESSAGES = 2000;

    private final Payloads payloads = new Payloads(42, PROCESSES, THREADS, MAX_LENGTH);
    private final StreamVerifier verifier =
        new StreamVerifier(payloads, PROCESSES, THREADS, new long[]{ MESSAGES, MESSAGES });
    private final UnsafeBuffer frame =
        new UnsafeBuffer(ByteBuffer.allocateDirect(FrameDescriptor.HEADER_LENGTH + MAX_LENGTH));
    private final Header header = new Header();
    private final Checksums checksums = new Checksums();
    private long position;

    @Test
    void acceptsEveryStreamInterleavedInAnyWay()
    {
        final int[] next = new int[PROCESSES * THREADS];
        final Random random = new Random(1);
        int remaining = MESSAGES * next.length;
        while (remaining > 0)
        {
            final int stream = random.nextInt(next.length);
            if (next[stream] < MESSAGES)
            {
                deliver(stream / THREADS, stream % THREADS, next[stream]++);
                remaining--;
            }
        }
        assertTrue(verifier.isPerfect(), verifier.summary() + " " + verifier.errors());
        assertArrayEquals(new long[]{ MESSAGES, MESSAGES, MESSAGES, MESSAGES }, verifier.counts());
    }

    @Test
    void bothFormsOccur()
    {
        final int[] histogram = new int[MAX_LENGTH + 1];
        for (int seq = 0; seq < 100_000; seq++)
        {
            histogram[payloads.length(0, 1, seq)]++;
        }
        assertTrue(histogram[1] > 0, "1-byte messages");
        assertTrue(histogram[Payloads.FULL_HEADER_LENGTH - 1] > 0, "the longest short form");
        assertTrue(histogram[Payloads.FULL_HEADER_LENGTH] > 0, "the shortest full form");
        assertTrue(histogram[MAX_LENGTH] > 0, "the longest");
        assertEquals(0, histogram[0]);
    }

    @Test
    void detectsALostFullMessage()
    {
        assertDetected(skipping(firstSeq(length -> length >= Payloads.FULL_HEADER_LENGTH)), "missing");
    }

    @Test
    void detectsALostShortMessage()
    {
        // followed by another short one, which cannot say by itself how many went missing
        assertDetected(skipping(firstSeqWhere(seq -> isShort(seq) && isShort(seq + 1))), "lost, duplicated");
    }

    @Test
    void detectsADuplicate()
    {
        final int seq = firstSeq(length -> length >= Payloads.FULL_HEADER_LENGTH);
        deliverUpTo(seq);
        deliver(1, 1, seq);
        deliverRest(seq + 1);
        assertDetected("duplicate");
    }

    @Test
    void detectsADuplicatedShortMessage()
    {
        final int seq = firstSeq(length -> length < Payloads.FULL_HEADER_LENGTH);
        deliverUpTo(seq);
        deliver(1, 1, seq);
        deliverRest(seq + 1);
        assertDetected("lost, duplicated");
    }

    @Test
    void detectsTwoMessagesOutOfOrder()
    {
        deliverUpTo(9);
        deliver(1, 1, 11);
        deliver(1, 1, 10);
        deliverRest(12);
        assertDetected("reordered");
    }

    @Test
    void detectsACorruptByteInAFullMessage()
    {
        final int seq = firstSeq(length -> length > 100);
        deliverUpTo(seq - 1);
        deliver(1, 1, seq, 99);
        deliverRest(seq + 1);
        assertDetected("corrupt");
    }

    @Test
    void detectsACorruptByteInAShortMessage()
    {
        final int seq = firstSeq(length -> length > 1 && length < Payloads.FULL_HEADER_LENGTH);
        deliverUpTo(seq - 1);
        deliver(1, 1, seq, 1);
        deliverRest(seq + 1);
        assertDetected("corrupt short");
    }

    @Test
    void detectsATruncatedMessage()
    {
        final int seq = firstSeq(length -> length > 100);
        deliverUpTo(seq - 1);
        deliver(1, 1, seq, -1, payloads.length(1, 1, seq) - 1, PRODUCER_ID);
        deliverRest(seq + 1);
        assertDetected("length");
    }

    @Test
    void detectsAWrongFrameChecksum()
    {
        deliverUpTo(4);
        encodeFrame(1, 1, 5, -1, payloads.length(1, 1, 5), PRODUCER_ID);
        frame.putByte(FrameDescriptor.FLAGS_OFFSET, FrameDescriptor.FLAG_CHECKSUM);
        frame.putInt(FrameDescriptor.CHECKSUM_OFFSET, 12345);
        verifier.onFragment(frame, FrameDescriptor.HEADER_LENGTH, payloads.length(1, 1, 5), header.wrap(frame, 0));
        deliverRest(6);
        assertDetected("frame checksum");
    }

    @Test
    void detectsAMessageFromAStreamThatShouldBeSilent()
    {
        verifier.expect(new long[]{ MESSAGES, MESSAGES, 0, MESSAGES });
        deliverUpTo(MESSAGES - 1);
        assertDetected("more messages than the 0 expected");
    }

    @Test
    void detectsAProcessWhoseProducerIdChanges()
    {
        deliverUpTo(9);
        deliver(1, 1, 10, -1, payloads.length(1, 1, 10), PRODUCER_ID + 1);
        deliverRest(11);
        assertDetected("producer id");
    }

    @Test
    void detectsIncompleteStreams()
    {
        deliverUpTo(MESSAGES - 2);
        assertEquals(0, verifier.errorCount());
        assertFalse(verifier.isComplete());
        assertFalse(verifier.isPerfect());
    }

    private void assertDetected(final String what)
    {
        assertFalse(verifier.isPerfect(), verifier.summary());
        assertTrue(verifier.errors().stream().anyMatch(error -> error.contains(what)),
            "expected an error about '" + what + "': " + verifier.errors());
    }

    private void assertDetected(final Runnable scenario, final String what)
    {
        scenario.run();
        assertDetected(what);
    }

    /** Sends every stream in full except message {@code seq} of p1t1. */
    private Runnable skipping(final int seq)
    {
        return () ->
        {
            deliverUpTo(seq - 1);
            deliverRest(seq + 1);
        };
    }

    /** The first sequence number of p1t1 whose length matches, at least 2 so it has predecessors. */
    private int firstSeq(final IntPredicate length)
    {
        return firstSeqWhere(seq -> length.test(payloads.length(1, 1, seq)));
    }

    private int firstSeqWhere(final IntPredicate condition)
    {
        for (int seq = 2; seq < MESSAGES - 2; seq++)
        {
            if (condition.test(seq))
            {
                return seq;
            }
        }
        throw new IllegalStateException("no such message of p1t1 with this seed");
    }

    private boolean isShort(final int seq)
    {
        return payloads.length(1, 1, seq) < Payloads.FULL_HEADER_LENGTH;
    }

    /** Every stream up to and including {@code seq} (p1t1 last). */
    private void deliverUpTo(final int seq)
    {
        for (int s = 0; s < PROCESSES * THREADS - 1; s++)
        {
            for (int i = 0; i < MESSAGES; i++)
            {
                deliver(s / THREADS, s % THREADS, i);
            }
        }
        for (int i = 0; i <= seq; i++)
        {
            deliver(1, 1, i);
        }
    }

    /** p1t1 from {@code seq} to the end. */
    private void deliverRest(final int seq)
    {
        for (int i = seq; i < MESSAGES; i++)
        {
            deliver(1, 1, i);
        }
    }

    private void deliver(final int p, final int t, final int seq)
    {
        deliver(p, t, seq, -1);
    }

    private void deliver(final int p, final int t, final int seq, final int corruptIndex)
    {
        deliver(p, t, seq, corruptIndex, payloads.length(p, t, seq), PRODUCER_ID);
    }

    private void deliver(
        final int p, final int t, final int seq, final int corruptIndex, final int length, final int producerId)
    {
        encodeFrame(p, t, seq, corruptIndex, length, producerId);
        verifier.onFragment(frame, FrameDescriptor.HEADER_LENGTH, length, header.wrap(frame, 0));
    }

    private void encodeFrame(
        final int p, final int t, final int seq, final int corruptIndex, final int length, final int producerId)
    {
        frame.setMemory(0, frame.capacity(), (byte)0);
        payloads.encode(frame, FrameDescriptor.HEADER_LENGTH, p, t, seq, payloads.length(p, t, seq), checksums);
        if (corruptIndex >= 0)
        {
            final int index = FrameDescriptor.HEADER_LENGTH + corruptIndex;
            frame.putByte(index, (byte)(frame.getByte(index) ^ 0x10));
        }
        frame.putInt(FrameDescriptor.FRAME_LENGTH_OFFSET, FrameDescriptor.HEADER_LENGTH + length);
        frame.putShort(FrameDescriptor.TYPE_OFFSET, FrameDescriptor.TYPE_DATA);
        frame.putLong(FrameDescriptor.POSITION_OFFSET, position);
        frame.putInt(FrameDescriptor.PRODUCER_ID_OFFSET, p == 1 ? producerId : producerId + 100);
        position += FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + length);
    }
}
