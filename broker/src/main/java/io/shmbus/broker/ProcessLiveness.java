package io.shmbus.broker;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Tells whether a process is alive by its pid, without allocating for a pid already seen alive: it keeps the
 * {@link ProcessHandle} of each such pid, whose {@link ProcessHandle#isAlive()} also tells a reused pid from the
 * process first seen, and looks a pid up again (allocating) only when it is new or its handle says it is gone.
 * <p>
 * Conductor thread only.
 */
final class ProcessLiveness
{
    /** Handles of pids no longer asked about are dropped all at once past this many. */
    private static final int MAX_HANDLES = 4096;

    private final long selfPid = ProcessHandle.current().pid();
    private final Long2ObjectHashMap<ProcessHandle> handles = new Long2ObjectHashMap<>();

    boolean isAlive(final long pid)
    {
        if (pid == selfPid)
        {
            return true;
        }
        if (pid <= 0)
        {
            return false;
        }
        final ProcessHandle known = handles.get(pid);
        if (null != known && known.isAlive())
        {
            return true;
        }
        final ProcessHandle current = ProcessHandle.of(pid).orElse(null);
        if (null == current || !current.isAlive())
        {
            handles.remove(pid);
            return false;
        }
        if (handles.size() >= MAX_HANDLES)
        {
            handles.clear();
        }
        handles.put(pid, current);
        return true;
    }
}
