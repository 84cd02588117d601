package io.shmbus.broker.net;

import io.shmbus.broker.BrokerContext;
import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.ControlledFragmentHandler.Action;
import io.shmbus.client.Header;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.remote.ConnectionLostException;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.shmbus.client.ControlledFragmentHandler.Action.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link RemoteConsumer#controlledPoll} against the broker's network server: CONTINUE and COMMIT take every
 * message once in order, ABORT delivers the same message again at the same position (on the next poll, and after
 * a reconnect), BREAK ends the poll after its message, a handler that throws leaves its message, and an ABORT held
 * longer than the liveness timeout is not taken for a dead broker.
 */
@Timeout(60)
class RemoteConsumerControlledPollTest
{
    private static final String TOPIC = "orders";
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    private NetFixture fixture;
    private final List<Throwable> errors = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException
    {
        if (null != fixture)
        {
            fixture.close();
        }
    }

    @Test
    void continueAndCommitTakeEveryMessageOnceInStreamOrder() throws Exception
    {
        final long tail = start(2_000, ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final Script script = new Script((number, seen) -> number % 2 == 0 ? CONTINUE : COMMIT);
        try (RemoteConsumer consumer = subscribe(5_000))
        {
            long returned = 0;
            while (script.consumed.size() < 2_000)
            {
                returned += pollOnce(consumer, script, 7);
            }
            assertEquals(2_000, returned, "each poll returns the messages it consumed");
            assertEquals(IntStream.range(0, 2_000).boxed().collect(Collectors.toList()), script.consumed);
            assertEquals(2_000, script.deliveries.size(), "no message delivered twice");
            assertEquals(tail, consumer.position());
            assertPositionsAdvance(script.deliveries);
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void abortDeliversTheSameMessageAgainAtTheSamePositionOnTheNextPoll() throws Exception
    {
        final long tail = start(1_000, ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final Script script = new Script((number, seen) -> number % 10 == 3 && seen < 2 ? ABORT : CONTINUE);
        try (RemoteConsumer consumer = subscribe(5_000))
        {
            int aborts = 0;
            Delivery pending = null; // aborted by the last poll that delivered anything
            while (script.consumed.size() < 1_000)
            {
                final int first = script.deliveries.size();
                final int consumed = pollOnce(consumer, script, 16);
                final List<Delivery> call = new ArrayList<>(script.deliveries.subList(first, script.deliveries.size()));
                assertEquals(call.stream().filter(d -> ABORT != d.action).count(), consumed,
                    "a poll returns the messages consumed, not the aborted one: " + call);
                if (call.isEmpty())
                {
                    continue;
                }
                if (null != pending)
                {
                    assertEquals(pending.number, call.get(0).number, "the next poll delivers the aborted message");
                    assertEquals(pending.position, call.get(0).position, "at the same position");
                    pending = null;
                }
                for (int i = 0; i < call.size(); i++)
                {
                    final Delivery delivery = call.get(i);
                    if (ABORT == delivery.action)
                    {
                        aborts++;
                        assertEquals(call.size() - 1, i, "ABORT ends the poll: " + call);
                        assertEquals(delivery.position, consumer.position(), "the aborted message is next");
                        pending = delivery;
                    }
                }
            }
            assertEquals(200, aborts, "messages 3, 13, 23, ... each aborted twice");
            assertEquals(IntStream.range(0, 1_000).boxed().collect(Collectors.toList()), script.consumed);
            assertEquals(1_200, script.deliveries.size());
            assertEquals(tail, consumer.position());
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void breakEndsThePollAfterItsMessage() throws Exception
    {
        final long tail = start(500, ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final Script script = new Script((number, seen) -> number % 4 == 0 ? BREAK : CONTINUE);
        try (RemoteConsumer consumer = subscribe(5_000))
        {
            int breaks = 0;
            while (script.consumed.size() < 500)
            {
                final int first = script.deliveries.size();
                final int consumed = pollOnce(consumer, script, 100);
                final List<Delivery> call = new ArrayList<>(script.deliveries.subList(first, script.deliveries.size()));
                assertEquals(call.size(), consumed, "BREAK consumes its message: " + call);
                assertTrue(call.size() <= 4, "a break every four messages ends the poll: " + call);
                for (int i = 0; i < call.size(); i++)
                {
                    if (BREAK == call.get(i).action)
                    {
                        breaks++;
                        assertEquals(call.size() - 1, i, "nothing after a BREAK in the same poll: " + call);
                        assertTrue(consumer.position() > call.get(i).position, "the BREAK message is consumed");
                    }
                }
            }
            assertEquals(125, breaks);
            assertEquals(IntStream.range(0, 500).boxed().collect(Collectors.toList()), script.consumed);
            assertEquals(500, script.deliveries.size());
            assertEquals(tail, consumer.position());
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void anAbortedMessageIsDeliveredAgainAtTheSamePositionAfterAReconnect() throws Exception
    {
        // no heartbeats on an idle topic: a consumer that reads nothing for its liveness timeout reconnects
        final long tail = start(100, ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.SECONDS.toNanos(60)));
        final Script script = new Script((number, seen) -> 40 == number && 0 == seen ? ABORT : CONTINUE);
        try (RemoteConsumer consumer = subscribe(300))
        {
            pollUntil(consumer, script, 16, () -> script.deliveries.stream().anyMatch(d -> ABORT == d.action),
                "message 40 aborted");
            final Delivery aborted = script.deliveries.get(script.deliveries.size() - 1);
            assertEquals(40, aborted.number);
            assertEquals(aborted.position, consumer.position());

            // polls that take no message leave the connection silent: it is dropped and made again
            pollUntil(consumer, script, 0, () -> RemoteConsumer.State.RECONNECTING == consumer.state(),
                "a reconnect after the liveness timeout");
            assertEquals(aborted.position, consumer.position(), "the aborted message is still next");
            assertTrue(errors.get(0) instanceof ConnectionLostException &&
                errors.get(0).getMessage().contains("nothing received"), errors.toString());
            pollUntil(consumer, script, 0, () -> RemoteConsumer.State.CONNECTED == consumer.state(),
                "connected again");

            final int after = script.deliveries.size();
            pollUntil(consumer, script, 16, () -> script.consumed.size() == 100, "the rest of the messages");
            final Delivery again = script.deliveries.get(after);
            assertEquals(40, again.number, "the first message after the reconnect is the aborted one");
            assertEquals(aborted.position, again.position, "at the same position");
            assertEquals(IntStream.range(0, 100).boxed().collect(Collectors.toList()), script.consumed);
            assertEquals(101, script.deliveries.size(), "only the aborted message came twice");
            assertEquals(tail, consumer.position());
        }
    }

    @Test
    void anAbortHeldLongerThanTheLivenessTimeoutIsNotADeadBroker() throws Exception
    {
        final long tail = start(20, ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final long[] holdUntilNs = {0};
        final Script script = new Script((number, seen) ->
        {
            if (5 != number)
            {
                return CONTINUE;
            }
            if (0 == seen)
            {
                holdUntilNs[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_000);
            }
            return System.nanoTime() - holdUntilNs[0] < 0 ? ABORT : CONTINUE;
        });
        try (RemoteConsumer consumer = subscribe(300))
        {
            pollUntil(consumer, script, 16, () -> script.consumed.size() == 20, "all 20 messages");
            assertEquals(List.of(), errors, "held for 1 s with a liveness timeout of 300 ms: no reconnect");
            assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
            assertTrue(script.deliveries.size() > 22, "message 5 aborted many times: " + script.deliveries.size());
            assertEquals(IntStream.range(0, 20).boxed().collect(Collectors.toList()), script.consumed);
            assertEquals(tail, consumer.position());
        }
    }

    @Test
    void aHandlerThatThrowsLeavesItsMessageToTheNextPoll() throws Exception
    {
        final long tail = start(50, ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final Script script = new Script((number, seen) ->
        {
            if (7 == number && 0 == seen)
            {
                throw new IllegalStateException("handler failure on message 7");
            }
            return CONTINUE;
        });
        try (RemoteConsumer consumer = subscribe(5_000))
        {
            final long deadline = System.nanoTime() + DEADLINE_NS;
            IllegalStateException thrown = null;
            while (null == thrown)
            {
                assertTrue(System.nanoTime() < deadline, "no failure of the handler in 20 s: " + consumer);
                try
                {
                    pollOnce(consumer, script, 16);
                }
                catch (final IllegalStateException ex)
                {
                    thrown = ex;
                }
            }
            final Delivery failed = script.deliveries.get(script.deliveries.size() - 1);
            assertEquals(7, failed.number);
            assertEquals(failed.position, consumer.position(), "message 7 is still next");
            pollUntil(consumer, script, 16, () -> script.consumed.size() == 50, "all 50 messages");
            assertEquals(IntStream.range(0, 50).boxed().collect(Collectors.toList()), script.consumed);
            assertEquals(failed.position, script.deliveries.get(8).position, "message 7 again, same position");
            assertEquals(tail, consumer.position());
            assertEquals(List.of(), errors);
        }
    }

    /** Starts a broker, publishes {@code count} numbered messages to a persistent topic, waits until archived. */
    private long start(final int count, final Consumer<BrokerContext> settings) throws IOException
    {
        fixture = new NetFixture(settings);
        final Producer producer = fixture.bus.addProducer(TOPIC);
        final long tail = fixture.publish(producer, 0, count);
        fixture.awaitArchived(TOPIC, tail);
        return tail;
    }

    private RemoteConsumer subscribe(final long livenessTimeoutMs)
    {
        return RemoteConsumer.subscribe(new RemoteConsumer.Context().host("127.0.0.1").port(fixture.port())
            .topic(TOPIC).start(StartPosition.EARLIEST).livenessTimeoutMs(livenessTimeoutMs)
            .reconnectBackoffMs(20).reconnectBackoffMaxMs(100).errorHandler(errors::add));
    }

    /** One poll; sleeps a little when it took nothing, so that a waiting test does not spin. */
    private static int pollOnce(final RemoteConsumer consumer, final Script script, final int limit)
    {
        final int first = script.deliveries.size();
        final int consumed = consumer.controlledPoll(script, limit);
        if (0 == consumed && script.deliveries.size() == first)
        {
            Thread.yield();
        }
        return consumed;
    }

    private void pollUntil(
        final RemoteConsumer consumer, final Script script, final int limit, final BooleanSupplier done,
        final String what)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("no " + what + " in 20 s: " + consumer + ", " + script.consumed.size() + " consumed, errors " +
                    errors + "; broker log:\n" + fixture.brokerLog);
            }
            pollOnce(consumer, script, limit);
        }
    }

    private static void assertPositionsAdvance(final List<Delivery> deliveries)
    {
        for (int i = 1; i < deliveries.size(); i++)
        {
            final Delivery previous = deliveries.get(i - 1);
            assertTrue(deliveries.get(i).position >= previous.position + previous.alignedFrameLength,
                "message " + deliveries.get(i).number + " after the frame of message " + previous.number);
        }
    }

    /** One call of the handler: which message, where, and what the script answered. */
    private static final class Delivery
    {
        final int number;
        final long position;
        final int alignedFrameLength;
        final Action action;

        Delivery(final int number, final long position, final int payloadLength, final Action action)
        {
            this.number = number;
            this.position = position;
            this.alignedFrameLength = FrameDescriptor.alignedLength(FrameDescriptor.HEADER_LENGTH + payloadLength);
            this.action = action;
        }

        public String toString()
        {
            return number + "@" + position + ":" + action;
        }
    }

    /** The answer for a message, from its number and how many times it was delivered before. */
    @FunctionalInterface
    private interface Answer
    {
        Action of(int number, int seenBefore);
    }

    /** Records every delivery and answers as the test says; checks each payload is the message published. */
    private static final class Script implements ControlledFragmentHandler
    {
        final List<Delivery> deliveries = new ArrayList<>();
        final List<Integer> consumed = new ArrayList<>();
        private final Map<Integer, Integer> seen = new HashMap<>();
        private final Answer answer;

        Script(final Answer answer)
        {
            this.answer = answer;
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final int number = buffer.getInt(offset);
            assertEquals(length, buffer.getInt(offset + 4), "payload length of message " + number);
            final int before = seen.merge(number, 1, Integer::sum) - 1;
            final long position = header.position();
            Action action = null;
            try
            {
                action = answer.of(number, before);
                return action;
            }
            finally
            {
                deliveries.add(new Delivery(number, position, length, action));
                if (null != action && ABORT != action)
                {
                    consumed.add(number);
                }
            }
        }
    }
}
