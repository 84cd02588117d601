package io.shmbus.client.log;

import org.agrona.concurrent.EpochNanoClock;

/**
 * Frame timestamps from the broker's clock, which the broker writes into the topic log about every millisecond:
 * reading it costs one load of a cache line that changes once a millisecond, where reading the system clock costs
 * 20-30 ns per message, and no extra thread wakes up in the producer's process. Resolution: about a millisecond.
 * <p>
 * Thread-safe.
 */
public final class BrokerEpochClock implements EpochNanoClock
{
    private final TopicLog log;

    public BrokerEpochClock(final TopicLog log)
    {
        this.log = log;
    }

    public long nanoTime()
    {
        return log.brokerEpochNsVolatile();
    }
}
