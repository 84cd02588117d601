package io.shmbus.broker.mirror;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The counters of one mirror in the CnC file (650-656 of {@link CounterTypes}), for {@code shmbus stat}, {@code
 * topics} and the metrics endpoint.
 * <p>
 * Made and closed by the broker (the counters manager is thread-safe); updated by the mirror thread only, with
 * release stores that allocate nothing.
 */
final class MirrorCounters implements AutoCloseable
{
    static final int STARTING = 0;
    static final int CATCHING_UP = 1;
    static final int LIVE = 2;
    static final int FAILED = 3;

    final AtomicCounter connected;
    final AtomicCounter sourcePosition;
    final AtomicCounter position;
    final AtomicCounter state;
    final AtomicCounter catchUps;
    final AtomicCounter gaps;
    final AtomicCounter lagNs;

    MirrorCounters(final String topic, final CountersManager counters)
    {
        connected = counters.newCounter("mirror " + topic + ": connected", CounterTypes.MIRROR_IN_CONNECTED,
            CounterKey.topic(topic));
        sourcePosition = counters.newCounter("mirror " + topic + ": source position",
            CounterTypes.MIRROR_IN_SOURCE_POSITION, CounterKey.topic(topic));
        position = counters.newCounter("mirror " + topic + ": position", CounterTypes.MIRROR_IN_POSITION,
            CounterKey.topic(topic));
        state = counters.newCounter("mirror " + topic + ": state", CounterTypes.MIRROR_IN_STATE,
            CounterKey.topic(topic));
        catchUps = counters.newCounter("mirror " + topic + ": catch-ups", CounterTypes.MIRROR_IN_CATCH_UPS,
            CounterKey.topic(topic));
        gaps = counters.newCounter("mirror " + topic + ": gaps", CounterTypes.MIRROR_IN_GAPS, CounterKey.topic(topic));
        lagNs = counters.newCounter("mirror " + topic + ": lag ns", CounterTypes.MIRROR_IN_LAG_NS,
            CounterKey.topic(topic));
    }

    public void close()
    {
        CloseHelper.closeAll(connected, sourcePosition, position, state, catchUps, gaps, lagNs);
    }
}
