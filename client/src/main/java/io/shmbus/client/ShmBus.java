package io.shmbus.client;

import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;
import io.shmbus.client.log.BrokerEpochClock;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.TopicLog;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A connection to the broker of a shared-memory directory: registers producers and consumers with it, sends
 * keepalives, and watches the broker's heartbeat. Data never passes through the broker: producers and consumers
 * work directly on the topic logs in shared memory.
 * <p>
 * Thread-safe. One background thread per connection (the client conductor) handles responses and liveness.
 */
public final class ShmBus implements AutoCloseable
{
    private final Context ctx;
    private final CncFile cnc;
    private final ManyToOneRingBuffer toBroker;
    private final ClientConductor conductor;
    private final long clientId;
    private final long pid = ProcessHandle.current().pid();
    private final EpochNanoClock exactClock;
    private final Map<String, MappedTopic> topics = new HashMap<>();
    /** Logs of topics deleted since this client mapped them: unmapped only at close, as old objects may hold them. */
    private final List<TopicLog> retired = new ArrayList<>();
    private final Map<Long, AutoCloseable> registrations = new HashMap<>();
    private final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
    private final CommandFlyweight command = new CommandFlyweight();
    private volatile String unavailableReason;
    private boolean closed;

    private ShmBus(final Context ctx, final CncFile cnc)
    {
        this.ctx = ctx;
        this.cnc = cnc;
        this.toBroker = new ManyToOneRingBuffer(cnc.toBroker());
        this.clientId = toBroker.nextCorrelationId();
        this.exactClock = ctx.exactTimestamps() ? new OffsetEpochNanoClock() : null;
        this.conductor = new ClientConductor(this, cnc, ctx);
    }

