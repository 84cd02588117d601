package io.shmbus.broker;

import io.shmbus.broker.status.ConsumerPositionCounters;
import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The counters the broker keeps for one topic in the CnC file (tail, producer limit, consumers, producers, the
 * repairs made, the consumers moved to the archive, and each local consumer's position), for {@code shmbus stat}
 * and the metrics endpoint.
 * <p>
 * Conductor thread only; updating them allocates nothing.
 */
final class TopicCounters implements AutoCloseable
{
    private final AtomicCounter tail;
    private final AtomicCounter limit;
    private final AtomicCounter consumers;
    private final AtomicCounter producers;
    private final AtomicCounter unblocked;
    private final AtomicCounter cleaningsRecovered;
    private final AtomicCounter movedToArchive;
    private final ConsumerPositionCounters consumerPositions;

    TopicCounters(final String name, final TopicLog log, final CountersManager counters)
    {
        this.tail = counters.newCounter("topic " + name + ": tail position",
            CounterTypes.TOPIC_TAIL_POSITION, CounterKey.topic(name));
        this.limit = counters.newCounter("topic " + name + ": producer limit",
            CounterTypes.TOPIC_PRODUCER_LIMIT, CounterKey.topic(name));
        this.consumers = counters.newCounter("topic " + name + ": consumers", CounterTypes.TOPIC_CONSUMERS,
            CounterKey.topic(name));
        this.producers = counters.newCounter("topic " + name + ": producers", CounterTypes.TOPIC_PRODUCERS,
            CounterKey.topic(name));
        this.unblocked = counters.newCounter("topic " + name + ": claims unblocked",
            CounterTypes.TOPIC_CLAIMS_UNBLOCKED, CounterKey.topic(name));
        this.cleaningsRecovered = counters.newCounter(
            "topic " + name + ": cleanings of dead processes recovered", CounterTypes.TOPIC_CLEANINGS_RECOVERED,
            CounterKey.topic(name));
        this.movedToArchive = counters.newCounter("topic " + name + ": slow consumers moved to the archive",
            CounterTypes.TOPIC_CONSUMERS_MOVED_TO_ARCHIVE, CounterKey.topic(name));
        this.consumerPositions = new ConsumerPositionCounters(name, log, counters);
    }

    /**
     * @param consumerCount the clients' consumers (the archiver's own slot not counted).
     * @param archiverSlot  the archiver's slot, whose position is not a consumer's, or -1.
     */
    void update(
        final long tailPosition,
        final long producerLimit,
        final int consumerCount,
        final int producerCount,
        final int archiverSlot)
    {
        tail.setRelease(tailPosition);
        limit.setRelease(producerLimit);
        consumers.setRelease(consumerCount);
        producers.setRelease(producerCount);
        consumerPositions.update(archiverSlot);
    }

    void claimUnblocked()
    {
        unblocked.increment();
    }

    void cleaningRecovered()
    {
        cleaningsRecovered.increment();
    }

    void consumerMovedToArchive()
    {
        movedToArchive.increment();
    }

    public void close()
    {
        tail.close();
        limit.close();
        consumers.close();
        producers.close();
        unblocked.close();
        cleaningsRecovered.close();
        movedToArchive.close();
        consumerPositions.close();
    }
}
