package io.shmbus.broker.status;

import org.agrona.concurrent.status.CountersReader;

/**
 * Finds counters in a CnC file's {@link CountersReader} by type id and topic key, as AeronStat finds Aeron's: never
 * by label text.
 * <p>
 * Stateless; any thread that owns the reader.
 */
public final class CounterFinder
{
    private CounterFinder()
    {
    }

    /** The id of the allocated counter of {@code typeId} about {@code topic}, or -1 when there is none. */
    public static int find(final CountersReader reader, final int typeId, final String topic)
    {
        final int[] found = {CountersReader.NULL_COUNTER_ID};
        reader.forEach((id, type, key, label) ->
        {
            if (type == typeId && CounterKey.isTopic(key, 0, topic))
            {
                found[0] = id;
            }
        });
        return found[0];
    }

    /** The consumer id in the key of counter {@code counterId}. */
    public static long consumerId(final CountersReader reader, final int counterId)
    {
        return reader.metaDataBuffer().getLong(
            CountersReader.metaDataOffset(counterId) + CountersReader.KEY_OFFSET + CounterKey.CONSUMER_ID_OFFSET);
    }
}
