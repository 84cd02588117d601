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
    /**
     * Operator command ({@code shmbus topic info}): the topic's settings, files, positions and clients, answered
     * with one or more {@link #ON_TOPIC_INFO}. A broker of an earlier release answers {@link #ERROR_UNKNOWN_COMMAND}.
     */
    public static final int TOPIC_INFO = 8;
    /**
     * Operator command ({@code shmbus topic delete}): removes a topic that no client uses (its ring file, counters
     * and archive), answered with {@link #ON_OPERATION_SUCCESS}. Flags in the command's start-type field.
     */
    public static final int DELETE_TOPIC = 9;
    /** {@link #DELETE_TOPIC} flag: the operator confirmed that the topic's segment files go too. */
    public static final int DELETE_ARCHIVE = 1;
    /**
     * As {@link #ADD_CONSUMER}, for a durable named consumer: the consumer name follows the topic in the command
     * ({@link CommandFlyweight}). The start applies only when the broker has no position stored for the name;
     * otherwise the consumer resumes at the stored (last committed) position. Answered with
     * {@link #ON_CONSUMER_READY}, or {@link #ERROR_CONSUMER_NAME_IN_USE} while another live process holds the name.
     * A broker of an earlier release answers {@link #ERROR_MALFORMED_COMMAND} or {@link #ERROR_UNKNOWN_COMMAND}.
     */
    public static final int ADD_NAMED_CONSUMER = 10;
    /**
     * Operator command ({@code shmbus consumers}): the durable named consumers of the topic (or of every open topic
     * when the topic is empty), answered with {@link #ON_TOPIC_INFO} parts of
     * {@code topic=T name=N position=P tail=T lag=L holder=PID} lines.
     */
    public static final int NAMED_CONSUMERS = 11;
    /**
     * Operator command ({@code shmbus consumer reset}): moves the stored position of a named consumer no process
     * holds; the name follows the topic as in {@link #ADD_NAMED_CONSUMER}, the start as in {@link #ADD_CONSUMER}.
     * Answered with one {@link #ON_TOPIC_INFO} {@code position=P}, or {@link #ERROR_CONSUMER_NAME_IN_USE},
     * {@link #ERROR_UNKNOWN_REGISTRATION} (no such name), {@link #ERROR_UNKNOWN_TOPIC},
     * {@link #ERROR_POSITION_UNAVAILABLE}.
     */
    public static final int RESET_NAMED_CONSUMER = 12;

    // broker -> clients
    public static final int ON_PRODUCER_READY = 101;
    public static final int ON_CONSUMER_READY = 102;
    public static final int ON_ERROR = 103;
    public static final int ON_CLIENT_TIMEOUT = 104;
    public static final int ON_OPERATION_SUCCESS = 105;
    /** A part of the answer to {@link #TOPIC_INFO}: {@code key=value} lines; FLAG_MORE while more parts follow. */
    public static final int ON_TOPIC_INFO = 106;

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
    /** {@link #TOPIC_INFO}, {@link #DELETE_TOPIC}: the broker has no such topic (no ring file, no archive). */
    public static final int ERROR_UNKNOWN_TOPIC = 10;
    /** {@link #DELETE_TOPIC}: producers, consumers or network subscribers use the topic; the message names them. */
    public static final int ERROR_TOPIC_IN_USE = 11;
    /** {@link #DELETE_TOPIC} of a topic with segment files, without {@link #DELETE_ARCHIVE}. */
    public static final int ERROR_CONFIRMATION_REQUIRED = 12;
    /** {@link #ADD_NAMED_CONSUMER}: a live process holds the name; the message names its pid. */
    public static final int ERROR_CONSUMER_NAME_IN_USE = 13;
    /** A producer asked for a topic that mirrors another broker's: only the mirror writes it. */
    public static final int ERROR_TOPIC_MIRRORED = 14;

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
            case ERROR_UNKNOWN_TOPIC: return "UNKNOWN_TOPIC";
            case ERROR_TOPIC_IN_USE: return "TOPIC_IN_USE";
            case ERROR_CONFIRMATION_REQUIRED: return "CONFIRMATION_REQUIRED";
            case ERROR_CONSUMER_NAME_IN_USE: return "CONSUMER_NAME_IN_USE";
            case ERROR_TOPIC_MIRRORED: return "TOPIC_MIRRORED";
            default: return "UNKNOWN(" + code + ")";
        }
    }
}
