package io.shmbus.bench;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.Publisher;
import io.shmbus.client.StartPosition;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.TopicLog;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * shmbus as a benchmark transport, through the broker as users run it: the producer and consumer processes
 * connect to the broker process of the run's directory ({@link ShmbusBrokerRole}), register through it, then
 * exchange messages directly in shared memory. Consumers start at the earliest position so they see everything
 * sent after they joined. Its publishers are shared producers ({@link ShmBus#addProducer}) or, for the system
 * {@code shmbus-exclusive}, exclusive producers ({@link ShmBus#addExclusiveProducer}): one kind per process.
 */
final class ShmbusTransport implements Transport
{
    private final Path dir;
    private final boolean exclusive;
    private final boolean exactTimestamps;
    private final List<TopicLog> logs = new ArrayList<>();
    private ShmBus bus;

    /**
     * @param dir       the broker's directory.
     * @param exclusive whether publishers are exclusive producers, each its topic's only producer.
     * @param exactTimestamps whether producers stamp each frame from the system clock
     *                        ({@link ShmBus.Context#exactTimestamps}), not the broker's millisecond clock.
     */
    ShmbusTransport(final Path dir, final boolean exclusive, final boolean exactTimestamps)
    {
        this.dir = dir;
        this.exclusive = exclusive;
        this.exactTimestamps = exactTimestamps;
    }

    private ShmBus bus()
    {
        if (null == bus)
        {
            bus = ShmBus.connect(new ShmBus.Context().dir(dir).exactTimestamps(exactTimestamps));
        }
        return bus;
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        final Publisher producer = exclusive ? bus().addExclusiveProducer(stream) : bus().addProducer(stream);
        final TopicLog log = TopicLog.open(TopicLog.fileOf(dir, stream), stream, 5_000); // to see its consumers
        logs.add(log);
        return new ShmbusPublisher(new ConsumerSlots(log), producer);
    }

    public BenchSubscriber subscriber(final String stream, final int streamId, final MessageHandler handler)
    {
        return new ShmbusSubscriber(bus().addConsumer(stream, StartPosition.EARLIEST), handler);
    }

    public void close()
    {
        if (null != bus)
        {
            bus.close();
            bus = null;
        }
        logs.forEach(TopicLog::close);
        logs.clear();
    }

    private static final class ShmbusPublisher implements BenchPublisher
    {
        private final ConsumerSlots slots;
        private final Publisher producer;

        ShmbusPublisher(final ConsumerSlots slots, final Publisher producer)
        {
            this.slots = slots;
            this.producer = producer;
        }

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            return producer.offer(buffer, offset, length);
        }

        public boolean isRetryable(final long result)
        {
            return Producer.BACK_PRESSURED == result || Producer.ADMIN_ACTION == result;
        }

        public String describe(final long result)
        {
            return Producer.resultName(result);
        }

        public boolean isConnected()
        {
            return slots.activeCount() > 0;
        }

        public void close()
        {
            producer.close();
        }
    }

    private static final class ShmbusSubscriber implements BenchSubscriber
    {
        private final Consumer consumer;
        private final FragmentHandler fragmentHandler;

        ShmbusSubscriber(final Consumer consumer, final MessageHandler handler)
        {
            this.consumer = consumer;
            this.fragmentHandler = (buffer, offset, length, header) -> handler.onMessage(buffer, offset, length);
        }

        public int poll(final int fragmentLimit)
        {
            return consumer.poll(fragmentHandler, fragmentLimit);
        }

        public boolean isConnected()
        {
            return true;
        }

        public void close()
        {
            consumer.close();
        }
    }
}
