package io.shmbus.client.log;

import io.shmbus.client.LogVersionMismatchException;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Layout of a topic log file in the shared-memory directory: a 4 KiB metadata page followed by the ring of frames.
 * <pre>
 *  offset  field                      notes
 *  0       int   version              written last: 0 means still being created
 *  4       int   magic                'SHMB'
 *  8       int   capacity             ring bytes, a power of two
 *  12      int   maxMessageLength     payload bytes
 *  16      int   consumerSlotCount
 *  20      int   topicNameLength
 *  24      long  createdEpochMs
 *  32      long  creatorPid
 *  40      long  initialPosition      stream position of the first frame ever written
 *  48      128   topic name (US-ASCII)
 *  ...
 *  256     long  tailPosition         claimed up to here; CAS by producers          (own 128-byte block)
 *  384     long  producerLimit        producers may claim below this                (own 128-byte block)
 *  512     long  cleanPosition        ring is zeroed below this, one lap ahead      (own 128-byte block)
 *  520     long  cleanerPid           the clean lock: pid of the process cleaning, 0 when none
 *  528     long  cleanCheckedPosition the clean position whose consumer recheck is done (zeroing may start)
 *  640     int   nextProducerId       fetch-and-add to name producers
 *  648     long  exclusiveOwnerPid    the process of the topic's exclusive producer, 0 when none
 *  768     long  brokerEpochNs        the broker's clock, refreshed about every millisecond (0: no broker)
 *  896     long  archivedPosition     persistent topics: segment files hold every frame below this (0: none)
 *  1024    consumer slots, CONSUMER_SLOT_COUNT x 64 bytes (see below)
 *  4096    ring: capacity bytes of frames ({@link FrameDescriptor})
 * </pre>
 * Consumer slot (64 bytes, one cache line each so consumers never share a line):
 * <pre>
 *  0  int  state            FREE, RESERVED (joining), ACTIVE, REVOKED (dropped by the broker),
 *                           DETACHING (asked to read the archive), DETACHED (reading the archive)
 *  4  int  flags            SLOT_FLAG_ARCHIVE_FALLBACK: the owner can continue from the archive when detached
 *  8  long position         next position this consumer reads; producers never overwrite it
 *  16 long ownerPid
 *  24 long heartbeatEpochMs the stamp of the last reservation or activation: about then, epoch ms, and always
 *                           above the slot's previous stamp, so it tells one holder of the slot from the next
 *  32 long committedPosition  a named consumer's acknowledged position: the owner's {@code commit()} stores it
 *                             with an ordered store, the broker reads and persists it; NO_COMMIT (-1) until the
 *                             first commit after activation
 *  40 .. 63 unused (zero)
 * </pre>
 * The committed position lives in bytes that earlier releases left zero, so the layout version is unchanged: a
 * client of an earlier release never registers a named consumer, and the broker reads the field only for slots of
 * named consumers, whose owner wrote {@code NO_COMMIT} there when it activated the slot.
 * Flow control invariant: {@code producerLimit + 8 == cleanPosition} whenever the clean lock is free, and every
 * ring byte of positions in {@code [tailPosition, producerLimit + 8)} is zero. A reader therefore never mistakes
 * bytes of an earlier lap for a frame: a frame becomes non-zero only when a producer claimed it in the current lap.
 * Only the holder of the clean lock ({@code cleanerPid}, taken by CAS from 0) writes {@code cleanPosition},
 * {@code cleanCheckedPosition} and {@code producerLimit}; a lock left by a dead process is taken over by the
 * broker, which finishes the cleaning step it left (see {@link FlowControl}).
 */
public final class LogDescriptor
{
    public static final int VERSION = 2;
    public static final int MAGIC = 0x424D4853; // "SHMB" little-endian