    /**
     * Connects to the broker of {@link Context#dir()}.
     *
     * @throws BrokerUnavailableException when no live broker owns the directory.
     */
    public static ShmBus connect(final Context ctx)
    {
        JvmRequirements.check();
        ctx.conclude();
        final Path file = CncFile.fileIn(ctx.dir());
        final CncFile cnc;
        try
        {
            cnc = CncFile.map(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new BrokerUnavailableException("no broker is running on " + ctx.dir() + " (no " + file +
                "); start one with: scripts/shmbus broker --dir " + ctx.dir());
        }
        catch (final IOException ex)
        {
            throw new BrokerUnavailableException("cannot open " + file + ": " + ex.getMessage());
        }
        catch (final LogVersionMismatchException ex)
        {
            throw ex;
        }
        catch (final ShmbusException ex)
        {
            throw new BrokerUnavailableException(ex.getMessage() + "; start one with: scripts/shmbus broker --dir " +
                ctx.dir());
        }
        final String problem = ClientConductor.brokerProblem(cnc, ctx.brokerTimeoutMs());
        if (null != problem)
        {
            cnc.close();
            throw new BrokerUnavailableException(problem + "; start one with: scripts/shmbus broker --dir " +
                ctx.dir());
        }
        final ShmBus bus = new ShmBus(ctx, cnc);
        bus.conductor.start();
        bus.send(ControlProtocol.CLIENT_KEEPALIVE, 0, null, 0, 0, 0);
        return bus;
    }

    /**
     * Registers the only producer of a topic: it claims space with no atomic instruction (see
     * {@link ExclusiveProducer}). The broker refuses it while the topic has another producer, and refuses other
     * producers while it lives.
     *
     * @throws BrokerErrorException with the code {@link ControlProtocol#ERROR_PRODUCER_CONFLICT} when the topic has
     *                              another producer; as {@link #addProducer(String)} otherwise.
     */
    public ExclusiveProducer addExclusiveProducer(final String topic)
    {
        TopicNames.validate(topic);
        final ClientConductor.Response response = request(ControlProtocol.ADD_EXCLUSIVE_PRODUCER, topic, 0, 0, 0);
        synchronized (this)
        {
            final MappedTopic mapped = mapTopic(topic);
            final long registrationId = response.registrationId;
            final EpochNanoClock clock = null != exactClock ? exactClock : mapped.brokerClock;
            final ExclusiveProducer producer = new ExclusiveProducer(mapped.log, mapped.flowControl, clock,
                ctx.checksums(), () -> release(registrationId, ControlProtocol.REMOVE_PRODUCER));
            registrations.put(registrationId, producer);
            return producer;
        }
    }

    /**
     * Registers a producer on a topic, which the broker creates on first use.
     *
     * @throws BrokerUnavailableException, InvalidTopicNameException, InsufficientStorageException or
     *                                     BrokerErrorException with the broker's reason.
     */
    public Producer addProducer(final String topic)
    {
        TopicNames.validate(topic);
        final ClientConductor.Response response = request(ControlProtocol.ADD_PRODUCER, topic, 0, 0, 0);
        synchronized (this)
        {
            final MappedTopic mapped = mapTopic(topic);
            final long registrationId = response.registrationId;
            final EpochNanoClock clock = null != exactClock ? exactClock : mapped.brokerClock;
            final Producer producer = new Producer(mapped.log, mapped.flowControl, clock, ctx.checksums(),
                () -> release(registrationId, ControlProtocol.REMOVE_PRODUCER));
            registrations.put(registrationId, producer);
            return producer;
        }
    }

    /**
     * Registers a consumer on a topic, starting at {@code start}.
     *
     * @throws PositionUnavailableException when an exact start position is not available.
     */
    public Consumer addConsumer(final String topic, final StartPosition start)
    {
        TopicNames.validate(topic);
        final int startType = start.isEarliest() ? ControlProtocol.START_EARLIEST :
            start.isLatest() ? ControlProtocol.START_LATEST :
            start.isTime() ? ControlProtocol.START_TIME : ControlProtocol.START_POSITION;
        final long position = start.isEarliest() || start.isLatest() ? 0 :
            start.isTime() ? start.epochNs() : start.position();
        final ClientConductor.Response response = request(ControlProtocol.ADD_CONSUMER, topic, 0, startType,
            position);
        synchronized (this)
        {
            final MappedTopic mapped = mapTopic(topic);
            final long registrationId = response.registrationId;
            final boolean fallback = 0 != (response.flags & ResponseFlyweight.FLAG_ARCHIVE_FALLBACK);
            final Path archiveDirectory = null == response.message || response.message.isEmpty() ? null :
                java.nio.file.Paths.get(response.message);
            final ArchiveReplay replay;
            try
            {
                // with the fallback policy the broker registers a replaying consumer detached: its replay follows
                // the archive and rejoins the ring when it catches up, so it never holds producers
                replay = response.replayPosition < 0 ? null : fallback ?
                    new ArchiveReplay(archiveDirectory, response.replayPosition, mapped.log) :
                    new ArchiveReplay(archiveDirectory, response.replayPosition, response.position);
            }
            catch (final RuntimeException ex)
            {
                send(ControlProtocol.REMOVE_CONSUMER, 0, null, registrationId, 0, 0);
                throw ex;
            }
            final Consumer consumer = new Consumer(mapped.log, mapped.slots, response.slot, response.position,
                () -> release(registrationId, ControlProtocol.REMOVE_CONSUMER), ctx.errorHandler(), replay,
                archiveDirectory, fallback);
            registrations.put(registrationId, consumer);
            return consumer;
        }
    }

    /**
     * The broker's report on a topic, for operators ({@code shmbus topic info}): {@code key=value} lines with its
     * settings, files and sizes, positions, producers, local consumers and network subscribers, as listed in
     * docs/protocol.md ("Topic administration"). A snapshot taken in one duty cycle of the broker.
     *
     * @throws BrokerErrorException with {@link ControlProtocol#ERROR_UNKNOWN_TOPIC} when the broker has no such
     *                              topic, or {@link ControlProtocol#ERROR_UNKNOWN_COMMAND} from a broker of an
     *                              earlier release.
     */
    public String topicInfo(final String topic)
    {
        TopicNames.validate(topic);
        return request(ControlProtocol.TOPIC_INFO, topic, 0, 0, 0).message;
    }

    /**
     * Deletes a topic that no client uses: its ring file, its counters and, when {@code withArchive}, its segment
     * files and indexes. A client that attaches afterwards gets a new, empty topic.
     *
     * @return the broker's account of what it deleted.
     * @throws BrokerErrorException with {@link ControlProtocol#ERROR_TOPIC_IN_USE} (the message names the clients),
     *                              {@link ControlProtocol#ERROR_CONFIRMATION_REQUIRED} (the topic has segment files
     *                              and {@code withArchive} is false) or {@link ControlProtocol#ERROR_UNKNOWN_TOPIC}.
     */
    public String deleteTopic(final String topic, final boolean withArchive)
    {
        TopicNames.validate(topic);
        return request(ControlProtocol.DELETE_TOPIC, topic, 0, withArchive ? ControlProtocol.DELETE_ARCHIVE : 0, 0)
            .message;
    }

    /** This connection's id, unique among the broker's clients. */
    public long clientId()
    {
        return clientId;
    }

    public Path dir()
    {
        return ctx.dir();
    }

    /** True once the broker was lost or this client closed. */
    public boolean isClosed()
    {
        return closed || null != unavailableReason;
    }

    public void close()
    {
        final List<AutoCloseable> toClose;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(registrations.values());
            registrations.clear();
        }
        closeAll(toClose);
        if (null == unavailableReason)
        {
            try
            {
                send(ControlProtocol.CLIENT_CLOSE, 0, null, 0, 0, 0); // the broker frees this client's slots
            }
            catch (final BrokerUnavailableException ex)
            {
                releaseSlots(toClose);
            }
        }
        else
        {
            releaseSlots(toClose);
        }
        conductor.stop();
        synchronized (this)
        {
            topics.values().forEach(t -> t.log.close());
            topics.clear();
            retired.forEach(TopicLog::close);
            retired.clear();
        }
        cnc.close();
    }

