package io.shmbus.broker;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ConsumerNames;
import io.shmbus.client.InsufficientStorageException;
import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.TopicNames;
import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import org.agrona.MutableDirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * Reads clients' commands from the CnC file's command ring, checks and decodes each, and dispatches it to the
 * {@code on...} method that serves it ({@link RegistrationCommands}, {@link TopicAdminCommands}, the
 * {@link ClientSessions}). A malformed or unknown command, and any failure while serving one, is answered with an
 * error (see docs/protocol.md) and never stops the broker.
 * <p>
 * Conductor thread only; reading keepalives allocates nothing.
 */
final class ClientCommandAdapter implements MessageHandler
{
    /** The most commands read in one duty cycle, so the other duties are not starved. */
    private static final int COMMAND_LIMIT = 32;

    private final ManyToOneRingBuffer toBroker;
    private final RegistrationCommands registrations;
    private final TopicAdminCommands topicAdmin;
    private final NamedConsumerCommands namedConsumers;
    private final ClientSessions sessions;
    private final ClientProxy clientProxy;
    private final BrokerCounters counters;
    private final ErrorHandler errorHandler;
    private final CommandFlyweight command = new CommandFlyweight();
    private boolean commandActivity;

    ClientCommandAdapter(
        final ManyToOneRingBuffer toBroker,
        final RegistrationCommands registrations,
        final TopicAdminCommands topicAdmin,
        final NamedConsumerCommands namedConsumers,
        final ClientSessions sessions,
        final ClientProxy clientProxy,
        final BrokerCounters counters,
        final ErrorHandler errorHandler)
    {
        this.toBroker = toBroker;
        this.registrations = registrations;
        this.topicAdmin = topicAdmin;
        this.namedConsumers = namedConsumers;
        this.sessions = sessions;
        this.clientProxy = clientProxy;
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    /**
     * Serves the commands waiting in the ring, up to a limit.
     *
     * @return the number of commands read.
     */
    int receive()
    {
        commandActivity = false;
        return toBroker.read(this, COMMAND_LIMIT);
    }

    /** True when the last {@link #receive()} read a command other than a keepalive. */
    boolean hadCommandActivity()
    {
        return commandActivity;
    }

    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        counters.commandsReceived.increment();
        commandActivity |= ControlProtocol.CLIENT_KEEPALIVE != type;
        if (length < CommandFlyweight.MIN_LENGTH || length > CommandFlyweight.MAX_LENGTH)
        {
            final long correlationId = length >= 8 ? buffer.getLong(index) : 0;
            clientProxy.reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND,
                "command of type " + type + " has length " + length + ", expected " + CommandFlyweight.MIN_LENGTH +
                " to " + CommandFlyweight.MAX_LENGTH);
            return;
        }
        command.wrapForRead(buffer, index);
        final long correlationId = command.correlationId();
        if (command.clientPid() <= 0)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_MALFORMED_COMMAND, "command without a client pid");
            return;
        }
        try
        {
            dispatch(type, correlationId, length);
        }
        catch (final InvalidTopicNameException ex)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_INVALID_TOPIC, ex.getMessage());
        }
        catch (final PositionUnavailableException ex)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_POSITION_UNAVAILABLE, ex.getMessage());
        }
        catch (final InsufficientStorageException ex)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_STORAGE, ex.getMessage());
        }
        catch (final CountersFullException ex)
        {
            clientProxy.reject(correlationId, ControlProtocol.ERROR_RESOURCE_EXHAUSTED, ex.getMessage());
        }
        catch (final ShmbusException ex)
        {
            clientProxy.reject(correlationId, ex.getMessage().contains("slots") ?
                ControlProtocol.ERROR_RESOURCE_EXHAUSTED : ControlProtocol.ERROR_GENERIC, ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            clientProxy.reject(correlationId, ControlProtocol.ERROR_GENERIC, ex.toString());
        }
    }

    private void dispatch(final int type, final long correlationId, final int length)
    {
        final long clientId = command.clientId();
        final long pid = command.clientPid();
        switch (type)
        {
            case ControlProtocol.ADD_PRODUCER:
                registrations.onAddProducer(correlationId, clientId, pid, topicName(length), false);
                break;
            case ControlProtocol.ADD_EXCLUSIVE_PRODUCER:
                registrations.onAddProducer(correlationId, clientId, pid, topicName(length), true);
                break;
            case ControlProtocol.ADD_CONSUMER:
                registrations.onAddConsumer(correlationId, clientId, pid, topicName(length), command.startType(),
                    command.startPosition());
                break;
            case ControlProtocol.ADD_NAMED_CONSUMER:
                registrations.onAddConsumer(correlationId, clientId, pid, topicName(length), consumerName(length),
                    command.startType(), command.startPosition());
                break;
            case ControlProtocol.NAMED_CONSUMERS:
                namedConsumers.onList(correlationId, 0 == command.topicLength() ? "" : topicName(length));
                break;
            case ControlProtocol.RESET_NAMED_CONSUMER:
                namedConsumers.onReset(correlationId, topicName(length), consumerName(length), command.startType(),
                    command.startPosition());
                break;
            case ControlProtocol.REMOVE_PRODUCER:
                registrations.onRemoveProducer(correlationId, clientId, pid, command.registrationId());
                break;
            case ControlProtocol.REMOVE_CONSUMER:
                registrations.onRemoveConsumer(correlationId, clientId, pid, command.registrationId());
                break;
            case ControlProtocol.CLIENT_KEEPALIVE:
                sessions.session(clientId, pid);
                break;
            case ControlProtocol.CLIENT_CLOSE:
                sessions.close(clientId);
                break;
            case ControlProtocol.TOPIC_INFO:
                topicAdmin.onTopicInfo(correlationId, topicName(length));
                break;
            case ControlProtocol.DELETE_TOPIC:
                topicAdmin.onDeleteTopic(correlationId, topicName(length),
                    0 != (command.startType() & ControlProtocol.DELETE_ARCHIVE));
                break;
            default:
                clientProxy.reject(correlationId, ControlProtocol.ERROR_UNKNOWN_COMMAND,
                    "unknown command type " + type);
        }
    }

    private String consumerName(final int length)
    {
        final String name = command.consumerName(length);
        if (null == name)
        {
            throw new ConfigurationException("consumer name is missing or its length is out of range");
        }
        return ConsumerNames.validate(name);
    }

    private String topicName(final int length)
    {
        final String name = command.topic(length);
        if (null == name)
        {
            throw new InvalidTopicNameException("topic name length " + command.topicLength() + " is out of range");
        }
        return TopicNames.validate(name);
    }
}