    public static final int VERSION_OFFSET = 0;
    public static final int MAGIC_OFFSET = VERSION_OFFSET + 4;
    public static final int CAPACITY_OFFSET = MAGIC_OFFSET + 4;
    public static final int MAX_MESSAGE_LENGTH_OFFSET = CAPACITY_OFFSET + 4;
    public static final int CONSUMER_SLOT_COUNT_OFFSET = MAX_MESSAGE_LENGTH_OFFSET + 4;
    public static final int TOPIC_NAME_LENGTH_OFFSET = CONSUMER_SLOT_COUNT_OFFSET + 4;
    public static final int CREATED_EPOCH_MS_OFFSET = TOPIC_NAME_LENGTH_OFFSET + 4;
    public static final int CREATOR_PID_OFFSET = CREATED_EPOCH_MS_OFFSET + 8;
    public static final int INITIAL_POSITION_OFFSET = CREATOR_PID_OFFSET + 8;
    public static final int TOPIC_NAME_OFFSET = INITIAL_POSITION_OFFSET + 8;
    public static final int TOPIC_NAME_MAX_LENGTH = 128;

    /** Hot counters sit 128 bytes apart so that adjacent-line prefetch does not make them share. */
    public static final int COUNTER_SPACING = 2 * BitUtil.CACHE_LINE_LENGTH;
    public static final int TAIL_POSITION_OFFSET = 256;
    public static final int PRODUCER_LIMIT_OFFSET = TAIL_POSITION_OFFSET + COUNTER_SPACING;
    public static final int CLEAN_POSITION_OFFSET = PRODUCER_LIMIT_OFFSET + COUNTER_SPACING;
    public static final int CLEANER_PID_OFFSET = CLEAN_POSITION_OFFSET + 8;
    public static final int CLEAN_CHECKED_POSITION_OFFSET = CLEANER_PID_OFFSET + 8;
    public static final int NEXT_PRODUCER_ID_OFFSET = CLEAN_POSITION_OFFSET + COUNTER_SPACING;
    public static final int EXCLUSIVE_OWNER_PID_OFFSET = NEXT_PRODUCER_ID_OFFSET + 8;
    public static final int BROKER_EPOCH_NS_OFFSET = NEXT_PRODUCER_ID_OFFSET + COUNTER_SPACING;
    public static final int ARCHIVED_POSITION_OFFSET = BROKER_EPOCH_NS_OFFSET + COUNTER_SPACING;

    public static final int CONSUMER_SLOTS_OFFSET = 1024;
    public static final int CONSUMER_SLOT_LENGTH = BitUtil.CACHE_LINE_LENGTH;
    public static final int CONSUMER_SLOT_COUNT = 48;

    public static final int SLOT_STATE_OFFSET = 0;
    public static final int SLOT_FLAGS_OFFSET = SLOT_STATE_OFFSET + 4;
    public static final int SLOT_POSITION_OFFSET = SLOT_FLAGS_OFFSET + 4;
    public static final int SLOT_OWNER_PID_OFFSET = SLOT_POSITION_OFFSET + 8;
    public static final int SLOT_HEARTBEAT_OFFSET = SLOT_OWNER_PID_OFFSET + 8;
    public static final int SLOT_COMMITTED_POSITION_OFFSET = SLOT_HEARTBEAT_OFFSET + 8;

    /** {@link #SLOT_COMMITTED_POSITION_OFFSET} before the slot's owner committed anything. */
    public static final long NO_COMMIT = -1;

