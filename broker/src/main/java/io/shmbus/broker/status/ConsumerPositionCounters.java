package io.shmbus.broker.status;

import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * One counter per local consumer of a topic: its position, copied from its slot in the topic log at each of the
 * conductor's housekeeping steps (every 100 ms), so that {@code stat} and the metrics endpoint read it from the CnC
 * file. A counter is allocated when a slot comes into use (or gets a new owner) and freed when the slot is free
 * again; the archiver's slot has none (its archived position is its counter). Key: the topic and the slot.
 * <p>
 * Conductor thread only. Allocates only when consumers come or go.
 */
public final class ConsumerPositionCounters implements AutoCloseable
{
    private final String topic;
    private final TopicLog log;
    private final CountersManager counters;
    private final AtomicCounter[] positions = new AtomicCounter[LogDescriptor.CONSUMER_SLOT_COUNT];
    private final long[] ownerPids = new long[LogDescriptor.CONSUMER_SLOT_COUNT];

    public ConsumerPositionCounters(final String topic, final TopicLog log, final CountersManager counters)
    {
        this.topic = topic;
        this.log = log;
        this.counters = counters;
    }

    /** Copies each consumer's position into its counter; {@code archiverSlot} (or -1) is not a consumer's. */
    public void update(final int archiverSlot)
    {
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            final int state = log.slotStateVolatile(slot);
            final boolean inUse = slot != archiverSlot && (LogDescriptor.SLOT_ACTIVE == state ||
                LogDescriptor.SLOT_DETACHING == state || LogDescriptor.SLOT_DETACHED == state);
            AtomicCounter counter = positions[slot];
            final long pid = inUse ? log.slotOwnerPid(slot) : 0;
            if (null != counter && (!inUse || pid != ownerPids[slot]))
            {
                counter.close();
                positions[slot] = counter = null;
            }
            if (inUse)
            {
                if (null == counter)
                {
                    counter = counters.newCounter("topic " + topic + ": consumer slot " + slot + " (pid " + pid +
                        ") position", CounterTypes.CONSUMER_LOCAL_POSITION, CounterKey.consumer(topic, slot));
                    positions[slot] = counter;
                    ownerPids[slot] = pid;
                }
                counter.setRelease(log.slotPositionVolatile(slot));
            }
        }
    }

    public void close()
    {
        for (int slot = 0; slot < positions.length; slot++)
        {
            if (null != positions[slot])
            {
                positions[slot].close();
                positions[slot] = null;
            }
        }
    }
}
