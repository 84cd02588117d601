package io.shmbus.broker.archive;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The archived topics of a broker by name: the conductor thread adds a topic's {@link ArchiveView} when it opens
 * the topic and removes it when it closes; any thread may look one up. A topic that is not persistent has none.
 */
public final class ArchiveViews
{
    private final Map<String, ArchiveView> views = new ConcurrentHashMap<>();

    public void add(final ArchiveView view)
    {
        views.put(view.topic(), view);
    }

    public void remove(final String topic)
    {
        views.remove(topic);
    }

    /** The view of an archived topic, or null. */
    public ArchiveView get(final String topic)
    {
        return views.get(topic);
    }
}
