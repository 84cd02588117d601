package io.shmbus.broker.metrics;

import io.shmbus.broker.status.CounterTypes;

/**
 * The metric each kind of CnC counter is exposed as: its Prometheus name (counters without the {@code _total} the
 * exposition adds), help text, whether it is a counter or a gauge, and whether it is in bytes. Kinds about a topic
 * get the label {@code topic}; the others are the broker's.
 * <p>
 * Immutable; any thread.
 */
enum MetricKind
{
    CLIENTS(CounterTypes.BROKER_CLIENTS, "shmbus_clients", "Clients connected to the broker", false, false),
    TOPICS(CounterTypes.BROKER_TOPICS, "shmbus_topics", "Topics the broker serves", false, false),
    COMMANDS(CounterTypes.BROKER_COMMANDS_RECEIVED, "shmbus_commands",
        "Commands received from clients (keepalives included)", true, false),
    COMMANDS_REJECTED(CounterTypes.BROKER_COMMANDS_REJECTED, "shmbus_commands_rejected",
        "Commands the broker rejected with an error", true, false),
    ERRORS(CounterTypes.BROKER_ERRORS, "shmbus_errors", "Errors the broker handled", true, false),
    CLIENTS_TIMED_OUT(CounterTypes.BROKER_CLIENTS_TIMED_OUT, "shmbus_clients_timed_out",
        "Clients declared dead (timed out or exited)", true, false),
    CONSUMERS_FREED(CounterTypes.BROKER_CONSUMERS_FREED, "shmbus_consumers_freed",
        "Consumer slots freed after their process died", true, false),

    NET_CONNECTIONS_OPEN(CounterTypes.NET_CONNECTIONS_OPEN, "shmbus_net_connections_open",
        "Network connections open", false, false),
    NET_CONNECTIONS_ACCEPTED(CounterTypes.NET_CONNECTIONS_ACCEPTED, "shmbus_net_connections_accepted",
        "Network connections accepted", true, false),
    NET_CONNECTIONS_REFUSED(CounterTypes.NET_CONNECTIONS_REFUSED, "shmbus_net_connections_refused",
        "Network connections refused at the connection limit", true, false),
    NET_SUBSCRIPTIONS_ACTIVE(CounterTypes.NET_SUBSCRIPTIONS_ACTIVE, "shmbus_net_subscriptions_active",
        "Network subscriptions streaming", false, false),
    NET_HANDSHAKE_ERRORS(CounterTypes.NET_HANDSHAKE_ERRORS, "shmbus_net_handshake_errors",
        "Network requests refused with an ERROR", true, false),
    NET_STREAM_ERRORS(CounterTypes.NET_STREAM_ERRORS, "shmbus_net_stream_errors",
        "Network subscriptions ended by a STREAM ERROR", true, false),
    NET_SENT_BYTES(CounterTypes.NET_BYTES_SENT, "shmbus_net_sent_bytes", "Bytes sent to network subscribers", true,
        true),

