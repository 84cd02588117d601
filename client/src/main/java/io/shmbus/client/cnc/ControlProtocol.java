package io.shmbus.client.cnc;

/**
 * Message type ids and error codes of the control protocol between clients and the broker, carried by the
 * command ring (client to broker) and the response broadcast (broker to clients) of the CnC file.
 */
public final class ControlProtocol
{
    // client -> broker
    public static final int ADD_PRODUCER = 1;
    public static final int ADD_CONSUMER = 2;
    public static final int REMOVE_PRODUCER = 3;
    public static final int REMOVE_CONSUMER = 4;
    public static final int CLIENT_KEEPALIVE = 5;
    public static final int CLIENT_CLOSE = 6;
    /** As {@link #ADD_PRODUCER}, for the topic's only producer ({@code ExclusiveProducer}). */
    public static final int ADD_EXCLUSIVE_PRODUCER = 7;

    // broker -> clients
    public static final int ON_PRODUCER_READY = 101;
    public static final int ON_CONSUMER_READY = 102;
    public static final int ON_ERROR = 103;
    public static final int ON_CLIENT_TIMEOUT = 104;
    public static final int ON_OPERATION_SUCCESS = 105;

    // error codes carried by ON_ERROR
    public static final int ERROR_GENERIC = 1;
    public static final int ERROR_MALFORMED_COMMAND = 2;
    public static final int ERROR_UNKNOWN_COMMAND = 3;
    public static final int ERROR_INVALID_TOPIC = 4;
    public static final int ERROR_POSITION_UNAVAILABLE = 5;
    public static final int ERROR_UNKNOWN_REGISTRATION = 6;
    public static final int ERROR_STORAGE = 7;
    public static final int ERROR_RESOURCE_EXHAUSTED = 8;
    /** An exclusive producer must be a topic's only one, and one that lives keeps the topic to itself. */
    public static final int ERROR_PRODUCER_CONFLICT = 9;

    /** Start types of {@link #ADD_CONSUMER}. */
    public static final int START_EARLIEST = 0;
    public static final int START_LATEST = 1;
    public static final int START_POSITION = 2;
    /** The first message stamped at or after a time; the command's position field holds epoch nanoseconds. */
    public static final int START_TIME = 3;

    private ControlProtocol()
    {
    }

    public static String errorCodeName(final int code)
    {
        switch (code)
        {
            case ERROR_GENERIC: return "GENERIC";
            case ERROR_MALFORMED_COMMAND: return "MALFORMED_COMMAND";
            case ERROR_UNKNOWN_COMMAND: return "UNKNOWN_COMMAND";
            case ERROR_INVALID_TOPIC: return "INVALID_TOPIC";
            case ERROR_POSITION_UNAVAILABLE: return "POSITION_UNAVAILABLE";
            case ERROR_UNKNOWN_REGISTRATION: return "UNKNOWN_REGISTRATION";
            case ERROR_STORAGE: return "STORAGE";
            case ERROR_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
            case ERROR_PRODUCER_CONFLICT: return "PRODUCER_CONFLICT";
            default: return "UNKNOWN(" + code + ")";
        }
    }
}