    public static final int SLOT_FREE = 0;
    public static final int SLOT_RESERVED = 1;
    public static final int SLOT_ACTIVE = 2;
    /**
     * The broker dropped a consumer whose process is alive but silent: flow control ignores the slot, and nobody
     * reuses it until its owner has seen the revocation (or its process is gone), so a late position store by the
     * owner can never land in another consumer's slot.
     */
    public static final int SLOT_REVOKED = 3;
    /**
     * A slow consumer of a topic whose slow-consumer policy is "archive": the broker asks it to continue from the
     * segment files. Flow control still honours the slot, so nothing it has not read is overwritten; the owner
     * moves it to {@link #SLOT_DETACHED} at its next poll (or the broker does, after the detach timeout).
     */
    public static final int SLOT_DETACHING = 4;
    /**
     * The owner reads the archive: flow control ignores the slot until the owner rejoins the ring with a
     * Dekker-style handshake ({@link ConsumerSlots#rejoin}). Its position is at or below the archived position.
     */
    public static final int SLOT_DETACHED = 5;

    /** Slot flag: the owner was registered by the broker with the slow-consumer policy "archive". */
    public static final int SLOT_FLAG_ARCHIVE_FALLBACK = 1;

    public static final int META_DATA_LENGTH = 4096;

    /** Bytes kept zero just past the producer limit, so the next frame's commit word is clean before it is claimed. */
    public static final int CLEAN_GUARD_LENGTH = 8;

    public static final int MIN_CAPACITY = 64 * 1024;
    public static final int MAX_CAPACITY = 1 << 30;

    static
    {
        if (CONSUMER_SLOTS_OFFSET + CONSUMER_SLOT_COUNT * CONSUMER_SLOT_LENGTH > META_DATA_LENGTH)
        {
            throw new IllegalStateException("consumer slots overflow the metadata page");
        }
        if (ARCHIVED_POSITION_OFFSET + COUNTER_SPACING > CONSUMER_SLOTS_OFFSET)
        {
            throw new IllegalStateException("counters overflow into consumer slots");
        }
    }

    private LogDescriptor()
    {
    }

    public static long fileLength(final int capacity)
    {
        return (long)META_DATA_LENGTH + capacity;
    }

    public static int slotOffset(final int slotIndex)
    {
        return CONSUMER_SLOTS_OFFSET + slotIndex * CONSUMER_SLOT_LENGTH;
    }

    /** The largest payload a log of this capacity accepts by default. */
    public static int defaultMaxMessageLength(final int capacity)
    {
        return Math.min(capacity / 8, 16 * 1024 * 1024) - FrameDescriptor.HEADER_LENGTH;
    }

    /**
     * Validates a ring capacity.
     *
     * @throws io.shmbus.client.ConfigurationException with the reason when it is not acceptable.
     */
    public static void checkCapacity(final long capacity)
    {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new io.shmbus.client.ConfigurationException(
                "capacity must be a power of two between " + MIN_CAPACITY + " and " + MAX_CAPACITY +
                " bytes: " + capacity);
        }
    }

    /** Validates a maximum payload length against the capacity it is used with. */
    public static void checkMaxMessageLength(final int maxMessageLength, final int capacity)
    {
        final int limit = capacity / 4 - FrameDescriptor.HEADER_LENGTH;
        if (maxMessageLength < 1 || maxMessageLength > limit)
        {
            throw new io.shmbus.client.ConfigurationException(
                "max message length must be between 1 and capacity/4 - " + FrameDescriptor.HEADER_LENGTH +
                " (" + limit + ") bytes: " + maxMessageLength);
        }
    }

    /**
     * Checks that a mapped metadata page belongs to a log this code understands.
     *
     * @throws LogVersionMismatchException naming the file when the magic or version differ.
     */
    public static void checkVersion(final UnsafeBuffer metaData, final String fileName)
    {
        final int magic = metaData.getInt(MAGIC_OFFSET);
        final int version = metaData.getIntVolatile(VERSION_OFFSET);
        if (MAGIC != magic)
        {
            throw new LogVersionMismatchException(
                fileName + " is not a shmbus topic log (magic 0x" + Integer.toHexString(magic) + ")");
        }
        if (VERSION != version)
        {
            throw new LogVersionMismatchException(
                fileName + " has log layout version " + version + " but this client reads version " + VERSION +
                "; stop the processes using it and delete the file");
        }
    }
}
