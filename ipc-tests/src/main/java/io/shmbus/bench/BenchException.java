package io.shmbus.bench;

/**
 * A benchmark step failed: a child did not start, reported an error, died or missed its deadline. The message says
 * which child, what was awaited and what it printed last.
 */
final class BenchException extends RuntimeException
{
    BenchException(final String message)
    {
        super(message);
    }

    BenchException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
