package io.shmbus.bench;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Chronicle Queue as a benchmark transport, the persisted-log anchor: the producer process appends each message as
 * one document of raw bytes ({@code writingDocument()} then a raw copy of the payload), the consumer process tails
 * the same queue directory and hands the handler the payload in place in the mapped file.
 * <p>
 * The stream name and id are ignored: one transport is one queue directory. Only started in a child JVM that has
 * {@link ChildLauncher#CHRONICLE_JVM_OPTIONS}; loading Chronicle without them fails on Java 17.
 */
final class ChronicleTransport implements Transport
{
    static final String SYSTEM_ID = "chronicle";
    /** An hour a cycle file: a run never fills it (2^32 entries an hour), and rarely rolls. */
    static final RollCycles ROLL_CYCLE = RollCycles.FAST_HOURLY;

    private final ChronicleQueue queue;

    ChronicleTransport(final Path queueDir)
    {
        this.queue = SingleChronicleQueueBuilder.binary(queueDir).rollCycle(ROLL_CYCLE).build();
    }

    public String settings()
    {
        return "rollCycle=" + ROLL_CYCLE.name() + " blockSize=" + ((SingleChronicleQueue)queue).blockSize();
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        return new ChroniclePublisher(queue.createAppender());
    }

    public BenchSubscriber subscriber(final String stream, final int streamId, final MessageHandler handler)
    {
        return new ChronicleSubscriber(queue.createTailer().toStart(), handler);
    }

    public void close()
    {
        queue.close();
    }

    private static final class ChroniclePublisher implements BenchPublisher
    {
        private final ExcerptAppender appender;
        /** A view of the caller's (off-heap) message, re-pointed per offer, so the copy is memory to memory. */
        private final PointerBytesStore source = new PointerBytesStore();

        ChroniclePublisher(final ExcerptAppender appender)
        {
            this.appender = appender;
        }

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            source.set(buffer.addressOffset() + offset, length);
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(source, 0L, length);
            }
            return appender.lastIndexAppended();
        }

        public boolean isRetryable(final long result)
        {
            return false; // appending never fails for back pressure: the queue grows on disk
        }

        public String describe(final long result)
        {
            return "index " + Long.toHexString(result);
        }

        public boolean isConnected()
        {
            return true; // a tailer reads from the start of the queue, whenever it comes
        }

        public void close()
        {
            appender.close();
        }
    }

    private static final class ChronicleSubscriber implements BenchSubscriber
    {
        private final ExcerptTailer tailer;
        private final MessageHandler handler;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        ChronicleSubscriber(final ExcerptTailer tailer, final MessageHandler handler)
        {
            this.tailer = tailer;
            this.handler = handler;
        }

        public int poll(final int fragmentLimit)
        {
            int read = 0;
            while (read < fragmentLimit)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final int length = (int)bytes.readRemaining();
                    view.wrap(bytes.addressForRead(bytes.readPosition()), length);
                    handler.onMessage(view, 0, length);
                    read++;
                }
            }
            return read;
        }

        public boolean isConnected()
        {
            return true;
        }

        public void close()
        {
            tailer.close();
        }
    }
}
