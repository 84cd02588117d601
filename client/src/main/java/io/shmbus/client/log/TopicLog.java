package io.shmbus.client.log;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.TopicNames;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static io.shmbus.client.log.LogDescriptor.*;

/**
 * One topic log file mapped into this process: the metadata page and the ring, with the ordered accessors the
 * producers, consumers and flow control use. Creation is atomic across processes: the file is fully initialised
 * under a temporary name, its version written last, then hard-linked to its final name.
 * <p>
 * Thread-safe for the accessors; {@link #close()} must be called once, after every user has stopped.
 */
public final class TopicLog implements AutoCloseable
{
    public static final String FILE_SUFFIX = ".log";
    /** A log being created is written as {@code .<topic>.<pid>.<nanos>.tmp}, then linked to its final name. */
    public static final String TEMPORARY_SUFFIX = ".tmp";

    private final Path file;
    private final String topic;
    private final ByteBuffer mapped;
    private final UnsafeBuffer metaData;
    private final UnsafeBuffer ring;
    private final int capacity;
    private final int mask;
    private final int maxMessageLength;
    private boolean closed;

    /**
     * Makes the buffers through which a {@link TopicLog} reads and writes its mapping. The default wraps the
     * mapping directly; fault-injection tests pass one that stops the process right after a chosen store.
     */
    @FunctionalInterface
    public interface LogBuffers
    {
        LogBuffers DIRECT = UnsafeBuffer::new;

        UnsafeBuffer wrap(ByteBuffer mapping, int offset, int length);
    }

    /**
     * @param file the mapped file, or null for a log in memory ({@link #inMemory}), which {@link #close()} leaves
     *             alone.
     */
    private TopicLog(final Path file, final String topic, final ByteBuffer mapped, final LogBuffers buffers)
    {
        this.file = file;
        this.topic = topic;
        this.mapped = mapped;
        this.metaData = buffers.wrap(mapped, 0, META_DATA_LENGTH);
        this.capacity = metaData.getInt(CAPACITY_OFFSET);
        this.ring = buffers.wrap(mapped, META_DATA_LENGTH, capacity);
        this.mask = capacity - 1;
        this.maxMessageLength = metaData.getInt(MAX_MESSAGE_LENGTH_OFFSET);
        metaData.verifyAlignment();
        ring.verifyAlignment();
    }

