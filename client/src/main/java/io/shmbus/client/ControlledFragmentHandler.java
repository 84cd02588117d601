package io.shmbus.client;

import org.agrona.DirectBuffer;

/**
 * Receives messages from {@link Consumer#controlledPoll(ControlledFragmentHandler, int)} (or, over TCP,
 * {@link io.shmbus.client.remote.RemoteConsumer#controlledPoll}) and decides after each one whether to go on, stop,
 * or leave the message to be delivered again. Called on the polling thread.
 */
@FunctionalInterface
public interface ControlledFragmentHandler
{
    /** What the consumer does after a message. */
    enum Action
    {
        /** Leave this message unconsumed and stop: the next poll delivers it again. */
        ABORT,
        /** Consume this message and stop polling. */
        BREAK,
        /**
         * Consume this message, publish the position now, and go on. On a durable named {@link Consumer} this also
         * acknowledges the message, as {@link Consumer#commit()} right after it would: a restart resumes right after
         * it (not after later messages of the same poll), whether it was read from the ring or the archive.
         */
        COMMIT,
        /** Consume this message and go on. */
        CONTINUE
    }

    Action onFragment(DirectBuffer buffer, int offset, int length, Header header);
}
