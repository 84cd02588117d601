package io.shmbus.broker.status;

/**
 * The type id of every kind of counter the broker keeps in the CnC file. A reader finds a counter by its type id and
 * its key ({@link CounterKey}: the topic, and for a consumer its id), never by its label, which is for people and may
 * change. Each kind has its own id; the hundreds group them: 1xx broker, 2xx topic, 3xx archive, 4xx consumer,
 * 5xx network server, 6xx mirrors. docs/protocol.md lists them.
 * <p>
 * Constants only; any thread.
 */
public final class CounterTypes
{
    /** The broker's clock at its last housekeeping, epoch ms (0 once stopped). Broker-wide: empty key. */
    public static final int BROKER_HEARTBEAT = 100;
    public static final int BROKER_COMMANDS_RECEIVED = 101;
    public static final int BROKER_COMMANDS_REJECTED = 102;
    public static final int BROKER_ERRORS = 103;
    public static final int BROKER_CLIENTS = 104;
    public static final int BROKER_CLIENTS_TIMED_OUT = 105;
    public static final int BROKER_CONSUMERS_FREED = 106;
    public static final int BROKER_CLAIMS_UNBLOCKED = 107;
    public static final int BROKER_CLEANINGS_RECOVERED = 108;
    public static final int BROKER_COMMANDS_UNBLOCKED = 109;
    public static final int BROKER_TOPICS = 110;

    /** Per topic (key: {@link CounterKey#topic}). */
    public static final int TOPIC_TAIL_POSITION = 200;
    public static final int TOPIC_PRODUCER_LIMIT = 201;
    public static final int TOPIC_CONSUMERS = 202;
    public static final int TOPIC_PRODUCERS = 203;
    public static final int TOPIC_CLAIMS_UNBLOCKED = 204;
    public static final int TOPIC_CLEANINGS_RECOVERED = 205;
    public static final int TOPIC_CONSUMERS_MOVED_TO_ARCHIVE = 206;
    /** Data frames published, counted by the walk of the archiver, or of the conductor for a topic not persisted. */
    public static final int TOPIC_PUBLISHED_MESSAGES = 207;
    /** Payload bytes of those data frames (frame headers and padding not included). */
    public static final int TOPIC_PUBLISHED_BYTES = 208;

    /** Per persistent topic, kept by its archiver. The archived position's key names the archiver's slot. */
    public static final int ARCHIVE_ARCHIVED_POSITION = 300;
    public static final int ARCHIVE_SEGMENT_SYNCS = 301;
    public static final int ARCHIVE_RETENTION_DELETED_SEGMENTS = 302;
    public static final int ARCHIVE_ERRORS = 303;
    public static final int ARCHIVE_DAMAGE_FOUND = 304;
    public static final int ARCHIVE_SEGMENTS = 305;
    public static final int ARCHIVE_DISK_BYTES = 306;

    /** A local consumer's position (key: topic and slot), kept by the conductor while the slot is in use. */
    public static final int CONSUMER_LOCAL_POSITION = 400;
    /** A network subscriber's position: what it has been sent (key: topic and session), kept by the net server. */
    public static final int CONSUMER_REMOTE_POSITION = 401;

    /** The network server's counters. Server-wide: empty key. */
    public static final int NET_CONNECTIONS_OPEN = 500;
    public static final int NET_CONNECTIONS_ACCEPTED = 501;
    public static final int NET_CONNECTIONS_REFUSED = 502;
    public static final int NET_SUBSCRIPTIONS = 503;
    public static final int NET_SUBSCRIPTIONS_ACTIVE = 504;
    public static final int NET_HANDSHAKE_ERRORS = 505;
    public static final int NET_STREAM_ERRORS = 506;
    public static final int NET_PROTOCOL_VIOLATIONS = 507;
    public static final int NET_BYTES_SENT = 508;
    public static final int NET_HEARTBEATS_SENT = 509;
    public static final int NET_SOCKET_FULL_WAITS = 510;

    /**
     * Per mirrored-out topic (key: {@link CounterKey#topic}), kept by the mirror sender: the position it has offered
     * its publication up to.
     */
    public static final int MIRROR_OUT_POSITION = 600;
    /** 1 while the topic's mirror publication is connected to at least one subscriber, else 0. */
    public static final int MIRROR_OUT_CONNECTED = 601;
    /** Offers the publication refused (back pressure, admin action): the sender waited and tried again. */
    public static final int MIRROR_OUT_BACK_PRESSURED = 602;

    /**
     * Per {@code [mirror NAME]} topic received from another broker (key: {@link CounterKey#topic}), kept by the
     * mirror thread: 1 while the Aeron image of the live stream is available.
     */
    public static final int MIRROR_IN_CONNECTED = 650;
    /** The highest position known at the source: the end of the last live or catch-up frame seen. */
    public static final int MIRROR_IN_SOURCE_POSITION = 651;
    /** The position written into the local ring. */
    public static final int MIRROR_IN_POSITION = 652;
    /** 0 starting, 1 catching up, 2 live, 3 failed. */
    public static final int MIRROR_IN_STATE = 653;
    public static final int MIRROR_IN_CATCH_UPS = 654;
    /** Frames that reached the ring writer not exactly at the local tail after the merge: 0 unless a bug. */
    public static final int MIRROR_IN_GAPS = 655;
    /** Now minus the timestamp of the last frame written, while behind; 0 when live and idle. */
    public static final int MIRROR_IN_LAG_NS = 656;

    private CounterTypes()
    {
    }

    /** True for the kinds whose key is a {@link CounterKey} naming a topic. */
    public static boolean isTopicScoped(final int typeId)
    {
        return typeId >= TOPIC_TAIL_POSITION && typeId < NET_CONNECTIONS_OPEN ||
            typeId >= MIRROR_OUT_POSITION && typeId < MIRROR_OUT_POSITION + 100;
    }
}