    /**
     * The process that was creating a log under this temporary file name, or -1 when the name is not one: a file
     * left by a process that died while creating a log can be deleted once that process is gone.
     */
    public static long temporaryFileOwner(final String fileName)
    {
        if (!fileName.startsWith(".") || !fileName.endsWith(TEMPORARY_SUFFIX))
        {
            return -1;
        }
        final String stem = fileName.substring(1, fileName.length() - TEMPORARY_SUFFIX.length());
        final int nanosDot = stem.lastIndexOf('.');
        final int pidDot = nanosDot > 0 ? stem.lastIndexOf('.', nanosDot - 1) : -1;
        if (pidDot <= 0)
        {
            return -1;
        }
        try
        {
            Long.parseLong(stem.substring(nanosDot + 1));
            final long pid = Long.parseLong(stem.substring(pidDot + 1, nanosDot));
            return pid > 0 ? pid : -1;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** The file of a topic in a directory. */
    public static Path fileOf(final Path dir, final String topic)
    {
        return dir.resolve(topic + FILE_SUFFIX);
    }

    /**
     * Maps the topic's log, creating it with the given settings when it does not exist. An existing log keeps
     * the settings it was created with.
     */
    public static TopicLog openOrCreate(
        final Path dir,
        final String topic,
        final int capacity,
        final int maxMessageLength,
        final long initialPosition,
        final Set<PosixFilePermission> filePermissions,
        final long openTimeoutMs)
    {
        TopicNames.validate(topic);
        checkCapacity(capacity);
        checkMaxMessageLength(maxMessageLength, capacity);
        if (initialPosition < 0 || (initialPosition & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            throw new ConfigurationException("initial position must be a non-negative multiple of " +
                FrameDescriptor.FRAME_ALIGNMENT + ": " + initialPosition);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new ShmbusException("shmbus needs a little-endian CPU");
        }

        final Path file = fileOf(dir, topic);
        if (!Files.exists(file))
        {
            final TopicLog created = tryCreate(dir, file, topic, capacity, maxMessageLength, initialPosition,
                filePermissions);
            if (null != created)
            {
                return created;
            }
        }
        return open(file, topic, openTimeoutMs);
    }

    /**
     * Maps an existing log, waiting up to the timeout for a creator to finish it.
     */
    public static TopicLog open(final Path file, final String topic, final long openTimeoutMs)
    {
        return open(file, topic, openTimeoutMs, LogBuffers.DIRECT);
    }

    /**
     * As {@link #open(Path, String, long)}, reading and writing through buffers made by {@code buffers}.
     */
    public static TopicLog open(final Path file, final String topic, final long openTimeoutMs, final LogBuffers buffers)
    {
        final long deadlineNs = System.nanoTime() + openTimeoutMs * 1_000_000L;
        while (true)
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final long size = channel.size();
                if (size >= META_DATA_LENGTH)
                {
                    final MappedByteBuffer meta = channel.map(FileChannel.MapMode.READ_ONLY, 0, META_DATA_LENGTH);
                    final UnsafeBuffer metaView = new UnsafeBuffer(meta);
                    final int version = metaView.getIntVolatile(VERSION_OFFSET);
                    if (0 != version)
                    {
                        checkVersion(metaView, file.toString());
                        final int capacity = metaView.getInt(CAPACITY_OFFSET);
                        IoUtil.unmap(meta);
                        if (size != fileLength(capacity))
                        {
                            throw new ShmbusException(file + " is " + size + " bytes but its header says " +
                                fileLength(capacity) + "; the file is damaged: delete it");
                        }
                        final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
                        return new TopicLog(file, topic, mapped, buffers);
                    }
                    IoUtil.unmap(meta);
                }
            }
            catch (final NoSuchFileException ex)
            {
                // removed meanwhile: fall through to the deadline check
            }
            catch (final IOException ex)
            {
                throw new ShmbusException("cannot open topic log " + file + ": " + ex.getMessage(), ex);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new ShmbusException("topic log " + file + " did not become ready within " + openTimeoutMs +
                    " ms: it is being created by a process that stopped, or is not a complete log; delete it");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static TopicLog tryCreate(
        final Path dir,
        final Path file,
        final String topic,
        final int capacity,
        final int maxMessageLength,
        final long initialPosition,
        final Set<PosixFilePermission> filePermissions)
    {
        final Path tmp = dir.resolve("." + topic + "." + ProcessHandle.current().pid() + "." + System.nanoTime() +
            TEMPORARY_SUFFIX);
        final long length = fileLength(capacity);
        MappedByteBuffer mapped = null;
        try
        {
            ShmDirectory.createPreallocated(tmp, length, filePermissions);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            }
            initialise(new UnsafeBuffer(mapped, 0, META_DATA_LENGTH), topic, capacity, maxMessageLength,
                initialPosition);
            mapped.force();
            try
            {
                Files.createLink(file, tmp);
            }
            catch (final FileAlreadyExistsException ex)
            {
                IoUtil.unmap(mapped);
                return null; // another process created it first: use theirs
            }
            return new TopicLog(file, topic, mapped, LogBuffers.DIRECT);
        }
        catch (final IOException ex)
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            throw new ShmbusException("cannot create topic log " + file + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            throw ex;
        }
        finally
        {
            ShmDirectory.deleteQuietly(tmp);
        }
    }

    /**
     * Zeroes {@code memory} and formats an empty log in it, as creating the file would: for tests that model
     * several processes sharing one log ({@link #inMemory}) without the cost of mapping a file.
     *
     * @param memory a direct buffer of at least {@link LogDescriptor#fileLength(int)} bytes.
     */
    static void format(
        final ByteBuffer memory,
        final String topic,
        final int capacity,
        final int maxMessageLength,
        final long initialPosition)
    {
        checkCapacity(capacity);
        checkMaxMessageLength(maxMessageLength, capacity);
        final UnsafeBuffer all = new UnsafeBuffer(memory, 0, (int)fileLength(capacity));
        all.setMemory(0, all.capacity(), (byte)0);
        initialise(new UnsafeBuffer(memory, 0, META_DATA_LENGTH), topic, capacity, maxMessageLength,
            initialPosition);
    }

    /**
     * A view of a log {@link #format formatted} in {@code memory}, reading and writing through buffers made by
     * {@code buffers}. Each view stands for one process's mapping; {@link #close()} does not free the memory.
     */
    static TopicLog inMemory(final ByteBuffer memory, final String topic, final LogBuffers buffers)
    {
        return new TopicLog(null, topic, memory, buffers);
    }

    private static void initialise(
        final UnsafeBuffer meta,
        final String topic,
        final int capacity,
        final int maxMessageLength,
        final long initialPosition)
    {
        final byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        meta.putInt(MAGIC_OFFSET, MAGIC);
        meta.putInt(CAPACITY_OFFSET, capacity);
        meta.putInt(MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
        meta.putInt(CONSUMER_SLOT_COUNT_OFFSET, CONSUMER_SLOT_COUNT);
        meta.putInt(TOPIC_NAME_LENGTH_OFFSET, name.length);
        meta.putLong(CREATED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        meta.putLong(CREATOR_PID_OFFSET, ProcessHandle.current().pid());
        meta.putLong(INITIAL_POSITION_OFFSET, initialPosition);
        meta.putBytes(TOPIC_NAME_OFFSET, name);
        meta.putLong(TAIL_POSITION_OFFSET, initialPosition);
        meta.putLong(PRODUCER_LIMIT_OFFSET, initialPosition + capacity - CLEAN_GUARD_LENGTH);
        meta.putLong(CLEAN_POSITION_OFFSET, initialPosition + capacity);
        meta.putLong(CLEAN_CHECKED_POSITION_OFFSET, initialPosition + capacity);
        meta.putInt(NEXT_PRODUCER_ID_OFFSET, 1);
        meta.putIntRelease(VERSION_OFFSET, VERSION);
    }

    /** The mapped file; null for a log in memory. */
    public Path file()
    {
        return file;
    }

    public String topic()
    {
        return topic;
    }

    public int capacity()
    {
        return capacity;
    }

    public int mask()
    {
        return mask;
    }

    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public UnsafeBuffer ring()
    {
        return ring;
    }

    public UnsafeBuffer metaData()
    {
        return metaData;
    }

    public long initialPosition()
    {
        return metaData.getLong(INITIAL_POSITION_OFFSET);
    }

    public long tailVolatile()
    {
        return metaData.getLongVolatile(TAIL_POSITION_OFFSET);
    }

    public boolean casTail(final long expected, final long update)
    {
        return metaData.compareAndSetLong(TAIL_POSITION_OFFSET, expected, update);
    }

    /** Publishes the tail; only an exclusive producer, the one writer of the tail, stores it plainly. */
    public void tailRelease(final long tail)
    {
        metaData.putLongRelease(TAIL_POSITION_OFFSET, tail);
    }

    /** The process of the topic's exclusive producer, 0 when it has none. */
    public long exclusiveOwnerPidVolatile()
    {
        return metaData.getLongVolatile(EXCLUSIVE_OWNER_PID_OFFSET);
    }

    public boolean casExclusiveOwnerPid(final long expected, final long update)
    {
        return metaData.compareAndSetLong(EXCLUSIVE_OWNER_PID_OFFSET, expected, update);
    }

    /**
     * After the exclusive producer of a process that is gone: zeroes what it may have written past the tail before
     * publishing it (at most a padding frame and one frame), so the space is clean for the next producer, then
     * clears the exclusive owner. The caller must know the process is gone: a live one could still write there.
     *
     * @return the end of the range zeroed from the tail, or -1 when {@code deadPid} was not the owner.
     */
    public long releaseDeadExclusiveOwner(final long deadPid)
    {
        if (0 == deadPid || exclusiveOwnerPidVolatile() != deadPid)
        {
            return -1;
        }
        final long tail = tailVolatile();
        final long end = Math.min(producerLimitVolatile() + CLEAN_GUARD_LENGTH,
            tail + 2L * FrameDescriptor.alignedLength(maxMessageLength + FrameDescriptor.HEADER_LENGTH));
        zero(tail, end);
        return casExclusiveOwnerPid(deadPid, 0) ? end : -1;
    }

    public long producerLimitVolatile()
    {
        return metaData.getLongVolatile(PRODUCER_LIMIT_OFFSET);
    }

    public void producerLimitRelease(final long limit)
    {
        metaData.putLongRelease(PRODUCER_LIMIT_OFFSET, limit);
    }

    public long cleanPositionVolatile()
    {
        return metaData.getLongVolatile(CLEAN_POSITION_OFFSET);
    }

    public void cleanPositionRelease(final long position)
    {
        metaData.putLongRelease(CLEAN_POSITION_OFFSET, position);
    }

    /** The clean lock: the pid of the process cleaning, 0 when none. */
    public long cleanerPidVolatile()
    {
        return metaData.getLongVolatile(CLEANER_PID_OFFSET);
    }

    public boolean casCleanerPid(final long expected, final long update)
    {
        return metaData.compareAndSetLong(CLEANER_PID_OFFSET, expected, update);
    }

    public void cleanerPidRelease(final long pid)
    {
        metaData.putLongRelease(CLEANER_PID_OFFSET, pid);
    }

    /** The clean position whose consumer recheck is complete: the range below it may be zeroed. */
    public long cleanCheckedPositionVolatile()
    {
        return metaData.getLongVolatile(CLEAN_CHECKED_POSITION_OFFSET);
    }

    public void cleanCheckedPositionRelease(final long position)
    {
        metaData.putLongRelease(CLEAN_CHECKED_POSITION_OFFSET, position);
    }

    /** Publishes a clean position with a full fence, so the cleaner's following read of the slots sees joiners. */
    public void cleanPositionVolatile(final long position)
    {
        metaData.putLongVolatile(CLEAN_POSITION_OFFSET, position);
    }

    /** The oldest position whose frame is still intact in the ring. */
    public long earliestPosition()
    {
        return cleanPositionVolatile() - capacity;
    }

    /** The broker's clock as last published, epoch ns; 0 when no broker has served this log. */
    public long brokerEpochNsVolatile()
    {
        return metaData.getLongVolatile(BROKER_EPOCH_NS_OFFSET);
    }

    public void brokerEpochNsRelease(final long epochNs)
    {
        metaData.putLongRelease(BROKER_EPOCH_NS_OFFSET, epochNs);
    }

    /**
     * A new view of the ring's mapping, ring offset 0 at index 0, with its own position and limit: for copying
     * ranges of the ring to files with positional writes (the kernel reads the mapped pages directly).
     */
    public ByteBuffer newRingView()
    {
        return mapped.slice(META_DATA_LENGTH, capacity);
    }

    /** Persistent topics: every frame below this position is in the segment files. */
    public long archivedPositionVolatile()
    {
        return metaData.getLongVolatile(ARCHIVED_POSITION_OFFSET);
    }

    /** Published by the archiver after the bytes below {@code position} are written to the segment files. */
    public void archivedPositionRelease(final long position)
    {
        metaData.putLongRelease(ARCHIVED_POSITION_OFFSET, position);
    }

    public int nextProducerId()
    {
        return metaData.getAndAddInt(NEXT_PRODUCER_ID_OFFSET, 1);
    }

    public int slotStateVolatile(final int slot)
    {
        return metaData.getIntVolatile(slotOffset(slot) + SLOT_STATE_OFFSET);
    }

    public long slotPositionVolatile(final int slot)
    {
        return metaData.getLongVolatile(slotOffset(slot) + SLOT_POSITION_OFFSET);
    }

    public long slotOwnerPid(final int slot)
    {
        return metaData.getLongVolatile(slotOffset(slot) + SLOT_OWNER_PID_OFFSET);
    }

    /**
     * Walks committed frames from a frame boundary.
     *
     * @return the last frame boundary at or below {@code bound} reached from {@code from} over committed frames
     * (padding included): where a reader or the archiver can safely stop.
     */
    public long walkCommitted(final long from, final long bound)
    {
        long position = from;
        while (position < bound)
        {
            final int length = ring.getIntVolatile(((int)position & mask) + FrameDescriptor.FRAME_LENGTH_OFFSET);
            if (length <= 0)
            {
                break;
            }
            final long next = position + FrameDescriptor.alignedLength(length);
            if (next > bound)
            {
                break;
            }
            position = next;
        }
        return position;
    }

    /** Zeroes the ring bytes of positions {@code [from, to)}, which may wrap the end of the ring. */
    public void zero(final long from, final long to)
    {
        final int length = (int)(to - from);
        if (length <= 0)
        {
            return;
        }
        final int start = (int)from & mask;
        final int first = Math.min(length, capacity - start);
        ring.setMemory(start, first, (byte)0);
        if (first < length)
        {
            ring.setMemory(0, length - first, (byte)0);
        }
    }

    /**
     * Touches every page of the mapping so that later first writes do not take page faults. Safe on a live log:
     * each touch is an atomic add of zero.
     */
    public void preTouch()
    {
        final int pageSize = 4096;
        for (int i = 0; i < capacity; i += pageSize)
        {
            ring.getAndAddLong(i, 0);
        }
    }

    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Unmaps the file (a log {@link #inMemory in memory} is only marked closed). Call only once every producer and
     * consumer on this log has stopped.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != file)
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    public String toString()
    {
        return "TopicLog{" + file + ", capacity=" + capacity + '}';
    }
}
