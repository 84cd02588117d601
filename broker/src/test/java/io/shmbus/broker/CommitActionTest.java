package io.shmbus.broker;

import io.shmbus.client.AllocationRounds;
import io.shmbus.client.Consumer;
import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.client.ControlledFragmentHandler.Action.COMMIT;
import static io.shmbus.client.ControlledFragmentHandler.Action.CONTINUE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A handler of {@link Consumer#controlledPoll} that returns {@code COMMIT} on a named consumer acknowledges that
 * message and no later one of the same poll, without {@link Consumer#commit()}: in the ring, in the archive, and
 * allocating nothing. On an anonymous consumer COMMIT only moves the position, as before.
 */
@Timeout(120)
class CommitActionTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("localack-commit-");

    private void launch(final boolean persistent) throws IOException
    {
        fixture.launchSmall(persistent ? fixture.dataDir() : null, "");
    }

    private static void publish(final ShmBus bus, final String topic, final int from, final int to)
    {
        try (Producer producer = bus.addProducer(topic))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            for (int i = from; i < to; i++)
            {
                buffer.putInt(0, i);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long result;
                while ((result = producer.offer(buffer, 0, 200)) < 0)
                {
                    assertTrue(System.nanoTime() < deadline, "offer of " + i + ": " + Producer.resultName(result));
                    Thread.yield();
                }
            }
        }
    }

    /**
     * Polls {@code count} messages in polls of up to {@code limit}, returning COMMIT on message {@code commitOn}
     * and CONTINUE on every other, and never calls {@link Consumer#commit()}.
     *
     * @return the message numbers delivered.
     */
    private static List<Integer> pollCommittingOn(
        final Consumer consumer, final int count, final int limit, final int commitOn)
    {
        final List<Integer> received = new ArrayList<>();
        final ControlledFragmentHandler handler = (buffer, offset, length, header) ->
        {
            final int number = buffer.getInt(offset);
            received.add(number);
            return number == commitOn ? COMMIT : CONTINUE;
        };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.size() < count)
        {
            assertTrue(System.nanoTime() < deadline, "received only " + received.size() + " of " + count);
            if (0 == consumer.controlledPoll(handler, Math.min(limit, count - received.size())))
            {
                Thread.yield();
            }
        }
        return received;
    }

    private static int firstNumber(final Consumer consumer)
    {
        final int[] first = {-1};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (first[0] < 0)
        {
            assertTrue(System.nanoTime() < deadline, "no message within 20 s at " + consumer.position());
            if (0 == consumer.poll((buffer, offset, length, header) -> first[0] = buffer.getInt(offset), 1))
            {
                Thread.yield();
            }
        }
        return first[0];
    }

    private static List<Integer> numbers(final int from, final int to)
    {
        final List<Integer> numbers = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            numbers.add(i);
        }
        return numbers;
    }

    @Test
    void commitActionInTheRingAcknowledgesThatMessageAndNoLaterOne() throws IOException
    {
        launch(false);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 10);
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertFalse(consumer.isReplaying());
                assertEquals(numbers(0, 10), pollCommittingOn(consumer, 10, 10, 3), "one poll of all ten");
            } // closed without commit()
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(4, firstNumber(consumer), "resumes right after message 3, the one acknowledged");
            }
        }
    }

    @Test
    void commitActionInTheArchiveAcknowledgesThatMessageAndNoLaterOne() throws IOException
    {
        launch(true);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 1000); // ~256 KiB through a 64 KiB ring: the start is only in the archive
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertTrue(consumer.isReplaying(), "it reads the archive");
                assertEquals(numbers(0, 20), pollCommittingOn(consumer, 20, 20, 12), "one poll of twenty");
                assertTrue(consumer.isReplaying(), "all of it read from the archive");
            }
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(13, firstNumber(consumer), "resumes right after message 12, the one acknowledged");
            }
        }
    }

    @Test
    void commitActionOnAnAnonymousConsumerAcknowledgesNothing() throws IOException
    {
        launch(false);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            publish(bus, "orders", 0, 10);
            try (Consumer named = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST);
                Consumer anonymous = bus.addConsumer("orders", StartPosition.EARLIEST))
            {
                assertEquals(numbers(0, 10), pollCommittingOn(anonymous, 10, 10, 3));
                assertEquals(0, firstNumber(named), "the named consumer is where it was");
            }
            try (Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
            {
                assertEquals(0, firstNumber(consumer), "nothing was acknowledged for the name");
            }
        }
    }

    private long delivered;

    @Test
    void commitActionAllocatesNothing() throws IOException
    {
        launch(false);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            Consumer consumer = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST);
            Producer producer = bus.addProducer("orders"))
        {
            final UnsafeBuffer src = new UnsafeBuffer(new byte[64]);
            final ControlledFragmentHandler handler = (buffer, offset, length, header) ->
                (++delivered & 1) == 0 ? COMMIT : CONTINUE;
            exercise(producer, consumer, handler, src, 200_000); // warm up: JIT, thread-locals
            AllocationRounds.assertOneClean("bytes allocated by controlledPoll with COMMIT in each round",
                () -> exercise(producer, consumer, handler, src, 200_000));
            assertTrue(delivered >= 400_000, "delivered " + delivered);
        }
    }

    private static void exercise(
        final Producer producer, final Consumer consumer, final ControlledFragmentHandler handler,
        final UnsafeBuffer src, final int messages)
    {
        for (int i = 0; i < messages; i++)
        {
            while (producer.offer(src, 0, 32) < 0)
            {
                consumer.controlledPoll(handler, 16);
            }
            if ((i & 7) == 0)
            {
                consumer.controlledPoll(handler, 16);
            }
        }
        while (consumer.controlledPoll(handler, 16) > 0)
        {
            Thread.yield();
        }
    }
}