    void onBrokerUnavailable(final String reason)
    {
        if (null != unavailableReason)
        {
            return;
        }
        unavailableReason = reason;
        // Producers close at once (offer returns CLOSED). Consumers stay as they are: this thread must not touch
        // them while the application polls, and they can still drain what is in the ring; their slots are freed
        // when the application closes them or this client.
        final List<AutoCloseable> producers = new ArrayList<>();
        synchronized (this)
        {
            for (final AutoCloseable registration : registrations.values())
            {
                if (registration instanceof Producer)
                {
                    producers.add(registration);
                }
            }
        }
        closeAll(producers);
        ctx.errorHandler().onError(new BrokerUnavailableException(reason));
    }

    void sendKeepalive()
    {
        send(ControlProtocol.CLIENT_KEEPALIVE, 0, null, 0, 0, 0);
    }

    private static void releaseSlots(final List<AutoCloseable> resources)
    {
        for (final AutoCloseable resource : resources)
        {
            if (resource instanceof Consumer)
            {
                ((Consumer)resource).releaseSlot();
            }
        }
    }

    private static void closeAll(final List<AutoCloseable> resources)
    {
        for (final AutoCloseable resource : resources)
        {
            try
            {
                resource.close();
            }
            catch (final Exception ignore)
            {
                // producers and consumers close without failing
            }
        }
    }

    private void release(final long registrationId, final int removeType)
    {
        final AutoCloseable registration;
        final boolean brokerAvailable;
        synchronized (this)
        {
            registration = registrations.remove(registrationId);
            brokerAvailable = null == unavailableReason && !closed;
        }
        if (brokerAvailable && null != registration)
        {
            try
            {
                send(removeType, 0, null, registrationId, 0, 0);
                return;
            }
            catch (final BrokerUnavailableException ex)
            {
                // fall through: nobody else will free the slot
            }
        }
        if (registration instanceof Consumer)
        {
            ((Consumer)registration).releaseSlot();
        }
    }

    /**
     * The topic's log, mapped once per client. Called after the broker registered the request, so the file at the
     * topic's path is the broker's current one; a mapping made before the topic was deleted (and created again) is
     * of another file, and is replaced.
     */
    private MappedTopic mapTopic(final String topic)
    {
        final Path file = TopicLog.fileOf(ctx.dir(), topic);
        MappedTopic mapped = topics.get(topic);
        if (null != mapped && !mapped.fileKey.equals(fileKey(file)))
        {
            topics.remove(topic);
            retired.add(mapped.log);
            mapped = null;
        }
        if (null == mapped)
        {
            final TopicLog log = TopicLog.open(file, topic, ctx.requestTimeoutMs());
            if (ctx.preTouch())
            {
                log.preTouch();
            }
            mapped = new MappedTopic(log, fileKey(file));
            topics.put(topic, mapped);
        }
        return mapped;
    }

    /** The file's identity (device and inode), or a fresh object that equals nothing when it is gone. */
    private static Object fileKey(final Path file)
    {
        try
        {
            final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return null != key ? key : new Object();
        }
        catch (final IOException ex)
        {
            return new Object();
        }
    }

    private ClientConductor.Response request(
        final int type, final String topic, final long registrationId, final int startType, final long position)
    {
        checkAvailable();
        final long correlationId = toBroker.nextCorrelationId();
        final CompletableFuture<ClientConductor.Response> future = conductor.expect(correlationId);
        try
        {
            send(type, correlationId, topic, registrationId, startType, position);
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

    private void checkAvailable()
    {
        if (closed)
        {
            throw new ShmbusException("this shmbus client is closed");
        }
        final String reason = unavailableReason;
        if (null != reason)
        {
            throw new BrokerUnavailableException(reason);
        }
    }

    private void send(
        final int type, final long correlationId, final String topic, final long registrationId,
        final int startType, final long position)
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
            default:
                return new BrokerErrorException(code, "broker error " + ControlProtocol.errorCodeName(code) + ": " +
                    message);
        }
    }

