package io.shmbus.broker.mirror;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where the mirror thread and the conductor meet over a mirror's topic. The conductor opens a mirror's topic at
 * start when it has a ring or an archive; a new mirror has neither, and its ring must start at the source's
 * earliest position so that positions are the source's. The mirror thread learns that position from the source,
 * creates the ring file starting there, and {@link #requestOpen asks} the conductor to open the topic (archiver and
 * all); it writes only once the conductor says the topic is {@link #isOpen open}, so the archiver reads every frame.
 * <p>
 * Thread-safe; the conductor's side ({@link #nextRequest}) allocates nothing when there is no request.
 */
public final class MirrorHandOff
{
    private final Queue<String> requests = new ConcurrentLinkedQueue<>();
    private final Set<String> open = ConcurrentHashMap.newKeySet();

    /** Mirror thread: its ring file exists, starting at the source's position; the conductor may open the topic. */
    public void requestOpen(final String topic)
    {
        requests.add(topic);
    }

    /** True once the conductor opened the mirror's topic: the mirror thread may write its ring. */
    public boolean isOpen(final String topic)
    {
        return open.contains(topic);
    }

    /** Conductor: the next topic to open, or null. */
    public String nextRequest()
    {
        return requests.poll();
    }

    /** Conductor: the topic is open (its archiver reading the ring). */
    public void opened(final String topic)
    {
        open.add(topic);
    }

    /** Conductor: the topic was closed (deleted, or the broker stops). */
    public void closed(final String topic)
    {
        open.remove(topic);
    }
}
