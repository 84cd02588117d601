package io.shmbus.broker.cli;

import java.io.IOException;

/**
 * The messages {@code shmbus publish} reads from its input, one at a time, in the format the user chose. Not
 * thread-safe.
 */
interface MessageReader
{
    /**
     * Reads the next message.
     *
     * @return false at the end of the input.
     * @throws IOException when the input cannot be read, or ends inside a message of a format that says how long
     *                     it is ({@link TruncatedInputException}).
     */
    boolean next() throws IOException;

    /** The message's bytes, valid up to {@link #length()} unless {@link #tooLong()}. */
    byte[] bytes();

    long length();

    /** Longer than the limit: counted, not kept. */
    boolean tooLong();

    /** Which message this is in the input, for messages: "line 5", "record 5 (at byte 1234)". */
    String describe();

    /** A shell command that prints the input from this message on, for a user who sends the rest later. */
    String rest();

    /** The input ended inside a message. */
    final class TruncatedInputException extends IOException
    {
        private static final long serialVersionUID = 1L;

        TruncatedInputException(final String message)
        {
            super(message);
        }
    }
}
