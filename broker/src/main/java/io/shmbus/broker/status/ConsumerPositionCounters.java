package io.shmbus.broker.status;

import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * One counter per local consumer of a topic: its position, copied from its slot in the topic log at each of the
 * conductor's housekeeping steps (every 100 ms), so that {@code stat} and the metrics endpoint read it from the CnC
 * file. A counter is allocated when a slot comes into use (or gets a new owner) and freed when the slot is free
 * again; the archiver's slot has none (its archived position is its counter). Key: the topic and the slot. When the
 * CnC file has no free counter, a consumer goes unmeasured rather than fail the conductor's housekeeping.
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
    /** The owner of a slot that got no counter because none was free, so that it is not tried every 100 ms. */
    private final long[] unmeasuredPids = new long[LogDescriptor.CONSUMER_SLOT_COUNT];

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
            if (!inUse)
            {
                unmeasuredPids[slot] = 0;
            }
            if (null != counter && (!inUse || pid != ownerPids[slot]))
            {
                counter.close();
                positions[slot] = counter = null;
            }
            if (inUse)
            {
                if (null == counter && pid != unmeasuredPids[slot])
                {
                    counter = allocate(slot, pid);
                }
                if (null != counter)
                {
                    counter.setRelease(log.slotPositionVolatile(slot));
                }
            }
        }
    }

    /** A counter for the consumer in {@code slot}; null when every counter is in use (then not tried again). */
    private AtomicCounter allocate(final int slot, final long pid)
    {
        try
        {
            final AtomicCounter counter = counters.newCounter("topic " + topic + ": consumer slot " + slot +
                " (pid " + pid + ") position", CounterTypes.CONSUMER_LOCAL_POSITION, CounterKey.consumer(topic, slot));
            positions[slot] = counter;
            ownerPids[slot] = pid;
            unmeasuredPids[slot] = 0;
            return counter;
        }
        catch (final IllegalStateException ex)
        {
            unmeasuredPids[slot] = pid; // the CnC file's counters are all in use: this consumer goes unmeasured
            return null;
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
