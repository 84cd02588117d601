package io.shmbus.soak;

/**
 * What one consumer incarnation reported: it received {@code received} messages from {@code [start, position)} of its
 * topic, with its own stream checks' counts. The last report of a killed one stands; a finished one reports its
 * summary. Used by the soak's main thread only.
 */
final class ReadRecord
{
    final String name;
    final String topic;
    final boolean remote;
    long start = -1;
    long position = -1;
    long received;
    long errors;
    long missing;
    long duplicates;
    long corrupt;
    boolean killed;
    boolean finished;
    /** Messages the archive holds in {@code [start, position)}: filled by the archive check. */
    long archived = -1;

    ReadRecord(final String name, final String topic, final boolean remote)
    {
        this.name = name;
        this.topic = topic;
        this.remote = remote;
    }

    boolean hasRange()
    {
        return start >= 0 && position >= start;
    }
}
