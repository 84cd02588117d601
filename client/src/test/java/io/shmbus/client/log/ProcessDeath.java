package io.shmbus.client.log;

/**
 * Thrown by a {@link StoreHook} action to stop a protocol right after a store, as the death of its process would:
 * only for code paths that run nothing (no {@code finally}) between the store and the caller.
 */
public final class ProcessDeath extends Error
{
    private static final long serialVersionUID = 1L;

    public ProcessDeath(final String store)
    {
        super("process died after: " + store, null, false, false);
    }
}
