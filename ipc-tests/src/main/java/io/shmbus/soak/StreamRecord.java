package io.shmbus.soak;

/**
 * One producer stream (one incarnation of a producer process): how many of its messages were committed, by the last
 * report of a process that was killed (a lower bound: it may have committed more before it died), or exactly, from
 * the final report of one that was stopped. Used by the soak's main thread only.
 */
final class StreamRecord
{
    final int id;
    final String topic;
    final String producer;
    long committed;
    boolean exact;
    boolean killed;

    StreamRecord(final int id, final String topic, final String producer)
    {
        this.id = id;
        this.topic = topic;
        this.producer = producer;
    }
}
