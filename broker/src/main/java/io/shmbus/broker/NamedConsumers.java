package io.shmbus.broker;

import io.shmbus.broker.archive.NamedPositionStore;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.ErrorHandler;
import org.agrona.collections.Object2LongHashMap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * A topic's durable named consumers: the stored position of each name (where it resumes), the process and slot
 * that hold it now, or the network connection ({@link NamedPositionStore}), and their persistence to
 * {@link NamedPositionsFile} when the broker has a data directory.
 * <p>
 * A holder acknowledges by storing its position in its slot ({@link LogDescriptor#SLOT_COMMITTED_POSITION_OFFSET});
 * {@link #pollCommits()} copies those into the table without allocating; the file is rewritten (which allocates)
 * only at the housekeeping pass after a position moved. A name is free again when its slot is
 * released (close, dead or silent process) or when its holder process is found dead at the next attach. A network
 * subscriber's acknowledgements arrive through {@link #commitRemote}; its name is free when its connection ends.
 * <p>
 * Conductor thread, and the network server's thread through {@link NamedPositionStore}: every method takes this
 * object's lock, uncontended but for a network subscriber's handshake and acknowledgements. The file is written
 * outside the lock, except when a holder is found dead while the conductor already holds the lock (over a local
 * attach, a reset or a listing): the release writes it then, and a network subscriber's handshake or
 * acknowledgement arriving meanwhile waits for that write.
 */
final class NamedConsumers implements NamedPositionStore
{
    /** A network subscriber holding a name. */
    private record RemoteHolder(long id, String address)
    {
    }

    /** The stored position of a name not attached to a slot. */
    static final int NO_SLOT = -1;

    private final String topic;
    private final ConsumerSlots slots;
    private final Path topicDir;
    private final boolean sync;
    private final ErrorHandler errorHandler;
    /** Positions by name; a primitive map, so a moving position boxes nothing. */
    private final Object2LongHashMap<String> positions = new Object2LongHashMap<>(-1);
    private final String[] nameBySlot = new String[LogDescriptor.CONSUMER_SLOT_COUNT];
    private final long[] holderPidBySlot = new long[LogDescriptor.CONSUMER_SLOT_COUNT];
    private final long[] positionBySlot = new long[LogDescriptor.CONSUMER_SLOT_COUNT];
    private final Map<String, RemoteHolder> remoteHolders = new java.util.HashMap<>();
    /** The slot's stamp when the name was attached: a later holder of the slot (even of the same pid) has another. */
    private final long[] stampBySlot = new long[LogDescriptor.CONSUMER_SLOT_COUNT];
    private int attached;
    private boolean dirty;

    /**
     * @param topicDir where the positions are kept, or null to keep them only as long as the broker runs.
     * @param sync     force the file to disk at each replacement (the topic's durability is not {@code none}).
     */
    NamedConsumers(
        final String topic, final ConsumerSlots slots, final Path topicDir, final boolean sync,
        final ErrorHandler errorHandler)
    {
        this.topic = topic;
        this.slots = slots;
        this.topicDir = topicDir;
        this.sync = sync;
        this.errorHandler = errorHandler;
        if (null != topicDir)
        {
            for (final Map.Entry<String, Long> entry : NamedPositionsFile.read(topicDir).entrySet())
            {
                positions.put(entry.getKey(), entry.getValue().longValue());
            }
        }
    }

    /** The slot holding a name, or {@link #NO_SLOT}. */
    synchronized int slotOf(final String name)
    {
        for (int slot = 0; slot < nameBySlot.length; slot++)
        {
            if (name.equals(nameBySlot[slot]))
            {
                return slot;
            }
        }
        return NO_SLOT;
    }

    /**
     * The process holding a name, or 0 when it is free. A holder found dead frees the name here (its slot is
     * freed by the liveness check as usual), so the next process resumes without waiting for that check.
     */
    synchronized long holderPid(final String name, final LongPredicate isProcessAlive)
    {
        final int slot = slotOf(name);
        if (NO_SLOT == slot)
        {
            return 0;
        }
        final long pid = holderPidBySlot[slot];
        if (!isProcessAlive.test(pid))
        {
            onSlotReleased(slot);
            return 0;
        }
        return pid;
    }

    /**
     * Who holds a name now: {@code process PID} or {@code network subscriber ADDRESS}, or null when it is free (a
     * holder process found dead frees it, as {@link #holderPid} does).
     */
    synchronized String holder(final String name, final LongPredicate isProcessAlive)
    {
        final RemoteHolder remote = remoteHolders.get(name);
        if (null != remote)
        {
            return "network subscriber " + remote.address();
        }
        final long pid = holderPid(name, isProcessAlive);
        return 0 == pid ? null : "process " + pid;
    }

    /** The holder for a listing: its pid, {@code net:ADDRESS} for a network subscriber, or 0 when it is free. */
    synchronized String holderLabel(final String name, final LongPredicate isProcessAlive)
    {
        final RemoteHolder remote = remoteHolders.get(name);
        return null != remote ? "net:" + remote.address() : Long.toString(holderPid(name, isProcessAlive));
    }

    /** The stored position of a name, or -1 when the broker has never seen it (or it was reset to its start). */
    synchronized long position(final String name)
    {
        return positions.getValue(name);
    }

    /** Every known name and its stored position (a copy, for reports). */
    synchronized Map<String, Long> positions()
    {
        pollCommits();
        return sorted();
    }

    private Map<String, Long> sorted()
    {
        final Map<String, Long> copy = new java.util.TreeMap<>();
        for (final Object2LongHashMap<String>.KeyIterator it = positions.keySet().iterator(); it.hasNext(); )
        {
            final String name = it.next();
            copy.put(name, positions.getValue(name));
        }
        return copy;
    }

    /** The process holding a known name, 0 when none; for reports. */
    synchronized long holderPidPlain(final String name)
    {
        final int slot = slotOf(name);
        return NO_SLOT == slot ? 0 : holderPidBySlot[slot];
    }

    /** A process now holds the name with {@code slot} (activated just now), starting at {@code position}. */
    synchronized void attach(final String name, final int slot, final long pid, final long position)
    {
        nameBySlot[slot] = name;
        holderPidBySlot[slot] = pid;
        stampBySlot[slot] = slots.reservationStamp(slot);
        positionBySlot[slot] = position;
        attached++;
        if (position(name) != position)
        {
            positions.put(name, position);
            dirty = true;
        }
    }

    /** Moves a name that no process holds; the caller checked it is not held. */
    void reset(final String name, final long position)
    {
        synchronized (this)
        {
            positions.put(name, position);
            dirty = true;
        }
        persist();
    }

    public synchronized long attachRemote(final String name, final long holderId, final String holder)
    {
        final RemoteHolder remote = remoteHolders.get(name);
        if (null != remote)
        {
            throw new ConsumerNameInUseException("consumer '" + name + "' of topic '" + topic +
                "' is held by network subscriber " + remote.address() + "; one subscriber at a time holds a name");
        }
        final int slot = slotOf(name);
        if (NO_SLOT != slot)
        {
            // a process found dead is freed by the conductor's liveness check; until then the name is held
            throw new ConsumerNameInUseException("consumer '" + name + "' of topic '" + topic +
                "' is held by process " + holderPidBySlot[slot] + "; one subscriber at a time holds a name");
        }
        remoteHolders.put(name, new RemoteHolder(holderId, holder));
        return positions.getValue(name);
    }

    public synchronized void commitRemote(final String name, final long holderId, final long position)
    {
        final RemoteHolder remote = remoteHolders.get(name);
        if (null != remote && remote.id() == holderId && positions.getValue(name) != position)
        {
            positions.put(name, position);
            dirty = true;
        }
    }

    public synchronized void detachRemote(final String name, final long holderId)
    {
        final RemoteHolder remote = remoteHolders.get(name);
        if (null != remote && remote.id() == holderId)
        {
            remoteHolders.remove(name);
        }
    }

    /**
     * The slot is about to be freed (or revoked): its last commit is taken and the name is free. Call before the
     * slot is released, so another consumer cannot have reused it.
     */
    void onSlotReleased(final int slot)
    {
        synchronized (this)
        {
            final String name = nameBySlot[slot];
            if (null == name)
            {
                return;
            }
            pollCommit(slot);
            nameBySlot[slot] = null;
            holderPidBySlot[slot] = 0;
            attached--;
        }
        persist();
    }

    /**
     * Copies the positions the holders committed into the table. Allocates nothing.
     *
     * @return the number of positions that moved.
     */
    synchronized int pollCommits()
    {
        if (0 == attached)
        {
            return 0;
        }
        int moved = 0;
        for (int slot = 0; slot < nameBySlot.length; slot++)
        {
            if (null != nameBySlot[slot] && pollCommit(slot))
            {
                moved++;
            }
        }
        return moved;
    }

    private boolean pollCommit(final int slot)
    {
        final long committed = slots.committedPositionVolatile(slot);
        // the owner and stamp are read after the commit: a slot freed by its own process (its client found the
        // broker unreachable) and taken by another consumer shows the new holder's, whose commit is not ours
        if (committed == LogDescriptor.NO_COMMIT || committed == positionBySlot[slot] ||
            slots.ownerPidVolatile(slot) != holderPidBySlot[slot] || slots.reservationStamp(slot) != stampBySlot[slot])
        {
            return false;
        }
        positionBySlot[slot] = committed;
        positions.put(nameBySlot[slot], committed);
        dirty = true;
        return true;
    }

    /**
     * Writes the positions to the data directory if they changed since the last write. Conductor thread only: the
     * file is written outside the lock, from a copy, so a network subscriber's acknowledgement never waits for it.
     */
    void persist()
    {
        final Map<String, Long> snapshot;
        synchronized (this)
        {
            if (!dirty || null == topicDir)
            {
                dirty = false;
                return;
            }
            snapshot = sorted();
            dirty = false;
        }
        try
        {
            NamedPositionsFile.write(topicDir, snapshot, sync);
        }
        catch (final IOException ex)
        {
            synchronized (this)
            {
                dirty = true; // the next housekeeping tries again
            }
            errorHandler.onError(new IOException("topic '" + topic + "': cannot store named consumer positions in " +
                topicDir + ": " + ex.getMessage(), ex));
        }
    }
}
