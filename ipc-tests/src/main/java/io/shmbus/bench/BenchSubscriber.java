package io.shmbus.bench;

/**
 * Receives the messages of one stream of the system under test, in place, into the {@link MessageHandler} it was
 * created with. Single-threaded use; the hot path allocates nothing.
 */
interface BenchSubscriber extends AutoCloseable
{
    /** @return the number of messages delivered. */
    int poll(int fragmentLimit);

    /** True once a publisher's stream is attached (always true for shmbus, whose topics exist on their own). */
    boolean isConnected();

    void close();
}
