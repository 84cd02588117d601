package io.shmbus.ipc;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * CRC32 and CRC32C of a range of an Agrona buffer, computed in place by the JDK's intrinsics through a reused
 * {@link ByteBuffer} view (Agrona's own {@code Crc32} needs an extra {@code --add-opens}). Not thread-safe: one
 * per thread.
 */
final class Checksums
{
    private final CRC32 crc32 = new CRC32();
    private final CRC32C crc32c = new CRC32C();
    private ByteBuffer source;
    private ByteBuffer view;

    int crc32(final DirectBuffer buffer, final int offset, final int length)
    {
        return compute(crc32, buffer, offset, length);
    }

    int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        return compute(crc32c, buffer, offset, length);
    }

    private int compute(final Checksum checksum, final DirectBuffer buffer, final int offset, final int length)
    {
        checksum.reset();
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            checksum.update(array, buffer.wrapAdjustment() + offset, length);
        }
        else
        {
            final ByteBuffer byteBuffer = buffer.byteBuffer();
            if (null == byteBuffer)
            {
                throw new IllegalArgumentException("the buffer wraps a raw address, not a ByteBuffer");
            }
            if (byteBuffer != source)
            {
                source = byteBuffer;
                view = byteBuffer.duplicate();
            }
            final int start = buffer.wrapAdjustment() + offset;
            view.limit(start + length).position(start);
            checksum.update(view);
        }
        return (int)checksum.getValue();
    }
}
