package io.shmbus.broker;

import io.shmbus.broker.logging.BrokerLogger;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;
import io.shmbus.client.log.FrameDescriptor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Serves an operator's named consumer commands: {@code NAMED_CONSUMERS} lists the durable named consumers of one
 * topic or of every topic (open, or kept in the data directory) with their stored position, lag and holder;
 * {@code RESET_NAMED_CONSUMER} moves a name no process holds.
 * <p>
 * Conductor thread only; called by {@link ClientCommandAdapter}. Allocates (operator commands are rare).
 */
final class NamedConsumerCommands
{
    private final TopicRegistry topics;
    private final ClientProxy clientProxy;
    private final LongPredicate isProcessAlive;
    private final Path dataDir;
    private final BrokerLogger log;

    /** @param dataDir the broker's data directory, or null when it has none. */
    NamedConsumerCommands(
        final TopicRegistry topics, final ClientProxy clientProxy, final LongPredicate isProcessAlive,
        final Path dataDir, final BrokerLogger log)
    {
        this.topics = topics;
        this.clientProxy = clientProxy;
        this.isProcessAlive = isProcessAlive;
        this.dataDir = dataDir;
        this.log = log;
    }

    /**
     * Answers one {@code topic=T name=N position=P tail=T lag=L holder=PID} line per named consumer (holder 0 when
     * none), of {@code topicName} (opened now if it is in the data directory, as its first use would) or, when it
     * is empty, of every open topic and then of every topic of the data directory that is not open, read from its
     * positions file without opening it: tail and lag -1 (unknown), holder 0.
     */
    void onList(final long correlationId, final String topicName)
    {
        final StringBuilder text = new StringBuilder();
        if (topicName.isEmpty())
        {
            final List<TopicState> all = topics.all();
            for (int i = 0; i < all.size(); i++)
            {
                list(all.get(i), text);
            }
            final String problems = StoredNamedConsumers.appendUnopened(dataDir, topics::isOpen, text);
            if (!problems.isEmpty())
            {
                log.warn(BrokerLogger.CONDUCTOR, "named consumers left out of a listing: " + problems.trim());
            }
        }
        else
        {
            final TopicState topic = topics.existingTopic(topicName);
            if (null == topic)
            {
                clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_TOPIC, topics.unknownTopic(topicName));
                return;
            }
            list(topic, text);
        }
        clientProxy.onTopicInfo(correlationId,
            TopicReport.parts(text.toString(), ResponseFlyweight.MAX_MESSAGE_LENGTH));
    }

    private void list(final TopicState topic, final StringBuilder text)
    {
        final long tail = topic.log.tailVolatile();
        for (final Map.Entry<String, Long> entry : topic.named.positions().entrySet())
        {
            final long position = entry.getValue();
            text.append("topic=").append(topic.name).append(" name=").append(entry.getKey())
                .append(" position=").append(position).append(" tail=").append(tail)
                .append(" lag=").append(Math.max(0, tail - position))
                .append(" holder=").append(topic.named.holderLabel(entry.getKey(), isProcessAlive)).append('\n');
        }
    }

    /**
     * Moves a name no live process holds to a start: earliest (the archive's first frame, else the ring's
     * earliest), latest (the tail), a position, or a time. Answers {@code position=P}.
     */
    void onReset(
        final long correlationId, final String topicName, final String consumerName, final int startType,
        final long value)
    {
        final TopicState topic = topics.existingTopic(topicName);
        if (null == topic)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_TOPIC, topics.unknownTopic(topicName));
            return;
        }
        if (topic.named.position(consumerName) < 0)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_REGISTRATION, "topic '" + topicName +
                "' has no named consumer '" + consumerName + "'");
            return;
        }
        synchronized (topic.named) // from the check to the move, so a network subscriber cannot take the name
        {
            reset(correlationId, topic, consumerName, startType, value);
        }
    }

    private void reset(
        final long correlationId, final TopicState topic, final String consumerName, final int startType,
        final long value)
    {
        final String topicName = topic.name;
        final String holder = topic.named.holder(consumerName, isProcessAlive);
        if (null != holder)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_CONSUMER_NAME_IN_USE, "consumer '" +
                consumerName + "' of topic '" + topicName + "' is held by " + holder +
                "; stop it before moving its position");
            return;
        }
        final boolean archived = null != topic.archiver &&
            topic.archiver.firstPosition() < topic.archiver.archivedPosition();
        final long earliest = archived ? Math.min(topic.archiver.firstPosition(), topic.log.earliestPosition()) :
            topic.log.earliestPosition();
        final long tail = topic.log.tailVolatile();
        final long position;
        switch (startType)
        {
            case ControlProtocol.START_EARLIEST:
                position = earliest;
                break;
            case ControlProtocol.START_LATEST:
                position = tail;
                break;
            case ControlProtocol.START_TIME:
                position = topic.positionAtTime(value);
                break;
            case ControlProtocol.START_POSITION:
                if ((value & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
                {
                    throw new PositionUnavailableException("position " + value + " is not the start of a frame: " +
                        "frames start at multiples of " + FrameDescriptor.FRAME_ALIGNMENT);
                }
                if (value < earliest || value > tail)
                {
                    throw new PositionUnavailableException("position " + value + " of topic '" + topicName +
                        "' is not available: the topic holds " + earliest + " to " + tail);
                }
                position = value;
                break;
            default:
                clientProxy.reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND,
                    "unknown start type " + startType);
                return;
        }
        topic.named.reset(consumerName, position);
        clientProxy.onTopicInfo(correlationId, List.of("position=" + position + "\n"));
    }
}
