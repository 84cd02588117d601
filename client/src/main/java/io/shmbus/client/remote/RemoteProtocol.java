package io.shmbus.client.remote;

import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.ConsumerNames;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.TopicNames;

/**
 * Constants of the network subscriber protocol, versions 1 and 2 (docs/protocol.md): magic, versions, start kinds,
 * flags, message and response types, and error codes. The frame types of the stream are in
 * {@link io.shmbus.client.log.FrameDescriptor}; the layouts of the request and
 * the response are in {@link SubscribeRequestDescriptor} and {@link SubscribeResponseDescriptor}.
 */
public final class RemoteProtocol
{
    /** The bytes {@code S H M B} read as a little-endian int. */
    public static final int MAGIC = 0x424D4853;
    /** The newest version: a broker answers every version from {@link #VERSION_1} to this one. */
    public static final short VERSION = 2;
    /** The first version; a client uses it whenever it names no consumer, so it works with every broker. */
    public static final short VERSION_1 = 1;
    /** The version that carries a durable consumer name in the request and COMMIT messages after it. */
    public static final short VERSION_NAMED = 2;

    /** Request flag (version 2, with a consumer name): start at the name's stored position when it has one. */
    public static final byte FLAG_RESUME_NAMED = 1;

    /** The type of the one message a named subscriber sends after its request ({@link CommitMessageDescriptor}). */
    public static final short MESSAGE_COMMIT = 1;

    public static final short REQUEST_SUBSCRIBE = 1;

    public static final byte START_EARLIEST = 0;
    public static final byte START_LATEST = 1;
    public static final byte START_POSITION = 2;
    public static final byte START_TIME = 3;

    /** End position of a subscription that follows the topic live. */
    public static final long END_LIVE = -1;

    public static final short RESPONSE_OK = 1;
    public static final short RESPONSE_ERROR = 2;

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
    public static final int CONSUMER_NAME_IN_USE = 11;

    /** A topic name on the wire follows the rule of every topic name ({@link TopicNames}), so the same limit. */
    public static final int MAX_TOPIC_LENGTH = TopicNames.MAX_LENGTH;
    public static final int MAX_TOKEN_LENGTH = 1024;
    /** A consumer name on the wire follows the rule of every consumer name ({@link ConsumerNames}). */
    public static final int MAX_CONSUMER_NAME_LENGTH = ConsumerNames.MAX_LENGTH;
    public static final int MAX_REQUEST_LENGTH = 4096;
    public static final int MAX_RESPONSE_LENGTH = 4096;
    /**
     * The longest frame the broker makes (HEARTBEAT, END, STREAM ERROR, and any type it adds later), header
     * included; stored frames are bounded by the max frame length of the OK response instead.
     */
    public static final int MAX_CONTROL_FRAME_LENGTH = 4096;

    private RemoteProtocol()
    {
    }

    public static String errorCodeName(final int code)
    {
        switch (code)
        {
            case MALFORMED_REQUEST: return "MALFORMED_REQUEST";
            case UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
            case UNKNOWN_TOPIC: return "UNKNOWN_TOPIC";
            case POSITION_UNAVAILABLE: return "POSITION_UNAVAILABLE";
            case NOT_FRAME_BOUNDARY: return "NOT_FRAME_BOUNDARY";
            case AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
            case TOO_MANY_CONNECTIONS: return "TOO_MANY_CONNECTIONS";
            case HANDSHAKE_TIMEOUT: return "HANDSHAKE_TIMEOUT";
            case STORAGE_ERROR: return "STORAGE_ERROR";
            case PROTOCOL_VIOLATION: return "PROTOCOL_VIOLATION";
            case CONSUMER_NAME_IN_USE: return "CONSUMER_NAME_IN_USE";
            default: return "UNKNOWN_ERROR(" + code + ")";
        }
    }

    /**
     * True when a new connection may succeed where this one failed: the broker was busy, the request was late,
     * or the connection broke. Other codes would fail again (or lose data) on every attempt.
     */
    public static boolean isRetryable(final int code)
    {
        return TOO_MANY_CONNECTIONS == code || HANDSHAKE_TIMEOUT == code || PROTOCOL_VIOLATION == code;
    }

    /** The typed exception for an error code the broker sent, carrying its message. */
    public static ShmbusException toException(final int code, final String brokerMessage, final String context)
    {
        final String message = context + ": " + errorCodeName(code) + ": " + brokerMessage;
        switch (code)
        {
            case UNKNOWN_TOPIC: return new UnknownTopicException(message);
            case AUTHENTICATION_FAILED: return new AuthenticationFailedException(message);
            case UNSUPPORTED_VERSION: return new UnsupportedVersionException(code, message);
            case POSITION_UNAVAILABLE:
            case NOT_FRAME_BOUNDARY: return new PositionUnavailableException(message);
            case CONSUMER_NAME_IN_USE: return new ConsumerNameInUseException(message);
            default: return new RemoteSubscriptionException(code, message);
        }
    }
}
