package io.shmbus.examples;

import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.net.InetSocketAddress;

/**
 * A remote subscriber: reads a persistent topic over TCP from a broker's network server
 * ({@code scripts/shmbus broker --data-dir DIR --net-port 7440}), from the earliest message the archive holds,
 * then follows it live, until {@code COUNT} messages have arrived; checks they are the numbered messages of
 * {@link ProducerExample} in order ({@link SequenceCheck}) and prints its progress every 1000 messages. Exits 0
 * when all arrived in order, 1 otherwise.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *     io.shmbus.examples.RemoteSubscriberExample HOST:PORT TOPIC COUNT
 * </pre>
 * It needs no shared-memory directory and may run on another host. A lost connection or a restarted broker is
 * reported on stderr and mended inside {@code poll}: it reconnects and resumes after the last message delivered.
 * One thread.
 */
public final class RemoteSubscriberExample
{
    private static final long PROGRESS_EVERY = 1000;

    private RemoteSubscriberExample()
    {
    }

    public static void main(final String[] args)
    {
        final ExampleArgs arguments = ExampleArgs.of("RemoteSubscriberExample HOST:PORT TOPIC COUNT", args);
        final InetSocketAddress broker = arguments.address(0);
        final String topic = arguments.topic(1);
        final long count = arguments.number(2, 1, Long.MAX_VALUE);
        final RemoteConsumer.Context ctx = new RemoteConsumer.Context()
            .host(broker.getHostString())
            .port(broker.getPort())
            .topic(topic)
            .start(StartPosition.EARLIEST); // no end position: follow the topic live

        final SequenceCheck check = new SequenceCheck();
        final IdleStrategy idle = new BackoffIdleStrategy();
        long nextReport = PROGRESS_EVERY;
        try (RemoteConsumer consumer = RemoteConsumer.subscribe(ctx))
        {
            while (check.received() < count && null == check.failure())
            {
                idle.idle(consumer.poll(check, 100)); // connects on the first call; never blocks
                if (check.received() >= nextReport)
                {
                    System.out.println("received " + check.received() + " messages, next position " +
                        consumer.position());
                    nextReport += PROGRESS_EVERY;
                }
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
