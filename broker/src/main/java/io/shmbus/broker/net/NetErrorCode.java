package io.shmbus.broker.net;

import java.nio.charset.StandardCharsets;

/**
 * The error codes of the network protocol (docs/protocol.md), carried by an ERROR response or a STREAM ERROR
 * frame.
 */
public final class NetErrorCode
{
    public static final int MALFORMED_REQUEST = 1;
    public static final int UNSUPPORTED_VERSION = 2;
    public static final int UNKNOWN_TOPIC = 3;
    public static final int POSITION_UNAVAILABLE = 4;
    public static final int NOT_FRAME_BOUNDARY = 5;
    public static final int AUTHENTICATION_FAILED = 6;
    public static final int TOO_MANY_CONNECTIONS = 7;
    public static final int HANDSHAKE_TIMEOUT = 8;
    public static final int STORAGE_ERROR = 9;
    public static final int PROTOCOL_VIOLATION = 10;

    private static final String[] NAMES =
    {
        "NONE", "MALFORMED_REQUEST", "UNSUPPORTED_VERSION", "UNKNOWN_TOPIC", "POSITION_UNAVAILABLE",
        "NOT_FRAME_BOUNDARY", "AUTHENTICATION_FAILED", "TOO_MANY_CONNECTIONS", "HANDSHAKE_TIMEOUT", "STORAGE_ERROR",
        "PROTOCOL_VIOLATION"
    };

    private NetErrorCode()
    {
    }

    public static String name(final int code)
    {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "UNKNOWN_ERROR_" + code;
    }

    /** The UTF-8 bytes of a message, cut at a character boundary to at most {@code maxLength} bytes. */
    static byte[] truncatedUtf8(final String message, final int maxLength)
    {
        final byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxLength)
        {
            return bytes;
        }
        int end = maxLength;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80)
        {
            end--; // never cut inside a multi-byte character
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
