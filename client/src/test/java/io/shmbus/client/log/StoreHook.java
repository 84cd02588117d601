package io.shmbus.client.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.shmbus.client.log.LogDescriptor.*;

/**
 * Counts the stores a process makes to a topic log's shared memory and runs an action right after a chosen one.
 * Tests map a log through it ({@link TopicLog#open(java.nio.file.Path, String, long, TopicLog.LogBuffers)}) to
 * leave the log exactly as a process killed right after that store would (the action halts the JVM, or throws
 * where no code of the protocol runs after the store), or to let another party act at that instant. Each store
 * is recorded with a label naming the field it wrote, so a run without a trigger lists a protocol's stores.
 * A {@code setMemory} (the cleaner's zeroing) counts as two stores, its first half and the rest, so a death in
 * the middle of a zeroing is one of the points.
 * <p>
 * Not thread-safe: one thread stores through the log while the hook is armed.
 */
public final class StoreHook implements TopicLog.LogBuffers
{
    private final List<String> trace = new ArrayList<>();
    private boolean armed;
    private int trigger;
    private int count;
    private Runnable action;
    private String labelSuffix;

    public UnsafeBuffer wrap(final ByteBuffer mapping, final int offset, final int length)
    {
        return new HookedBuffer(mapping, offset, length, 0 == offset);
    }

    /**
     * Starts counting stores from zero.
     *
     * @param trigger the store after which {@code action} runs (1 is the first), or 0 to only record.
     */
    public StoreHook arm(final int trigger, final Runnable action)
    {
        this.trigger = trigger;
        this.action = action;
        this.count = 0;
        this.labelSuffix = null;
        this.trace.clear();
        this.armed = true;
        return this;
    }

    /**
     * Starts counting stores from zero, and runs {@code action} right after the first store whose label (as in
     * {@link #trace()}) ends with {@code labelSuffix}.
     */
    public StoreHook armAfter(final String labelSuffix, final Runnable action)
    {
        arm(0, action);
        this.labelSuffix = labelSuffix;
        return this;
    }

    /** Stops counting; the trace is kept. */
    public StoreHook disarm()
    {
        armed = false;
        return this;
    }

    /** The stores made since {@link #arm}, each as {@code region operation field}. */
    public List<String> trace()
    {
        return new ArrayList<>(trace);
    }

    public int count()
    {
        return count;
    }

    private void onStore(final boolean meta, final String operation, final int index, final int length)
    {
        if (!armed)
        {
            return;
        }
        count++;
        final String label = (meta ? "meta " : "ring ") + operation + " " +
            (meta ? metaField(index) : ringField(index, length));
        trace.add(label);
        if (count == trigger || (null != labelSuffix && label.endsWith(labelSuffix)))
        {
            armed = false;
            action.run();
        }
    }

    static String metaField(final int index)
    {
        if (index >= CONSUMER_SLOTS_OFFSET)
        {
            final int slot = (index - CONSUMER_SLOTS_OFFSET) / CONSUMER_SLOT_LENGTH;
            final int field = (index - CONSUMER_SLOTS_OFFSET) % CONSUMER_SLOT_LENGTH;
            final String name = field == SLOT_STATE_OFFSET ? "state" : field == SLOT_FLAGS_OFFSET ? "flags" :
                field == SLOT_POSITION_OFFSET ? "position" : field == SLOT_OWNER_PID_OFFSET ? "ownerPid" :
                field == SLOT_HEARTBEAT_OFFSET ? "heartbeat" : "+" + field;
            return "slot[" + slot + "]." + name;
        }
        switch (index)
        {
            case TAIL_POSITION_OFFSET:
                return "tailPosition";
            case PRODUCER_LIMIT_OFFSET:
                return "producerLimit";
            case CLEAN_POSITION_OFFSET:
                return "cleanPosition";
            case CLEANER_PID_OFFSET:
                return "cleanerPid";
            case CLEAN_CHECKED_POSITION_OFFSET:
                return "cleanCheckedPosition";
            case NEXT_PRODUCER_ID_OFFSET:
                return "nextProducerId";
            case BROKER_EPOCH_NS_OFFSET:
                return "brokerEpochNs";
            case ARCHIVED_POSITION_OFFSET:
                return "archivedPosition";
            default:
                return "metadata+" + index;
        }
    }

