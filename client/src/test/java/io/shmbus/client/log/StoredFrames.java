package io.shmbus.client.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds segment files and their time indexes (16-byte records: time stamp, position) byte by byte for tests of
 * every reader of segments, client and broker: data frames of one length with their own
 * positions, a time stamp equal to their index and the index as their first payload int.
 */
public final class StoredFrames
{
    private static final int TIME_RECORD_LENGTH = 16;

    private StoredFrames()
    {
    }

    /** The bytes of {@code count} data frames of {@code frameLength} (aligned) from position {@code first}. */
    public static byte[] frames(final long first, final int count, final int frameLength)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(count * FrameDescriptor.alignedLength(frameLength))
            .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            final int at = i * FrameDescriptor.alignedLength(frameLength);
            bytes.putLong(at, FrameDescriptor.commitWord(frameLength, FrameDescriptor.TYPE_DATA, (byte)0))
                .putLong(at + FrameDescriptor.POSITION_OFFSET, first + at)
                .putLong(at + FrameDescriptor.TIMESTAMP_OFFSET, i)
                .putInt(at + FrameDescriptor.PRODUCER_ID_OFFSET, 1);
            if (frameLength >= FrameDescriptor.HEADER_LENGTH + 4)
            {
                bytes.putInt(at + FrameDescriptor.HEADER_LENGTH, i);
            }
        }
        return bytes.array();
    }

    /** Writes a segment file at {@code base} holding {@code count} frames from its start. */
    public static void write(final Path segment, final long base, final int count, final int frameLength)
        throws IOException
    {
        Files.write(segment, frames(base, count, frameLength));
    }

    /** A time index with a record every {@code every} frames, as the archiver would write it. */
    public static void writeTimeIndex(
        final Path index, final long base, final int count, final int frameLength, final int every) throws IOException
    {
        final ByteBuffer records = ByteBuffer.allocate(((count + every - 1) / every) * TIME_RECORD_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i += every)
        {
            records.putLong(i).putLong(base + (long)i * FrameDescriptor.alignedLength(frameLength));
        }
        Files.write(index, records.array());
    }

    /** Overwrites 4 bytes of a file, little-endian. */
    public static void putInt(final Path file, final long offset, final int value) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            raf.write(new byte[]{(byte)value, (byte)(value >>> 8), (byte)(value >>> 16), (byte)(value >>> 24)});
        }
    }
}
