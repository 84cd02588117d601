package io.shmbus.bench;

import org.agrona.DirectBuffer;

/**
 * Receives one message, in place, from a {@link BenchSubscriber}: the same callback shape for every system under
 * test, so the benchmark loops are written once. Called on the polling thread only.
 */
@FunctionalInterface
interface MessageHandler
{
    void onMessage(DirectBuffer buffer, int offset, int length);
}
