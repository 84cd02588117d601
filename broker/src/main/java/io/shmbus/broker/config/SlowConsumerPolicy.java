package io.shmbus.broker.config;

/** What a topic does about a consumer that falls behind (config key {@code slow.consumer}). */
public enum SlowConsumerPolicy
{
    /** Producers wait for the slowest consumer. */
    HOLD,
    /** A slow consumer of a persistent topic continues from the segment files, and rejoins the ring later. */
    ARCHIVE
}
