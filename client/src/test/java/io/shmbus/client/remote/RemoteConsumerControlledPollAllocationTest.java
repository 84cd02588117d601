package io.shmbus.client.remote;

import io.shmbus.client.AllocationRounds;
import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.StartPosition;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.shmbus.client.ControlledFragmentHandler.Action.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link RemoteConsumer#controlledPoll} allocates nothing once connected, with every action in the mix (an ABORT
 * every few messages, each aborted message taken on its next delivery, BREAK and COMMIT between), over the same
 * stream of frames as {@link RemoteConsumerAllocationTest}.
 */
@Timeout(60)
class RemoteConsumerControlledPollAllocationTest
{
    private long messages;
    private long aborts;
    private long sum;
    private long lastAbortedPosition = -1;
    private final ControlledFragmentHandler handler = this::onFragment;
    private final FragmentHandler ignore = (buffer, offset, length, header) -> fail("no message before the OK");

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final long number = buffer.getLong(offset);
        if (number % 7 == 3 && header.position() != lastAbortedPosition)
        {
            lastAbortedPosition = header.position();
            aborts++;
            return ABORT;
        }
        assertMessageNumberIsNext(number);
        messages++;
        sum += number + header.position();
        return number % 5 == 0 ? BREAK : number % 5 == 1 ? COMMIT : CONTINUE;
    }

    private void assertMessageNumberIsNext(final long number)
    {
        if (number != messages)
        {
            fail("message " + number + " where " + messages + " was expected"); // allocates only on failure
        }
    }

    @Test
    void controlledPollAllocatesNothingOnceConnected() throws Exception
    {
        final List<Throwable> errors = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        try (FakeBroker broker = new FakeBroker();
            RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context().port(broker.port())
                .topic("alloc").start(StartPosition.EARLIEST).verifyChecksums(true).errorHandler(errors::add)))
        {
            final FakeBroker.Session session = broker.accept(consumer, ignore);
            session.send(StreamBuilder.ok(0, RemoteConsumerAllocationTest.MAX_FRAME));
            final Thread writer = new Thread(() -> RemoteConsumerAllocationTest.writeForever(session, stop),
                "fake-broker-writer");
            writer.setDaemon(true);
            writer.start();
            try
            {
                receive(consumer, 100_000); // warm up: JIT, thread-locals
                AllocationRounds.assertOneClean("bytes allocated by controlledPoll in each round of 100,000 messages",
                    () -> receive(consumer, 100_000));
                assertTrue(aborts > messages / 8, "aborts in the mix: " + aborts + " of " + messages);
                assertEquals(List.of(), errors);
                assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
            }
            finally
            {
                stop.set(true);
                consumer.close();
                session.close();
                writer.join(10_000);
            }
        }
    }

    private void receive(final RemoteConsumer consumer, final int count)
    {
        final long target = messages + count;
        final long deadline = System.currentTimeMillis() + 20_000;
        while (messages < target)
        {
            if (0 == consumer.controlledPoll(handler, 64) && System.currentTimeMillis() > deadline)
            {
                fail("received only " + (count - (target - messages)) + " of " + count + " messages in 20 s: " +
                    consumer);
            }
        }
    }
}
