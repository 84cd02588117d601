package io.shmbus.client;

import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.ControlProtocol;
import io.shmbus.client.cnc.ResponseFlyweight;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    private final ClientConductor conductor;
    private final BrokerProxy brokerProxy;
    private final long clientId;
    private final EpochNanoClock exactClock;
    /** Guarded by this object's lock, as are the registrations. */
    private final MappedTopics topics;
    private final Map<Long, AutoCloseable> registrations = new HashMap<>();
    private volatile String unavailableReason;
    private boolean closed;

    private ShmBus(final Context ctx, final CncFile cnc)
    {
        this.ctx = ctx;
        this.cnc = cnc;
        final ManyToOneRingBuffer toBroker = new ManyToOneRingBuffer(cnc.toBroker());
        this.clientId = toBroker.nextCorrelationId();
        this.exactClock = ctx.exactTimestamps() ? new OffsetEpochNanoClock() : null;
        this.conductor = new ClientConductor(this, cnc, ctx);
        this.brokerProxy = new BrokerProxy(toBroker, conductor, clientId, ProcessHandle.current().pid(), ctx);
        this.topics = new MappedTopics(ctx);
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
        bus.brokerProxy.send(ControlProtocol.CLIENT_KEEPALIVE, 0, null, 0, 0, 0);
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
            final MappedTopics.MappedTopic mapped = topics.map(topic);
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
            final MappedTopics.MappedTopic mapped = topics.map(topic);
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
        return addConsumer(topic, null, start);
    }

    /**
     * Registers a durable named consumer: the broker keeps its position under {@code name}, so a process that adds
     * it again resumes right after the last message it acknowledged with {@link Consumer#commit()}, from the ring or
     * from the archive. {@code start} applies only the first time the broker sees the name on this topic (or after
     * {@code shmbus consumer reset}). One process at a time holds a name.
     *
     * @throws ConsumerNameInUseException  when another live process holds the name (the message names its pid).
     * @throws PositionUnavailableException when the stored position is no longer in the ring or the archive.
     */
    public Consumer addNamedConsumer(final String topic, final String name, final StartPosition start)
    {
        return addConsumer(topic, ConsumerNames.validate(name), start);
    }

    private Consumer addConsumer(final String topic, final String name, final StartPosition start)
    {
        TopicNames.validate(topic);
        final int startType = start.isEarliest() ? ControlProtocol.START_EARLIEST :
            start.isLatest() ? ControlProtocol.START_LATEST :
            start.isTime() ? ControlProtocol.START_TIME : ControlProtocol.START_POSITION;
        final long position = start.isEarliest() || start.isLatest() ? 0 :
            start.isTime() ? start.epochNs() : start.position();
        checkAvailable();
        final ClientConductor.Response response = null == name ?
            brokerProxy.request(ControlProtocol.ADD_CONSUMER, topic, 0, startType, position) :
            brokerProxy.request(ControlProtocol.ADD_NAMED_CONSUMER, topic, name, 0, startType, position);
        synchronized (this)
        {
            final MappedTopics.MappedTopic mapped = topics.map(topic);
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
                brokerProxy.send(ControlProtocol.REMOVE_CONSUMER, 0, null, registrationId, 0, 0);
                throw ex;
            }
            final Consumer consumer = new Consumer(mapped.log, mapped.slots, response.slot, response.position,
                () -> release(registrationId, ControlProtocol.REMOVE_CONSUMER), ctx.errorHandler(), replay,
                archiveDirectory, fallback, name);
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

    /**
     * The broker's durable named consumers of a topic, or of every open topic when {@code topic} is null: one
     * {@code topic=T name=N position=P tail=T lag=L holder=PID} line each (holder 0 when no process holds it).
     *
     * @throws BrokerErrorException with {@link ControlProtocol#ERROR_UNKNOWN_TOPIC} when the broker has no such topic.
     */
    public String namedConsumers(final String topic)
    {
        if (null != topic)
        {
            TopicNames.validate(topic);
        }
        return request(ControlProtocol.NAMED_CONSUMERS, topic, 0, 0, 0).message;
    }

    /**
     * Moves the stored position of a named consumer that no process holds.
     *
     * @return the position it now resumes at.
     * @throws ConsumerNameInUseException  while a live process holds the name (the message names its pid).
     * @throws PositionUnavailableException when an exact position is outside what the topic holds.
     * @throws BrokerErrorException        with {@link ControlProtocol#ERROR_UNKNOWN_REGISTRATION} for an unknown name,
     *                                     {@link ControlProtocol#ERROR_UNKNOWN_TOPIC} for an unknown topic.
     */
    public long resetNamedConsumer(final String topic, final String name, final StartPosition to)
    {
        TopicNames.validate(topic);
        ConsumerNames.validate(name);
        checkAvailable();
        final int startType = to.isEarliest() ? ControlProtocol.START_EARLIEST :
            to.isLatest() ? ControlProtocol.START_LATEST :
            to.isTime() ? ControlProtocol.START_TIME : ControlProtocol.START_POSITION;
        final long value = to.isEarliest() || to.isLatest() ? 0 : to.isTime() ? to.epochNs() : to.position();
        final String answer = brokerProxy.request(ControlProtocol.RESET_NAMED_CONSUMER, topic, name, 0, startType,
            value).message;
        return Long.parseLong(answer.trim().substring("position=".length()));
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
                // the broker frees this client's slots
                brokerProxy.send(ControlProtocol.CLIENT_CLOSE, 0, null, 0, 0, 0);
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
            topics.closeAll();
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
        brokerProxy.send(ControlProtocol.CLIENT_KEEPALIVE, 0, null, 0, 0, 0);
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
                brokerProxy.send(removeType, 0, null, registrationId, 0, 0);
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

    private ClientConductor.Response request(
        final int type, final String topic, final long registrationId, final int startType, final long position)
    {
        checkAvailable();
        return brokerProxy.request(type, topic, registrationId, startType, position);
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
