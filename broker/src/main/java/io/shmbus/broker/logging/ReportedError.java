package io.shmbus.broker.logging;

/**
 * An error the broker found and handled (a rejected command, damaged storage, a failed write) rather than one thrown
 * by a bug: recorded in the distinct-error log as {@code component: message}, without a stack trace, so the same
 * error seen again counts as the same entry. Immutable.
 */
final class ReportedError extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    ReportedError(final String component, final String message)
    {
        super(component + ": " + message, null, false, false);
    }

    public String toString()
    {
        return getMessage();
    }
}
