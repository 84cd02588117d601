package io.shmbus.examples;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteOrder;

/**
 * A producer process: publishes {@code COUNT} numbered messages to a topic, each an 8-byte little-endian sequence
 * number written in place in shared memory ({@code tryClaim}, write, {@code commit}), then exits.
 * {@link ConsumerExample} in another process reads them and checks their order.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *     io.shmbus.examples.ProducerExample TOPIC COUNT [FIRST]
 * </pre>
 * Needs a running broker ({@code scripts/shmbus broker}) on the default directory, or on the one named by
 * {@code -Dshmbus.dir=DIR}. One thread.
 */
public final class ProducerExample
{
    private ProducerExample()
    {
    }

    public static void main(final String[] args)
    {
        final ExampleArgs arguments = ExampleArgs.of("ProducerExample TOPIC COUNT [FIRST]", args);
        final String topic = arguments.topic(0);
        final long count = arguments.number(1, 1, Long.MAX_VALUE);
        final long first = arguments.number(2, 0, Long.MAX_VALUE - count, 0); // the last number fits a long

        final BufferClaim claim = new BufferClaim(); // reused for every message: nothing allocated per message
        final IdleStrategy idle = new BackoffIdleStrategy(); // spins, yields, then parks while consumers lag
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context());
            Producer producer = bus.addProducer(topic))
        {
            long position = producer.position();
            for (long seq = first; seq < first + count; seq++)
            {
                while ((position = producer.tryClaim(Long.BYTES, claim)) < 0)
                {
                    if (Producer.BACK_PRESSURED != position && Producer.ADMIN_ACTION != position)
                    {
                        throw new IllegalStateException("message " + seq + " not sent: " +
                            Producer.resultName(position));
                    }
                    idle.idle(); // a consumer has not read far enough yet: wait for it
                }
                idle.reset();
                claim.buffer().putLong(claim.offset(), seq, ByteOrder.LITTLE_ENDIAN);
                claim.commit(); // consumers see the message from here on, never before
            }
            System.out.println("sent " + count + " messages, " + first + ".." + (first + count - 1) +
                ", up to position " + position);
        }
    }
}
