package io.shmbus.client.log;

import io.shmbus.client.ConfigurationException;
import org.agrona.BitUtil;

import java.nio.file.Path;

/**
 * Segment files of a persistent topic: {@code DATA_DIR/<topic>/<20-digit base position>.seg}. A segment holds the
 * frames of positions {@code [base, base + segmentLength)} at file offset {@code position - base}, byte for byte
 * as they were in the ring. The segment length is a power of two and a multiple of the ring capacity, so the
 * padding that keeps frames from straddling the end of the ring also keeps them from straddling segments.
 */
public final class SegmentDescriptor
{
    public static final String SUFFIX = ".seg";
    public static final int BASE_DIGITS = 20;
    public static final long DEFAULT_SEGMENT_LENGTH = 128L * 1024 * 1024;
    public static final long MAX_SEGMENT_LENGTH = 1L << 30;

    private SegmentDescriptor()
    {
    }

    public static String fileName(final long basePosition)
    {
        // not String.format: its first use loads the locale data, a fifth of the start of a short command
        final String digits = Long.toString(basePosition);
        return "0".repeat(Math.max(0, BASE_DIGITS - digits.length())) + digits + SUFFIX;
    }

    public static Path file(final Path topicDir, final long basePosition)
    {
        return topicDir.resolve(fileName(basePosition));
    }

    /** The base position of the segment holding {@code position}. */
    public static long basePosition(final long position, final long segmentLength)
    {
        return position & ~(segmentLength - 1);
    }

    /**
     * @return the base position in a segment file name, or -1 when the name is not one.
     */
    public static long parseBasePosition(final String fileName)
    {
        if (fileName.length() != BASE_DIGITS + SUFFIX.length() || !fileName.endsWith(SUFFIX))
        {
            return -1;
        }
        for (int i = 0; i < BASE_DIGITS; i++)
        {
            if (!Character.isDigit(fileName.charAt(i)))
            {
                return -1;
            }
        }
        try
        {
            return Long.parseLong(fileName.substring(0, BASE_DIGITS));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * The segment length to use with a ring: the configured one, but never less than the ring capacity.
     *
     * @throws ConfigurationException when the configured length is not a power of two up to 1 GiB.
     */
    public static long segmentLengthFor(final long configured, final int capacity)
    {
        if (!BitUtil.isPowerOfTwo(configured) || configured > MAX_SEGMENT_LENGTH || configured < 64 * 1024)
        {
            throw new ConfigurationException("segment length must be a power of two from 64k to 1g: " + configured);
        }
        return Math.max(configured, capacity);
    }
}
