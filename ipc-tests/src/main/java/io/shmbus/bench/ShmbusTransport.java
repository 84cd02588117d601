package io.shmbus.bench;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * shmbus as a benchmark transport: every stream is a topic in one directory, opened directly by the producer and
 * consumer processes (no broker). Consumers start at the earliest position so they see everything sent after
 * they joined.
 */
final class ShmbusTransport implements Transport
{
    private final Path dir;
    private final int capacity;
    private final List<Topic> topics = new ArrayList<>();

    ShmbusTransport(final Path dir, final int capacity)
    {
        this.dir = dir;
        this.capacity = capacity;
    }

    private Topic open(final String stream)
    {
        final Topic topic = Topic.open(new Topic.Context().dir(dir).topic(stream).capacity(capacity));
        topics.add(topic);
        return topic;
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        final Topic topic = open(stream);
        return new ShmbusPublisher(topic, topic.addProducer());
    }

    public BenchSubscriber subscriber(final String stream, final int streamId, final MessageHandler handler)
    {
        final Topic topic = open(stream);
        return new ShmbusSubscriber(topic.addConsumer(StartPosition.EARLIEST), handler);
    }

    public void close()
    {
        for (final Topic topic : topics)
        {
            topic.close();
        }
        topics.clear();
    }

    private static final class ShmbusPublisher implements BenchPublisher
    {
        private final Topic topic;
        private final Producer producer;

        ShmbusPublisher(final Topic topic, final Producer producer)
        {
            this.topic = topic;
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
            return topic.consumerCount() > 0;
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