    private static final class MappedTopic
    {
        final TopicLog log;
        final ConsumerSlots slots;
        final FlowControl flowControl;
        final BrokerEpochClock brokerClock;
        final Object fileKey;

        MappedTopic(final TopicLog log, final Object fileKey)
        {
            this.log = log;
            this.fileKey = fileKey;
            this.brokerClock = new BrokerEpochClock(log);
            this.slots = new ConsumerSlots(log);
            this.flowControl = new FlowControl(log, slots);
        }
    }

    /**
     * Settings of a connection. Each has a default, overridable by a system property; setters are fluent.
     */
    public static final class Context
    {
        public static final String REQUEST_TIMEOUT_PROP_NAME = "shmbus.client.request.timeout.ms";
        public static final String BROKER_TIMEOUT_PROP_NAME = "shmbus.client.broker.timeout.ms";
        public static final String KEEPALIVE_INTERVAL_PROP_NAME = "shmbus.client.keepalive.interval.ms";
        public static final String EXACT_TIMESTAMPS_PROP_NAME = "shmbus.exact.timestamps";

        private Path dir;
        private long requestTimeoutMs = Long.getLong(REQUEST_TIMEOUT_PROP_NAME, 5_000);
        private long brokerTimeoutMs = Long.getLong(BROKER_TIMEOUT_PROP_NAME, 10_000);
        private long keepaliveIntervalMs = Long.getLong(KEEPALIVE_INTERVAL_PROP_NAME, 500);
        private boolean preTouch = Boolean.getBoolean(Topic.Context.PRE_TOUCH_PROP_NAME);
        private boolean checksums = Boolean.getBoolean(Topic.Context.CHECKSUMS_PROP_NAME);
        private boolean exactTimestamps = Boolean.getBoolean(EXACT_TIMESTAMPS_PROP_NAME);
        private ErrorHandler errorHandler = t -> System.err.println("shmbus: " + t.getMessage());

        public Context conclude()
        {
            if (null == dir)
            {
                dir = ShmDirectory.defaultDirectory();
            }
            if (requestTimeoutMs <= 0 || brokerTimeoutMs <= 0 || keepaliveIntervalMs <= 0)
            {
                throw new ConfigurationException("client timeouts must be > 0 ms");
            }
            if (!Files.isDirectory(dir))
            {
                throw new BrokerUnavailableException("no broker is running on " + dir +
                    " (the directory does not exist); start one with: scripts/shmbus broker --dir " + dir);
            }
            return this;
        }

        public Context dir(final Path dir)
        {
            this.dir = dir;
            return this;
        }

        public Path dir()
        {
            return dir;
        }

        /** How long to wait for the broker to answer a request. */
        public Context requestTimeoutMs(final long requestTimeoutMs)
        {
            this.requestTimeoutMs = requestTimeoutMs;
            return this;
        }

        public long requestTimeoutMs()
        {
            return requestTimeoutMs;
        }

        /**
         * How long the broker's heartbeat may be silent before the client gives up on it. Longer tolerates a
         * broker's GC pause or SIGSTOP; shorter finds a dead broker sooner (its exit is noticed at once anyway).
         */
        public Context brokerTimeoutMs(final long brokerTimeoutMs)
        {
            this.brokerTimeoutMs = brokerTimeoutMs;
            return this;
        }

        public long brokerTimeoutMs()
        {
            return brokerTimeoutMs;
        }

        /** How often to tell the broker this client is alive; keep it well below the broker's client timeout. */
        public Context keepaliveIntervalMs(final long keepaliveIntervalMs)
        {
            this.keepaliveIntervalMs = keepaliveIntervalMs;
            return this;
        }

        public long keepaliveIntervalMs()
        {
            return keepaliveIntervalMs;
        }

        public Context preTouch(final boolean preTouch)
        {
            this.preTouch = preTouch;
            return this;
        }

        public boolean preTouch()
        {
            return preTouch;
        }

        public Context checksums(final boolean checksums)
        {
            this.checksums = checksums;
            return this;
        }

        public boolean checksums()
        {
            return checksums;
        }

        /**
         * Stamp each frame by reading the system clock (20-30 ns a message) instead of the broker's clock in the
         * topic log (about a millisecond of resolution, free to read).
         */
        public Context exactTimestamps(final boolean exactTimestamps)
        {
            this.exactTimestamps = exactTimestamps;
            return this;
        }

        public boolean exactTimestamps()
        {
            return exactTimestamps;
        }

        /** Receives asynchronous errors, such as the loss of the broker. Called on the conductor thread. */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }
    }
}
