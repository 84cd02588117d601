package io.shmbus.client;

import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.FlowControl;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A topic's log mapped into this process, and the factory for its producers and consumers. Opening creates the
 * log in the shared-memory directory on first use. Every process that opens the same topic shares the same ring.
 * <p>
 * Thread-safe for adding producers and consumers; {@link #close()} closes them all and unmaps the log, so call it
 * after the threads that use them have stopped.
 */
public final class Topic implements AutoCloseable
{
    private final Context ctx;
    private final TopicLog log;
    private final ConsumerSlots slots;
    private final FlowControl flowControl;
    private final EpochNanoClock clock;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private boolean closed;

    private Topic(final Context ctx, final TopicLog log)
    {
        this.ctx = ctx;
        this.log = log;
        this.slots = new ConsumerSlots(log);
        this.flowControl = new FlowControl(log, slots);
        this.clock = new OffsetEpochNanoClock(); // no broker to share a clock: read the system clock per frame
    }

    /**
     * Maps the topic's log, creating it when it does not exist.
     *
     * @throws ConfigurationException         for a bad name or setting.
     * @throws InsufficientStorageException   when the shared-memory filesystem is too small for the ring.
     * @throws LogVersionMismatchException    when the existing file is of another version.
     */
    public static Topic open(final Context ctx)
    {
        JvmRequirements.check();
        ctx.conclude();
        ShmDirectory.ensureDirectory(ctx.dir(), ctx.directoryPermissions());
        final TopicLog log = TopicLog.openOrCreate(ctx.dir(), ctx.topic(), ctx.capacity(), ctx.maxMessageLength(),
            ctx.initialPosition(), ctx.filePermissions(), ctx.openTimeoutMs());
        if (ctx.preTouch())
        {
            log.preTouch();
        }
        return new Topic(ctx, log);
    }

    /**
     * A topic over a log the caller mapped itself (with {@link TopicLog#open(Path, String, long,
     * TopicLog.LogBuffers)}, say, to read and write it through buffers of its own). The topic owns the log from
     * here on and closes it. The log keeps the settings it was created with; of {@code ctx} only the producers'
     * settings ({@link Context#checksums()}) apply.
     */
    public static Topic of(final TopicLog log, final Context ctx)
    {
        JvmRequirements.check();
        return new Topic(ctx, log);
    }

    /** A new producer with its own producer id. */
    public synchronized Producer addProducer()
    {
        checkOpen();
        final Producer producer = new Producer(log, flowControl, clock, ctx.checksums());
        resources.add(producer);
        return producer;
    }

    /**
     * The topic's only producer ({@link ExclusiveProducer}), recorded in the topic log so that no
     * {@link Producer} can be added while it lives. Without a broker nothing else checks it: every process that
     * publishes to this topic must go through this rule, and nothing clears what an exclusive producer that died
     * left past the tail; through a broker ({@link ShmBus#addExclusiveProducer}) both are taken care of.
     *
     * @throws ShmbusException when the topic already has an exclusive producer.
     */
    public synchronized ExclusiveProducer addExclusiveProducer()
    {
        checkOpen();
        final long pid = ProcessHandle.current().pid();
        if (!log.casExclusiveOwnerPid(0, pid))
        {
            throw new ShmbusException("topic '" + log.topic() + "' already has an exclusive producer (process " +
                log.exclusiveOwnerPidVolatile() + ")");
        }
        final ExclusiveProducer producer = new ExclusiveProducer(log, flowControl, clock, ctx.checksums(),
            () -> log.casExclusiveOwnerPid(pid, 0));
        resources.add(producer);
        return producer;
    }

    /**
     * A new consumer reading from the start position.
     *
     * @throws PositionUnavailableException when an exact start position is not available.
     */
    public synchronized Consumer addConsumer(final StartPosition start)
    {
        checkOpen();
        final Consumer consumer = new Consumer(log, slots, start);
        resources.add(consumer);
        return consumer;
    }

    public String name()
    {
        return log.topic();
    }

    public int capacity()
    {
        return log.capacity();
    }

    public int maxMessageLength()
    {
        return log.maxMessageLength();
    }

    public long tailPosition()
    {
        return log.tailVolatile();
    }

    public long producerLimit()
    {
        return log.producerLimitVolatile();
    }

    /** The oldest position whose frame is still in the ring. */
    public long earliestPosition()
    {
        return log.earliestPosition();
    }

    /** Number of consumers of the topic in every process. */
    public int consumerCount()
    {
        return slots.activeCount();
    }

    public Path file()
    {
        return log.file();
    }

    /** The mapped log, for tools and the broker. */
    public TopicLog log()
    {
        return log;
    }

    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            for (final AutoCloseable resource : resources)
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ignore)
                {
                    // closing producers and consumers does not fail
                }
            }
            log.close();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new ShmbusException("topic '" + log.topic() + "' is closed");
        }
    }

    /**
     * Settings for opening a topic. Each has a default, overridable by a system property; setters are fluent.
     */
    public static final class Context
    {
        public static final String CAPACITY_PROP_NAME = "shmbus.topic.capacity";
        public static final int CAPACITY_DEFAULT = 4 * 1024 * 1024;
        public static final String MAX_MESSAGE_LENGTH_PROP_NAME = "shmbus.topic.max.message.length";
        public static final String PRE_TOUCH_PROP_NAME = "shmbus.pre.touch";
        public static final String CHECKSUMS_PROP_NAME = "shmbus.checksums";
        public static final String FILE_PERMISSIONS_PROP_NAME = "shmbus.file.permissions";
        public static final String OPEN_TIMEOUT_PROP_NAME = "shmbus.open.timeout.ms";


        private Path dir;
        private String topic;
        private long capacity = Sizes.parse(CAPACITY_PROP_NAME,
            System.getProperty(CAPACITY_PROP_NAME, Integer.toString(CAPACITY_DEFAULT)));
        private int maxMessageLength = Integer.getInteger(MAX_MESSAGE_LENGTH_PROP_NAME, 0);
        private boolean preTouch = Boolean.getBoolean(PRE_TOUCH_PROP_NAME);
        private boolean checksums = Boolean.getBoolean(CHECKSUMS_PROP_NAME);

        private String filePermissions = System.getProperty(FILE_PERMISSIONS_PROP_NAME, "rw-------");
        private long openTimeoutMs = Long.getLong(OPEN_TIMEOUT_PROP_NAME, 5_000);
        private long initialPosition;
        private Set<PosixFilePermission> filePermissionSet;
        private Set<PosixFilePermission> directoryPermissionSet;

        /** Validates and fills in derived values. Called by {@link Topic#open(Context)}. */
        public Context conclude()
        {
            if (null == dir)
            {
                dir = ShmDirectory.defaultDirectory();
            }
            TopicNames.validate(topic);
            LogDescriptor.checkCapacity(capacity);
            if (0 == maxMessageLength)
            {
                maxMessageLength = LogDescriptor.defaultMaxMessageLength((int)capacity);
            }
            LogDescriptor.checkMaxMessageLength(maxMessageLength, (int)capacity);
            if (openTimeoutMs <= 0)
            {
                throw new ConfigurationException("open timeout must be > 0 ms: " + openTimeoutMs);
            }
            filePermissionSet = ShmDirectory.parseFilePermissions(filePermissions);
            directoryPermissionSet = ShmDirectory.directoryPermissionsFor(filePermissions);
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

        public Context topic(final String topic)
        {
            this.topic = topic;
            return this;
        }

        public String topic()
        {
            return topic;
        }

        /** Ring bytes, a power of two; used when the topic is created. */
        public Context capacity(final long capacity)
        {
            this.capacity = capacity;
            return this;
        }

        public int capacity()
        {
            return (int)capacity;
        }

        /** Largest payload, 0 for the default (capacity/8 - 32, at most 16 MiB); used when created. */
        public Context maxMessageLength(final int maxMessageLength)
        {
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        public int maxMessageLength()
        {
            return maxMessageLength;
        }

        /** Touch every page of the ring at open, so the first laps take no page faults. */
        public Context preTouch(final boolean preTouch)
        {
            this.preTouch = preTouch;
            return this;
        }

        public boolean preTouch()
        {
            return preTouch;
        }

        /** Producers write a CRC32C of each payload into its frame. */
        public Context checksums(final boolean checksums)
        {
            this.checksums = checksums;
            return this;
        }

        public boolean checksums()
        {
            return checksums;
        }

        /** Permissions of created files, as {@code rw-------}; directories get the matching x bits. */
        public Context filePermissions(final String filePermissions)
        {
            this.filePermissions = filePermissions;
            return this;
        }

        public Set<PosixFilePermission> filePermissions()
        {
            return filePermissionSet;
        }

        public Set<PosixFilePermission> directoryPermissions()
        {
            return directoryPermissionSet;
        }

        /** How long to wait for another process to finish creating the log. */
        public Context openTimeoutMs(final long openTimeoutMs)
        {
            this.openTimeoutMs = openTimeoutMs;
            return this;
        }

        public long openTimeoutMs()
        {
            return openTimeoutMs;
        }

        /** Stream position of the first frame when the log is created (a multiple of 32). */
        public Context initialPosition(final long initialPosition)
        {
            this.initialPosition = initialPosition;
            return this;
        }

        public long initialPosition()
        {
            return initialPosition;
        }
    }
}