    static String ringField(final int index, final int length)
    {
        if (length > 8)
        {
            return "bytes";
        }
        switch (index & (FrameDescriptor.FRAME_ALIGNMENT - 1))
        {
            case FrameDescriptor.FRAME_LENGTH_OFFSET:
                return 8 == length ? "commit word" : "frame length";
            case FrameDescriptor.POSITION_OFFSET:
                return "position";
            case FrameDescriptor.TIMESTAMP_OFFSET:
                return "timestamp";
            case FrameDescriptor.PRODUCER_ID_OFFSET:
                return "producer id";
            case FrameDescriptor.CHECKSUM_OFFSET:
                return "checksum";
            default:
                return "bytes";
        }
    }

    /** Every store method the protocols use goes through {@link #onStore} after the store is made. */
    private final class HookedBuffer extends UnsafeBuffer
    {
        private final boolean meta;

        HookedBuffer(final ByteBuffer mapping, final int offset, final int length, final boolean meta)
        {
            super(mapping, offset, length);
            this.meta = meta;
        }

        public void putLong(final int index, final long value)
        {
            super.putLong(index, value);
            onStore(meta, "store", index, 8);
        }

        public void putInt(final int index, final int value)
        {
            super.putInt(index, value);
            onStore(meta, "store", index, 4);
        }

        public void putShort(final int index, final short value)
        {
            super.putShort(index, value);
            onStore(meta, "store", index, 2);
        }

        public void putByte(final int index, final byte value)
        {
            super.putByte(index, value);
            onStore(meta, "store", index, 1);
        }

        public void putLongVolatile(final int index, final long value)
        {
            super.putLongVolatile(index, value);
            onStore(meta, "volatile store", index, 8);
        }

        public void putLongRelease(final int index, final long value)
        {
            super.putLongRelease(index, value);
            onStore(meta, "release store", index, 8);
        }

        public void putLongOrdered(final int index, final long value)
        {
            super.putLongOrdered(index, value);
            onStore(meta, "release store", index, 8);
        }

        public void putIntVolatile(final int index, final int value)
        {
            super.putIntVolatile(index, value);
            onStore(meta, "volatile store", index, 4);
        }

        public void putIntRelease(final int index, final int value)
        {
            super.putIntRelease(index, value);
            onStore(meta, "release store", index, 4);
        }

        public void putIntOrdered(final int index, final int value)
        {
            super.putIntOrdered(index, value);
            onStore(meta, "release store", index, 4);
        }

        public boolean compareAndSetLong(final int index, final long expected, final long update)
        {
            final boolean result = super.compareAndSetLong(index, expected, update);
            onStore(meta, result ? "CAS" : "failed CAS", index, 8);
            return result;
        }

        public boolean compareAndSetInt(final int index, final int expected, final int update)
        {
            final boolean result = super.compareAndSetInt(index, expected, update);
            onStore(meta, result ? "CAS" : "failed CAS", index, 4);
            return result;
        }

        public long getAndAddLong(final int index, final long delta)
        {
            final long result = super.getAndAddLong(index, delta);
            onStore(meta, "add", index, 8);
            return result;
        }

        public int getAndAddInt(final int index, final int delta)
        {
            final int result = super.getAndAddInt(index, delta);
            onStore(meta, "add", index, 4);
            return result;
        }

        public long getAndSetLong(final int index, final long value)
        {
            final long result = super.getAndSetLong(index, value);
            onStore(meta, "swap", index, 8);
            return result;
        }

        public int getAndSetInt(final int index, final int value)
        {
            final int result = super.getAndSetInt(index, value);
            onStore(meta, "swap", index, 4);
            return result;
        }

        public void putBytes(final int index, final DirectBuffer source, final int sourceIndex, final int length)
        {
            super.putBytes(index, source, sourceIndex, length);
            onStore(meta, "store", index, Math.max(length, 9));
        }

        public void putBytes(final int index, final byte[] source, final int offset, final int length)
        {
            super.putBytes(index, source, offset, length);
            onStore(meta, "store", index, Math.max(length, 9));
        }

        public void putBytes(final int index, final ByteBuffer source, final int sourceIndex, final int length)
        {
            super.putBytes(index, source, sourceIndex, length);
            onStore(meta, "store", index, Math.max(length, 9));
        }

        public void setMemory(final int index, final int length, final byte value)
        {
            if (!armed || length < 16)
            {
                super.setMemory(index, length, value);
                onStore(meta, "zero", index, Math.max(length, 9));
                return;
            }
            final int half = (length / 2) & ~7;
            super.setMemory(index, half, value);
            onStore(meta, "zero first half of", index, 9);
            super.setMemory(index + half, length - half, value);
            onStore(meta, "zero rest of", index + half, 9);
        }
    }
}
