package io.shmbus.broker.cli;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import org.agrona.concurrent.status.CountersReader;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A mirror's counters (650-656) gathered from the broker's counters for {@code shmbus topics}, and the line that
 * shows them under the topic: state, whether the live stream is connected, positions, lag in bytes and time,
 * catch-ups and gaps. Not thread-safe: one command's use.
 */
final class MirrorStatus
{
    private static final String[] STATES = {"starting", "catching-up", "live", "failed"};

    private final long[] values = new long[CounterTypes.MIRROR_IN_LAG_NS - CounterTypes.MIRROR_IN_CONNECTED + 1];

    /** Records the counter into the topic's status when it is one of a mirror's. */
    static void collect(
        final Map<String, MirrorStatus> mirrors,
        final CountersReader reader,
        final int id,
        final int typeId,
        final org.agrona.DirectBuffer key,
        final String label)
    {
        if (typeId < CounterTypes.MIRROR_IN_CONNECTED || typeId > CounterTypes.MIRROR_IN_LAG_NS)
        {
            return;
        }
        final String topic = CounterKey.topic(key, 0, label);
        if (null != topic)
        {
            mirrors.computeIfAbsent(topic, t -> new MirrorStatus()).values[typeId - CounterTypes.MIRROR_IN_CONNECTED] =
                reader.getCounterValue(id);
        }
    }

    private long value(final int typeId)
    {
        return values[typeId - CounterTypes.MIRROR_IN_CONNECTED];
    }

    /** {@code mirror state=live connected=yes source=P position=P lag=B bytes/T ms catch-ups=N gaps=N}. */
    String line()
    {
        final int state = (int)value(CounterTypes.MIRROR_IN_STATE);
        final long source = value(CounterTypes.MIRROR_IN_SOURCE_POSITION);
        final long position = value(CounterTypes.MIRROR_IN_POSITION);
        return "    mirror state=" + (state >= 0 && state < STATES.length ? STATES[state] : Integer.toString(state)) +
            " connected=" + (1 == value(CounterTypes.MIRROR_IN_CONNECTED) ? "yes" : "no") +
            " source=" + source + " position=" + position +
            " lag=" + Math.max(0, source - position) + " bytes/" +
            TimeUnit.NANOSECONDS.toMillis(value(CounterTypes.MIRROR_IN_LAG_NS)) + " ms" +
            " catch-ups=" + value(CounterTypes.MIRROR_IN_CATCH_UPS) +
            " gaps=" + value(CounterTypes.MIRROR_IN_GAPS);
    }
}
