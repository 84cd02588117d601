package io.shmbus.broker.mirror;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The Aeron stream id a mirrored topic uses when its config gives none: derived from the topic's name alone, so a
 * source and a receiver that name the same topic agree on it without being told. Stateless; any thread.
 */
public final class MirrorStreamIds
{
    private MirrorStreamIds()
    {
    }

    /**
     * The CRC-32C of the topic name's ASCII bytes with the sign bit cleared, or 1 when that is 0: always a positive
     * int, the same on every host and in every language that computes CRC-32C.
     */
    public static int defaultStreamId(final String topic)
    {
        final CRC32C crc = new CRC32C();
        crc.update(topic.getBytes(StandardCharsets.US_ASCII));
        final int id = (int)crc.getValue() & 0x7FFF_FFFF;
        return 0 == id ? 1 : id;
    }
}
