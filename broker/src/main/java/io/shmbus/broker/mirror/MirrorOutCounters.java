package io.shmbus.broker.mirror;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The CnC counters of one mirrored-out topic, for {@code shmbus stat} and the metrics endpoint: the position the
 * mirror sender has offered up to, whether its publication is connected, and how many offers back pressure refused.
 * Allocated and freed by the thread that starts and stops the broker; written only by the mirror sender's thread in
 * between, without allocating.
 */
final class MirrorOutCounters implements AutoCloseable
{
    final AtomicCounter position;
    final AtomicCounter connected;
    final AtomicCounter backPressured;

    MirrorOutCounters(final String topic, final CountersManager counters)
    {
        position = counters.newCounter("mirror-out " + topic + ": position", CounterTypes.MIRROR_OUT_POSITION,
            CounterKey.topic(topic));
        AtomicCounter made = null;
        try
        {
            made = counters.newCounter("mirror-out " + topic + ": connected", CounterTypes.MIRROR_OUT_CONNECTED,
                CounterKey.topic(topic));
            connected = made;
            backPressured = counters.newCounter("mirror-out " + topic + ": back pressured",
                CounterTypes.MIRROR_OUT_BACK_PRESSURED, CounterKey.topic(topic));
        }
        catch (final RuntimeException ex)
        {
            position.close();
            if (null != made)
            {
                made.close();
            }
            throw ex;
        }
    }

    public void close()
    {
        position.close();
        connected.close();
        backPressured.close();
    }
}
