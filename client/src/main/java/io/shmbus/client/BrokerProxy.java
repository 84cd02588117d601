package io.shmbus.client;

import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a client's commands to its broker: encodes each into one command buffer and writes it into the CnC file's
 * command ring (waiting up to the request timeout while the ring is full); for a request, waits for the broker's
 * answer through the {@link ClientConductor} and turns an error answer into the matching exception.
 * <p>
 * Thread-safe: a command is encoded and written under the lock of the command buffer; a request waits for its
 * answer without holding it.
 */
final class BrokerProxy
{
    private final ManyToOneRingBuffer toBroker;
    private final ClientConductor conductor;
    private final long clientId;
    private final long pid;
    private final ShmBus.Context ctx;
    private final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
    private final CommandFlyweight command = new CommandFlyweight();

    BrokerProxy(
        final ManyToOneRingBuffer toBroker,
        final ClientConductor conductor,
        final long clientId,
        final long pid,
        final ShmBus.Context ctx)
    {
        this.toBroker = toBroker;
        this.conductor = conductor;
        this.clientId = clientId;
        this.pid = pid;
        this.ctx = ctx;
    }

    /**
     * Sends a command and waits for the broker's answer.
     *
     * @throws BrokerUnavailableException when the broker does not answer within the request timeout, or the
     *                                    exception {@link #toException(int, String)} makes of its error answer.
     */
    ClientConductor.Response request(
        final int type, final String topic, final long registrationId, final int startType, final long position)
    {
        return request(type, topic, null, registrationId, startType, position);
    }

    /** As {@link #request(int, String, long, int, long)} with a consumer name after the topic (when not null). */
    ClientConductor.Response request(
        final int type, final String topic, final String consumerName, final long registrationId,
        final int startType, final long position)
    {
        final long correlationId = toBroker.nextCorrelationId();
        final CompletableFuture<ClientConductor.Response> future = conductor.expect(correlationId);
        try
        {
            send(type, correlationId, topic, consumerName, registrationId, startType, position);
            final ClientConductor.Response response = future.get(ctx.requestTimeoutMs(), TimeUnit.MILLISECONDS);
            if (response.errorCode != 0)
            {
                throw toException(response.errorCode, response.message);
            }
            return response;
        }
        catch (final TimeoutException ex)
        {
            throw new BrokerUnavailableException("no answer from the broker on " + ctx.dir() + " within " +
                ctx.requestTimeoutMs() + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ShmbusException("interrupted while waiting for the broker");
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            throw cause instanceof ShmbusException ? (ShmbusException)cause :
                new ShmbusException(String.valueOf(cause), cause);
        }
        finally
        {
            conductor.forget(correlationId);
        }
    }

    /**
     * Writes a command into the ring; one with correlation id 0 gets no answer.
     *
     * @throws BrokerUnavailableException when the ring stays full for the request timeout.
     */
    void send(
        final int type, final long correlationId, final String topic, final long registrationId,
        final int startType, final long position)
    {
        send(type, correlationId, topic, null, registrationId, startType, position);
    }

    private void send(
        final int type, final long correlationId, final String topic, final String consumerName,
        final long registrationId, final int startType, final long position)
    {
        synchronized (commandBuffer)
        {
            command.wrap(commandBuffer, 0).clear()
                .correlationId(correlationId)
                .clientId(clientId)
                .clientPid(pid)
                .registrationId(registrationId)
                .startType(startType)
                .startPosition(position);
            if (null != topic)
            {
                command.topic(topic);
                if (null != consumerName)
                {
                    command.consumerName(consumerName);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.requestTimeoutMs());
            while (!toBroker.write(type, commandBuffer, 0, command.length()))
            {
                if (System.nanoTime() > deadline)
                {
                    throw new BrokerUnavailableException("the broker's command ring on " + ctx.dir() +
                        " stayed full for " + ctx.requestTimeoutMs() + " ms");
                }
                Thread.yield();
            }
        }
    }

    /** The exception for a broker's error answer: a specific one where the client has it, else the code's name. */
    static ShmbusException toException(final int code, final String message)
    {
        switch (code)
        {
            case ControlProtocol.ERROR_INVALID_TOPIC:
                return new InvalidTopicNameException(message);
            case ControlProtocol.ERROR_POSITION_UNAVAILABLE:
                return new PositionUnavailableException(message);
            case ControlProtocol.ERROR_STORAGE:
                return new InsufficientStorageException(message);
            case ControlProtocol.ERROR_CONSUMER_NAME_IN_USE:
                return new ConsumerNameInUseException(message);
            case ControlProtocol.ERROR_TOPIC_MIRRORED:
                return new TopicMirroredException(message);
            default:
                return new BrokerErrorException(code, "broker error " + ControlProtocol.errorCodeName(code) + ": " +
                    message);
        }
    }
}
