package io.shmbus.broker.mirror;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The Aeron stream id a mirrored topic uses when none is configured: derived from the topic's name alone, so a
 * source and a receiver that name the same topic agree without configuration. Thread-safe (stateless).
 */
public final class MirrorStreamIds
{
    private MirrorStreamIds()
    {
    }

    /** CRC-32C of the name's ASCII bytes, made positive; 1 when that is 0. */
    public static int defaultStreamId(final String topic)
    {
        final CRC32C crc = new CRC32C();
        crc.update(topic.getBytes(StandardCharsets.US_ASCII));
        final int id = (int)crc.getValue() & 0x7FFFFFFF;
        return 0 == id ? 1 : id;
    }
}