    TOPIC_TAIL(CounterTypes.TOPIC_TAIL_POSITION, "shmbus_topic_tail_position_bytes",
        "Stream position where the next message of the topic will be written", false, true),
    TOPIC_LIMIT(CounterTypes.TOPIC_PRODUCER_LIMIT, "shmbus_topic_producer_limit_position_bytes",
        "Stream position producers may write up to", false, true),
    TOPIC_CONSUMERS(CounterTypes.TOPIC_CONSUMERS, "shmbus_topic_consumers",
        "Local consumers of the topic (the archiver not included)", false, false),
    TOPIC_PRODUCERS(CounterTypes.TOPIC_PRODUCERS, "shmbus_topic_producers", "Producers registered on the topic",
        false, false),
    TOPIC_PUBLISHED_MESSAGES(CounterTypes.TOPIC_PUBLISHED_MESSAGES, "shmbus_topic_published_messages",
        "Messages published to the topic since the broker started (a lower bound for a topic not persisted " +
        "whose producers outran the broker)", true, false),
    TOPIC_PUBLISHED_BYTES(CounterTypes.TOPIC_PUBLISHED_BYTES, "shmbus_topic_published_bytes",
        "Payload bytes of those messages", true, true),
    TOPIC_CLAIMS_UNBLOCKED(CounterTypes.TOPIC_CLAIMS_UNBLOCKED, "shmbus_topic_claims_unblocked",
        "Claims abandoned by producers that the broker turned into padding", true, false),
    TOPIC_MOVED_TO_ARCHIVE(CounterTypes.TOPIC_CONSUMERS_MOVED_TO_ARCHIVE, "shmbus_topic_consumers_moved_to_archive",
        "Slow consumers moved to reading the archive", true, false),
    TOPIC_ARCHIVED(CounterTypes.ARCHIVE_ARCHIVED_POSITION, "shmbus_topic_archived_position_bytes",
        "Stream position up to which the topic is in its segment files", false, true),
    TOPIC_ARCHIVE_ERRORS(CounterTypes.ARCHIVE_ERRORS, "shmbus_topic_archive_errors",
        "Archiving steps that failed (archiving pauses and retries)", true, false),
    TOPIC_ARCHIVE_DAMAGE(CounterTypes.ARCHIVE_DAMAGE_FOUND, "shmbus_topic_archive_damage",
        "Damage found in the topic's segment files by recovery or a reader", true, false),
    TOPIC_RETENTION_DELETED(CounterTypes.ARCHIVE_RETENTION_DELETED_SEGMENTS,
        "shmbus_topic_retention_deleted_segments", "Segment files deleted by retention", true, false),
    TOPIC_SEGMENTS(CounterTypes.ARCHIVE_SEGMENTS, "shmbus_topic_segments", "Segment files of the topic", false,
        false),
    TOPIC_DISK_BYTES(CounterTypes.ARCHIVE_DISK_BYTES, "shmbus_topic_disk_bytes",
        "Bytes in the topic's segment files", false, true),
    TOPIC_MIRROR_OUT_POSITION(CounterTypes.MIRROR_OUT_POSITION, "shmbus_topic_mirror_out_position_bytes",
        "Stream position up to which the topic's mirror has been offered to its Aeron publication", false, true),
    TOPIC_MIRROR_OUT_CONNECTED(CounterTypes.MIRROR_OUT_CONNECTED, "shmbus_topic_mirror_out_connected",
        "1 while the topic's mirror publication is connected to a receiver", false, false),
    TOPIC_MIRROR_OUT_BACK_PRESSURED(CounterTypes.MIRROR_OUT_BACK_PRESSURED, "shmbus_topic_mirror_out_back_pressured",
        "Offers of the topic's mirror refused by back pressure (waited out and tried again)", true, false),
    MIRROR_CONNECTED(CounterTypes.MIRROR_IN_CONNECTED, "shmbus_mirror_connected",
        "1 while this mirror's live stream (its Aeron image) is available", false, false),
    MIRROR_SOURCE_POSITION(CounterTypes.MIRROR_IN_SOURCE_POSITION, "shmbus_mirror_source_position_bytes",
        "The highest stream position this mirror knows the source has", false, true),
    MIRROR_POSITION(CounterTypes.MIRROR_IN_POSITION, "shmbus_mirror_position_bytes",
        "The stream position this mirror has written into its ring", false, true),
    MIRROR_STATE(CounterTypes.MIRROR_IN_STATE, "shmbus_mirror_state",
        "0 starting, 1 catching up from the source's archive, 2 live, 3 failed", false, false),
    MIRROR_CATCH_UPS(CounterTypes.MIRROR_IN_CATCH_UPS, "shmbus_mirror_catch_ups",
        "Catch-ups done from the source's archive before going live", true, false),
    MIRROR_GAPS(CounterTypes.MIRROR_IN_GAPS, "shmbus_mirror_gaps",
        "Frames that reached the ring writer out of place (refused, never written): 0 unless a bug", true, false);

    final int typeId;
    final String name;
    final String help;
    final boolean counter;
    final boolean bytes;

    MetricKind(final int typeId, final String name, final String help, final boolean counter, final boolean bytes)
    {
        this.typeId = typeId;
        this.name = name;
        this.help = help;
        this.counter = counter;
        this.bytes = bytes;
    }

    /** The kind exposing counters of {@code typeId}, or null when they are not exposed. */
    static MetricKind of(final int typeId)
    {
        for (final MetricKind kind : values())
        {
            if (kind.typeId == typeId)
            {
                return kind;
            }
        }
        return null;
    }
}
