package io.shmbus.broker.cli;

import io.shmbus.broker.status.CounterTypes;
import org.agrona.collections.Int2ObjectHashMap;


/**
 * A mirror's state as {@code shmbus topics} prints it under the topic, gathered from the broker's counters: its
 * state, whether the live stream is connected, its position against the source's, the lag in bytes and time, the
 * catch-ups and the gaps (which must stay 0). A source's sender has its line from {@link MirrorOutStatus}. Used
 * once per command, on its thread.
 */
final class MirrorReport
{
    private static final String[] STATES = {"starting", "catching up", "live", "FAILED"};

    private final Int2ObjectHashMap<Long> values = new Int2ObjectHashMap<>();

    static boolean isMirrorCounter(final int typeId)
    {
        return typeId >= CounterTypes.MIRROR_IN_CONNECTED && typeId <= CounterTypes.MIRROR_IN_LAG_NS;
    }

    void put(final int typeId, final long value)
    {
        values.put(typeId, value);
    }

    private long get(final int typeId)
    {
        final Long value = values.get(typeId);
        return null == value ? -1 : value;
    }

    /** The line under the topic. */
    String line()
    {
        final long position = get(CounterTypes.MIRROR_IN_POSITION);
        final long source = get(CounterTypes.MIRROR_IN_SOURCE_POSITION);
        final int state = (int)get(CounterTypes.MIRROR_IN_STATE);
        return "    mirror: " + (state >= 0 && state < STATES.length ? STATES[state] : "state " + state) +
            ", live stream " + (1 == get(CounterTypes.MIRROR_IN_CONNECTED) ? "connected" : "not connected") +
            ", position " + position + " of the source's " + source + " (" + Math.max(0, source - position) +
            " bytes, " + Math.max(0, get(CounterTypes.MIRROR_IN_LAG_NS)) / 1_000_000 + " ms behind), catch-ups " +
            get(CounterTypes.MIRROR_IN_CATCH_UPS) + ", gaps " + get(CounterTypes.MIRROR_IN_GAPS);
    }
}
