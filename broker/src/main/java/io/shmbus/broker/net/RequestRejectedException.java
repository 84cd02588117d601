package io.shmbus.broker.net;

/**
 * A subscription request, or a running subscription, that the broker refuses, with the protocol error code to
 * send back. Only on the handshake and error paths, never per frame.
 */
final class RequestRejectedException extends Exception
{
    private static final long serialVersionUID = 1L;

    final int errorCode;

    RequestRejectedException(final int errorCode, final String message)
    {
        super(message, null, false, false); // no stack trace: bad input is expected, not a bug
        this.errorCode = errorCode;
    }
}
