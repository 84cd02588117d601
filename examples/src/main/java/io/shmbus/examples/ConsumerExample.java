package io.shmbus.examples;

import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A consumer process: reads {@code COUNT} messages of a topic from the earliest one, in place in shared memory, and
 * checks that they are the numbered messages of {@link ProducerExample}, in order ({@link SequenceCheck}). Exits 0
 * when all arrived in order, 1 otherwise.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *     io.shmbus.examples.ConsumerExample TOPIC COUNT
 * </pre>
 * Start it before or after the producer: from {@code EARLIEST} it reads what the ring (or, for a persistent topic,
 * the archive) still holds, then waits for the rest. Needs a running broker, like the producer. One thread.
 */
public final class ConsumerExample
{
    private ConsumerExample()
    {
    }

    public static void main(final String[] args)
    {
        final ExampleArgs arguments = ExampleArgs.of("ConsumerExample TOPIC COUNT", args);
        final String topic = arguments.topic(0);
        final long count = arguments.number(1, 1, Long.MAX_VALUE);

        final SequenceCheck check = new SequenceCheck();
        final IdleStrategy idle = new BackoffIdleStrategy(); // parks when there is nothing to read
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context());
            Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST))
        {
            System.out.println("waiting for " + count + " messages on " + topic + " from position " +
                consumer.position());
            while (check.received() < count && null == check.failure())
            {
                idle.idle(consumer.poll(check, 100)); // resets the backoff when a message arrived
            }
        }
        if (null != check.failure())
        {
            System.err.println(check.failure());
            System.exit(1);
        }
        System.out.println("received " + check.received() + " messages in order, the last at position " +
            check.lastPosition());
    }
}
