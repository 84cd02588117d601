package io.shmbus.bench;

/**
 * The rate a throughput run measured in its consumer: {@code measured} message intervals of {@code size}-byte
 * payloads in {@code elapsedNs}, from the first to the last message after the warmup. Values only.
 */
interface ConsumerRate
{
    int size();

    long measured();

    long elapsedNs();

    default double messagesPerSecond()
    {
        return measured() * 1e9 / elapsedNs();
    }

    /** Payload megabytes (10^6 bytes) per second. */
    default double megabytesPerSecond()
    {
        return messagesPerSecond() * size() / 1e6;
    }
}
