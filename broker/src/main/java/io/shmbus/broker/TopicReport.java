package io.shmbus.broker;

import io.shmbus.broker.archive.ArchiveListing;
import io.shmbus.broker.archive.ArchiveSubscriber;
import io.shmbus.broker.config.TopicConfig;
import io.shmbus.client.log.LogDescriptor;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The answer to {@code TOPIC_INFO}: one topic's settings, files and sizes, positions, producers, local consumers
 * and network subscribers as {@code key=value} lines (the keys are listed in docs/protocol.md), cut into parts
 * that each fit one response. Conductor thread only; allocates (an operator's command, not a duty).
 */
final class TopicReport
{
    private TopicReport()
    {
    }

    /**
     * @param dataDir the broker's data directory, or null: its {@code <topic>} directory is reported when it
     *                exists, whether or not this broker archives the topic.
     */
    static String render(
        final TopicState topic, final Long2ObjectHashMap<ClientSession> clients, final Path dataDir)
        throws IOException
    {
        final StringBuilder text = new StringBuilder(1024);
        final TopicConfig config = topic.config;
        final Path ring = topic.log.file();
        line(text, "topic", topic.name);
        line(text, "ring.file", ring.toAbsolutePath());
        line(text, "ring.file.bytes", Files.size(ring));
        line(text, "capacity", topic.log.capacity());
        line(text, "max.message.length", topic.log.maxMessageLength());
        line(text, "persistent", null != topic.archiver);
        if (null != topic.archiver)
        {
            line(text, "durability", durability(config.durability()));
            line(text, "segment.length", topic.archiver.segmentLength());
        }
        line(text, "retention.bytes", config.retentionBytes());
        line(text, "retention.age.ms", TimeUnit.NANOSECONDS.toMillis(config.retentionAgeNs()));
        line(text, "slow.consumer", config.slowConsumerToArchive() ? "archive" : "hold");
        line(text, "slow.consumer.detach.timeout.ms",
            TimeUnit.NANOSECONDS.toMillis(config.slowConsumerDetachTimeoutNs()));
        final Path archiveDir = null != topic.archiver ? topic.archiver.topicDir() :
            null != dataDir ? dataDir.resolve(topic.name) : null;
        if (null != archiveDir && Files.isDirectory(archiveDir))
        {
            final ArchiveListing listing = ArchiveListing.of(archiveDir);
            line(text, "archive.dir", archiveDir.toAbsolutePath());
            line(text, "archive.segments", listing.segments());
            line(text, "archive.segment.bytes", listing.segmentBytes());
            line(text, "archive.index.files", listing.otherFiles());
            line(text, "archive.index.bytes", listing.otherBytes());
        }
        final long tail = topic.log.tailVolatile();
        line(text, "tail.position", tail);
        line(text, "producer.limit", topic.log.producerLimitVolatile());
        line(text, "earliest.position", topic.log.earliestPosition());
        if (null != topic.archiver)
        {
            line(text, "archived.position", topic.archiver.archivedPosition());
            line(text, "first.position", topic.archiver.firstPosition());
        }
        producers(text, topic, clients);
        consumers(text, topic);
        if (null != topic.archiveView)
        {
            for (final ArchiveSubscriber subscriber : topic.archiveView.subscribers())
            {
                line(text, "remote", "address=" + subscriber.remote() + " position=" + subscriber.position() +
                    " end=" + (subscriber.end() < 0 ? "live" : Long.toString(subscriber.end())));
            }
        }
        return text.toString();
    }

    private static void producers(
        final StringBuilder text, final TopicState topic, final Long2ObjectHashMap<ClientSession> clients)
    {
        for (final ClientSession session : clients.values())
        {
            for (final Map.Entry<Long, TopicState> producer : session.producers.entrySet())
            {
                if (producer.getValue() == topic)
                {
                    line(text, "producer", "pid=" + session.pid + " client=" + session.clientId +
                        " exclusive=" + (producer.getKey() == topic.exclusiveRegistration));
                }
            }
        }
    }

    private static void consumers(final StringBuilder text, final TopicState topic)
    {
        final int archiverSlot = null != topic.archiver ? topic.archiver.slot() : -1;
        for (int slot = 0; slot < LogDescriptor.CONSUMER_SLOT_COUNT; slot++)
        {
            final int state = topic.log.slotStateVolatile(slot);
            if (LogDescriptor.SLOT_FREE != state && slot != archiverSlot)
            {
                line(text, "consumer", "slot=" + slot + " pid=" + topic.log.slotOwnerPid(slot) + " state=" +
                    slotState(state) + " position=" + topic.log.slotPositionVolatile(slot));
            }
        }
    }

    /** Cuts the report into parts of whole lines, each at most {@code maxBytes} of UTF-8. */
    static List<String> parts(final String report, final int maxBytes)
    {
        final List<String> parts = new ArrayList<>();
        final StringBuilder part = new StringBuilder();
        int partBytes = 0;
        for (final String line : report.split("\n"))
        {
            final int lineBytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            if (partBytes > 0 && partBytes + lineBytes > maxBytes)
            {
                parts.add(part.toString());
                part.setLength(0);
                partBytes = 0;
            }
            part.append(line).append('\n');
            partBytes += lineBytes;
        }
        parts.add(part.toString());
        return parts;
    }

    static String durability(final long durability)
    {
        return TopicConfig.DURABILITY_NONE == durability ? "none" :
            TopicConfig.DURABILITY_SEGMENT == durability ? "segment" :
            TimeUnit.NANOSECONDS.toMillis(durability) + "ms";
    }

    static String slotState(final int state)
    {
        switch (state)
        {
            case LogDescriptor.SLOT_RESERVED: return "reserved";
            case LogDescriptor.SLOT_ACTIVE: return "active";
            case LogDescriptor.SLOT_REVOKED: return "revoked";
            case LogDescriptor.SLOT_DETACHING: return "detaching";
            case LogDescriptor.SLOT_DETACHED: return "detached";
            default: return "state-" + state;
        }
    }

    private static void line(final StringBuilder text, final String key, final Object value)
    {
        text.append(key).append('=').append(value).append('\n');
    }
}
