package io.shmbus.broker.cli;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The line {@code shmbus topics} prints under each mirrored-out topic, from the running broker's counters (found
 * by type id and key): whether its mirror's publication is connected, how far it has sent, how far that is behind
 * the archive, and how often back pressure held it. Stateless.
 */
final class MirrorOutStatus
{
    private static final int POSITION = 0;
    private static final int CONNECTED = 1;
    private static final int BACK_PRESSURED = 2;
    private static final int ARCHIVED = 3;

    private MirrorOutStatus()
    {
    }

    /** The line of each mirrored-out topic of the broker on {@code dir}; empty without a broker. */
    static Map<String, String> read(final Path dir)
    {
        final Map<String, long[]> values = new HashMap<>();
        final CncFile cnc;
        try
        {
            cnc = CncFile.map(CncFile.fileIn(dir));
        }
        catch (final IOException | ShmbusException ex)
        {
            return Map.of(); // no broker: nothing to tell
        }
        try
        {
            final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
            reader.forEach((id, typeId, key, label) ->
            {
                final int field = CounterTypes.MIRROR_OUT_POSITION == typeId ? POSITION :
                    CounterTypes.MIRROR_OUT_CONNECTED == typeId ? CONNECTED :
                    CounterTypes.MIRROR_OUT_BACK_PRESSURED == typeId ? BACK_PRESSURED :
                    CounterTypes.ARCHIVE_ARCHIVED_POSITION == typeId ? ARCHIVED : -1;
                final String topic = field < 0 ? null : CounterKey.topic(key, 0, label);
                if (null != topic)
                {
                    values.computeIfAbsent(topic, t -> new long[]{-1, -1, -1, -1})[field] = reader.getCounterValue(id);
                }
            });
        }
        finally
        {
            cnc.close();
        }
        final Map<String, String> lines = new HashMap<>();
        values.forEach((topic, v) ->
        {
            if (v[POSITION] >= 0)
            {
                lines.put(topic, "    mirror out: " + (1 == v[CONNECTED] ? "connected" : "no receiver connected") +
                    ", sent to position " + v[POSITION] + (v[ARCHIVED] >= 0 ? " (" + Math.max(0, v[ARCHIVED] -
                    v[POSITION]) + " bytes behind the archive)" : "") + ", held by back pressure " +
                    v[BACK_PRESSURED] + " times");
            }
        });
        return lines;
    }
}
