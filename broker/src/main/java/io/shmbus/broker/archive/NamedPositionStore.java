package io.shmbus.broker.archive;

import io.shmbus.client.ConsumerNameInUseException;

/**
 * A persistent topic's durable named consumers as a network subscriber uses them: it takes a name (resuming at
 * its stored position), acknowledges positions under it, and lets it go when its connection ends. The conductor
 * owns the table (local holders, persistence); these calls may come from the network server's thread and take
 * the table's lock only briefly, never for I/O.
 */
public interface NamedPositionStore
{
    /** What {@link #attachRemote} returns for a name the broker has never seen (or that was reset to its start). */
    long NO_POSITION = -1;

    /**
     * Takes {@code name} for a network subscriber.
     *
     * @param holderId    unique to the connection, so a late call of an old connection cannot touch a new holder.
     * @param holder      how reports name the holder (its address).
     * @return the name's stored position, or {@link #NO_POSITION}.
     * @throws ConsumerNameInUseException when a live process or another connection holds it; the message names it.
     */
    long attachRemote(String name, long holderId, String holder);

    /** Stores {@code position} as the name's position, if {@code holderId} still holds it. */
    void commitRemote(String name, long holderId, long position);

    /** Lets the name go, if {@code holderId} holds it; its last acknowledged position stays stored. */
    void detachRemote(String name, long holderId);
}
