package io.shmbus.examples;

import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.bytes.BytesClaim;
import io.shmbus.client.bytes.BytesFragmentAdapter;
import io.shmbus.client.bytes.ChronicleJvmRequirements;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Structured messages with Chronicle Bytes, as two processes: {@code produce} writes {@code COUNT} {@link Trade}s
 * straight into the ring with a {@link BytesClaim}; {@code consume} reads them in place through a
 * {@link BytesFragmentAdapter}, from the earliest, checks every field and prints the total quantity.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
 *     --add-opens java.base/java.lang.reflect=ALL-UNNAMED -cp CLASSPATH \
 *     io.shmbus.examples.StructuredMessageExample produce|consume TOPIC COUNT
 * </pre>
 * Needs {@code chronicle-bytes} on the class path (the client declares it optional) and the three Chronicle JVM
 * options above: without them it names those missing and exits 2. Needs a running broker. One thread.
 */
public final class StructuredMessageExample
{
    private StructuredMessageExample()
    {
    }

    public static void main(final String[] args)
    {
        final ExampleArgs arguments = ExampleArgs.of("StructuredMessageExample produce|consume TOPIC COUNT", args);
        final String role = arguments.choice(0, "produce", "consume");
        final String topic = arguments.topic(1);
        final long count = arguments.number(2, 1, Long.MAX_VALUE);
        try
        {
            ChronicleJvmRequirements.check(); // fails before any Chronicle class loads, naming what is missing
        }
        catch (final ShmbusException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
        }
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context()))
        {
            if ("produce".equals(role))
            {
                produce(bus, topic, count);
            }
            else
            {
                consume(bus, topic, count);
            }
        }
    }

    private static void produce(final ShmBus bus, final String topic, final long count)
    {
        final BytesClaim claim = new BytesClaim(); // one per thread, reused for every message
        final Trade trade = new Trade();
        final IdleStrategy idle = new BackoffIdleStrategy();
        try (Producer producer = bus.addProducer(topic))
        {
            long position = producer.position();
            for (long id = 0; id < count; id++)
            {
                trade.numbered(id);
                // the payload is MAX_LENGTH bytes; a trade that wrote more would throw, publishing nothing
                while ((position = claim.tryWrite(producer, Trade.MAX_LENGTH, trade)) < 0)
                {
                    if (Producer.BACK_PRESSURED != position && Producer.ADMIN_ACTION != position)
                    {
                        throw new IllegalStateException(trade + " not sent: " + Producer.resultName(position));
                    }
                    idle.idle();
                }
                idle.reset();
            }
            System.out.println("sent " + count + " trades, the last " + claim.writtenLength() + " bytes in a " +
                Trade.MAX_LENGTH + "-byte payload, up to position " + position);
        }
    }

    private static void consume(final ShmBus bus, final String topic, final long count)
    {
        final Trade received = new Trade();
        final Trade expected = new Trade();
        final long[] totals = new long[2]; // messages, quantity: updated by the handler on this thread
        final String[] failure = new String[1];
        final BytesFragmentAdapter handler = new BytesFragmentAdapter((in, header) ->
        {
            received.readMarshallable(in); // the fields straight from the ring, no copy of the payload
            if (null == failure[0] && !received.sameAs(expected.numbered(totals[0])))
            {
                failure[0] = "expected " + expected + " at position " + header.position() + ", got " + received;
            }
            totals[0]++;
            totals[1] += received.quantity;
        });
        final IdleStrategy idle = new BackoffIdleStrategy();
        try (Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST))
        {
            System.out.println("waiting for " + count + " trades on " + topic);
            while (totals[0] < count && null == failure[0])
            {
                idle.idle(consumer.poll(handler, (int)Math.min(100, count - totals[0])));
            }
        }
        if (null != failure[0])
        {
            System.err.println(failure[0]);
            System.exit(1);
        }
        System.out.println("received " + totals[0] + " trades, every field as sent, total quantity " + totals[1]);
    }
}
