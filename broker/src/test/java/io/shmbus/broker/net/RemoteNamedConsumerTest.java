package io.shmbus.broker.net;

import io.shmbus.client.Consumer;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.ControlledFragmentHandler.Action;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.Producer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.RemoteConsumer;
import io.shmbus.client.remote.RemoteProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.shmbus.broker.net.RawSubscriber.KIND_EARLIEST;
import static io.shmbus.broker.net.RawSubscriber.KIND_POSITION;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Durable named consumers over the network (protocol version 2): a remote subscriber with a name resumes after the
 * last message it acknowledged (by {@code commit()} or a COMMIT action), across reconnections and broker restarts;
 * the name is one consumer whether it is held locally or remotely; and the broker checks every COMMIT it gets.
 * Messages are 64-byte frames numbered from 0, so message {@code n} starts at position {@code 64 n}.
 */
@Timeout(60)
class RemoteNamedConsumerTest
{
    private static final String TOPIC = "orders";
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    private NetFixture fixture;
    private Producer producer;
    private final List<Throwable> errors = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException
    {
        fixture = new NetFixture(ctx -> ctx.netHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50)));
        producer = fixture.bus.addProducer(TOPIC);
        final long tail = fixture.publishFixed(producer, 100);
        fixture.awaitArchived(TOPIC, tail);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        fixture.close();
    }

    @Test
    void aRestartedNamedConsumerResumesAfterItsLastCommit()
    {
        try (RemoteConsumer consumer = named("billing", StartPosition.EARLIEST))
        {
            assertEquals(List.of(0, 39), firstAndLast(read(consumer, 40)));
            consumer.commit();
            assertEquals(40 * 64, consumer.committedPosition());
            assertEquals(20, read(consumer, 20).size(), "read, never acknowledged");
        }
        try (RemoteConsumer consumer = named("billing", StartPosition.LATEST))
        {
            assertEquals(List.of(40, 99), firstAndLast(read(consumer, 60)), "resumes at the commit, not LATEST");
        }
        try (RemoteConsumer other = named("audit", StartPosition.at(64 * 90)))
        {
            assertEquals(List.of(90, 99), firstAndLast(read(other, 10)), "a new name starts where it is told");
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void aCommitActionAcknowledgesUpToItsMessageOnly()
    {
        try (RemoteConsumer consumer = named("billing", StartPosition.EARLIEST))
        {
            final List<Integer> seen = new ArrayList<>();
            pollUntil(consumer, () -> seen.size() >= 50, () -> consumer.controlledPoll((buffer, offset, length, h) ->
            {
                seen.add(buffer.getInt(offset));
                return 25 == buffer.getInt(offset) ? Action.COMMIT : Action.CONTINUE;
            }, 7));
            assertEquals(26 * 64, consumer.committedPosition(), "right after message 25, not after later ones");
        }
        try (RemoteConsumer consumer = named("billing", StartPosition.EARLIEST))
        {
            assertEquals(26, read(consumer, 1).get(0));
        }
    }

    @Test
    void theNameIsOneConsumerWhetherHeldLocallyOrRemotely() throws Exception
    {
        try (RemoteConsumer remote = named("billing", StartPosition.EARLIEST))
        {
            read(remote, 30);
            remote.commit();
            read(remote, 1); // the COMMIT goes out with this poll

            final ConsumerNameInUseException local = assertThrows(ConsumerNameInUseException.class,
                () -> fixture.bus.addNamedConsumer(TOPIC, "billing", StartPosition.EARLIEST));
            assertTrue(local.getMessage().contains("held by network subscriber"), local.getMessage());

            try (RemoteConsumer second = named("billing", StartPosition.EARLIEST))
            {
                final ConsumerNameInUseException thrown = assertThrows(ConsumerNameInUseException.class,
                    () -> pollUntil(second, () -> false, () -> second.poll((b, o, l, h) -> { }, 10)));
                assertTrue(thrown.getMessage().contains("CONSUMER_NAME_IN_USE") &&
                    thrown.getMessage().contains("held by network subscriber"), thrown.getMessage());
                assertEquals(RemoteConsumer.State.FAILED, second.state());
            }
        }
        // the broker frees the name when it sees the connection end, and keeps its last commit
        final long deadline = System.nanoTime() + DEADLINE_NS;
        Consumer local = null;
        while (null == local)
        {
            try
            {
                local = fixture.bus.addNamedConsumer(TOPIC, "billing", StartPosition.EARLIEST);
            }
            catch (final ConsumerNameInUseException ex)
            {
                assertTrue(System.nanoTime() < deadline, "the name was not freed: " + ex.getMessage());
                NetFixture.sleep(5);
            }
        }
        try (Consumer held = local)
        {
            final int[] first = {-1};
            final long pollDeadline = System.nanoTime() + DEADLINE_NS;
            while (first[0] < 0)
            {
                held.poll((buffer, offset, length, header) -> first[0] = buffer.getInt(offset), 1);
                assertTrue(System.nanoTime() < pollDeadline, "the local consumer got no message");
            }
            assertEquals(30, first[0], "the local consumer resumes at the remote one's commit");

            try (RemoteConsumer remote = named("billing", StartPosition.EARLIEST))
            {
                final ConsumerNameInUseException thrown = assertThrows(ConsumerNameInUseException.class,
                    () -> pollUntil(remote, () -> false, () -> remote.poll((b, o, l, h) -> { }, 10)));
                assertTrue(thrown.getMessage().contains("held by process " + ProcessHandle.current().pid()),
                    thrown.getMessage());
            }
        }
    }

    @Test
    void remoteCommitsSurviveABrokerRestart()
    {
        try (RemoteConsumer consumer = named("billing", StartPosition.EARLIEST))
        {
            read(consumer, 70);
            consumer.commit();
        } // the COMMIT goes out at the close
        awaitStored("billing", 70 * 64);
        fixture.restartBroker();
        try (RemoteConsumer consumer = named("billing", StartPosition.EARLIEST))
        {
            assertEquals(List.of(70, 99), firstAndLast(read(consumer, 30)));
        }
    }

    @Test
    void aCommitSentAfterTheEndOfABoundedReplayIsKept()
    {
        final RemoteConsumer.Context ctx = context("replayer", StartPosition.EARLIEST).endPosition(64 * 50);
        try (RemoteConsumer consumer = RemoteConsumer.subscribe(ctx))
        {
            final List<Integer> seen = new ArrayList<>();
            pollUntil(consumer, consumer::isEnded, () -> consumer.poll((b, o, l, h) -> seen.add(b.getInt(o)), 10));
            assertEquals(50, seen.size());
            consumer.commit(); // after END: the broker still reads it until the close
        }
        awaitStored("replayer", 50 * 64);
    }

    @Test
    void theBrokerChecksEveryCommit() throws Exception
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(RawSubscriber.namedRequest(RemoteProtocol.FLAG_RESUME_NAMED, KIND_EARLIEST, 0, -1, TOPIC,
                null, "raw"));
            final RawSubscriber.Response response = subscriber.readResponse();
            assertTrue(response.isOk(), response.toString());
            assertEquals(RemoteProtocol.VERSION_NAMED, response.version(), "answered in the request's version");
            subscriber.readStream(0, 64 * 100);
            final byte[] commit = RawSubscriber.commit(64 * 10);
            subscriber.send(java.util.Arrays.copyOf(commit, 5)); // a COMMIT in pieces is one COMMIT
            NetFixture.sleep(20);
            subscriber.send(java.util.Arrays.copyOfRange(commit, 5, 16));
            awaitStored("raw", 64 * 10);

            subscriber.send(RawSubscriber.commit(64 * 200)); // not sent yet: a position it cannot have received
            final RawSubscriber.Stream stream = subscriber.readStream(64 * 100, Long.MAX_VALUE);
            assertEquals(5, stream.last.type(), "STREAM ERROR");
            assertEquals(RemoteProtocol.PROTOCOL_VIOLATION, stream.last.producerId());
            assertTrue(stream.last.payloadText().contains("the broker has sent the stream only up to 6400"),
                stream.last.payloadText());
        }
        assertEquals(64 * 10, stored("raw"), "a refused COMMIT stores nothing");
        expectViolation(RawSubscriber.commit(64 * 3 + 8), "not a frame boundary");
        final byte[] wrongType = RawSubscriber.commit(64);
        wrongType[4] = 9;
        expectViolation(wrongType, "unknown message type 9 after the request (1 = COMMIT)");
    }

    @Test
    void badNamedRequestsAreRefused() throws Exception
    {
        expectRefusal(RawSubscriber.namedRequest(0, KIND_EARLIEST, 0, -1, TOPIC, null, "a/b"),
            RemoteProtocol.MALFORMED_REQUEST, "invalid consumer name 'a/b'");
        final byte[] resumeWithoutName = RawSubscriber.namedRequest(RemoteProtocol.FLAG_RESUME_NAMED,
            KIND_EARLIEST, 0, -1, TOPIC, null, "");
        expectRefusal(resumeWithoutName, RemoteProtocol.MALFORMED_REQUEST, "needs a consumer name");
        final byte[] version1WithName = RawSubscriber.namedRequest(0, KIND_EARLIEST, 0, -1, TOPIC, null, "x");
        version1WithName[4] = 1;
        expectRefusal(version1WithName, RemoteProtocol.MALFORMED_REQUEST, "request length 47 is not 40");
        expectRefusal(RawSubscriber.namedRequest(0, KIND_EARLIEST, 0, -1, TOPIC, null, "n".repeat(65)),
            RemoteProtocol.MALFORMED_REQUEST, "consumer name length 65 is over 64");
        assertEquals(0, fixture.counter("broker: errors"), fixture.brokerLog.toString());
    }

    @Test
    void anonymousRequestsOfEitherVersionAreAnsweredInTheirVersion() throws Exception
    {
        try (RawSubscriber v2 = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            v2.send(RawSubscriber.namedRequest(0, KIND_POSITION, 64 * 5, 64 * 7, TOPIC, null, ""));
            final RawSubscriber.Response response = v2.readResponse();
            assertTrue(response.isOk(), response.toString());
            assertEquals(2, response.version());
            assertEquals(2, v2.readStream(64 * 5, Long.MAX_VALUE).frames);
        }
        try (RawSubscriber v1 = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            final RawSubscriber.Response response = v1.subscribe(KIND_POSITION, 64 * 5, 64 * 7, TOPIC, null);
            assertTrue(response.isOk(), response.toString());
            assertEquals(1, response.version());
        }
    }

    @Test
    void aStoredPositionLostToRetentionIsAClearError() throws Exception
    {
        fixture.close();
        fixture = new NetFixture("[topic kept]\nretention.bytes = 256k\n", ctx -> { });
        final Producer kept = fixture.bus.addProducer("kept");
        fixture.awaitArchived("kept", fixture.publishFixed(kept, 10));
        try (RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context().topic("kept")
            .host("127.0.0.1").port(fixture.port()).consumerName("slow").start(StartPosition.EARLIEST)
            .errorHandler(errors::add)))
        {
            read(consumer, 5);
            consumer.commit();
        }
        awaitStored("kept", "slow", 64 * 5);
        for (int batch = 0; batch < 100 && fixture.counter("topic kept: segments deleted by retention") < 10; batch++)
        {
            fixture.awaitArchived("kept", fixture.publish(kept, batch * 1000, 1000));
        }
        try (RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context().topic("kept")
            .host("127.0.0.1").port(fixture.port()).consumerName("slow").start(StartPosition.EARLIEST)
            .errorHandler(errors::add)))
        {
            final PositionUnavailableException thrown = assertThrows(PositionUnavailableException.class,
                () -> pollUntil(consumer, () -> false, () -> consumer.poll((b, o, l, h) -> { }, 10)));
            assertTrue(thrown.getMessage().contains("consumer 'slow' of topic 'kept' stopped at position 320, " +
                "which is no longer retained") && thrown.getMessage().contains("shmbus consumer reset"),
                thrown.getMessage());
        }
    }

    private void expectViolation(final byte[] message, final String expected) throws IOException
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(RawSubscriber.namedRequest(0, KIND_EARLIEST, 0, -1, TOPIC, null, "checked"));
            assertTrue(subscriber.readResponse().isOk());
            subscriber.send(message);
            final RawSubscriber.Stream stream = subscriber.readStream(0, Long.MAX_VALUE);
            assertEquals(5, stream.last.type(), "STREAM ERROR");
            assertEquals(RemoteProtocol.PROTOCOL_VIOLATION, stream.last.producerId());
            assertTrue(stream.last.payloadText().contains(expected), stream.last.payloadText());
            assertTrue(subscriber.isClosedByBroker());
        }
    }

    private void expectRefusal(final byte[] request, final int code, final String expected) throws IOException
    {
        try (RawSubscriber subscriber = new RawSubscriber(fixture.port(), READ_TIMEOUT_MS))
        {
            subscriber.send(request);
            final RawSubscriber.Response response = subscriber.readResponse();
            assertEquals(code, response.errorCode(), response.toString());
            assertTrue(response.message().contains(expected), response.message());
        }
    }

    private RemoteConsumer named(final String name, final StartPosition start)
    {
        return RemoteConsumer.subscribe(context(name, start));
    }

    private RemoteConsumer.Context context(final String name, final StartPosition start)
    {
        return new RemoteConsumer.Context().topic(TOPIC).host("127.0.0.1").port(fixture.port()).consumerName(name)
            .start(start).errorHandler(errors::add);
    }

    /** Reads exactly {@code count} messages (fragment limit 1 at the end, so none is read past them). */
    private List<Integer> read(final RemoteConsumer consumer, final int count)
    {
        final List<Integer> numbers = new ArrayList<>();
        pollUntil(consumer, () -> numbers.size() >= count, () -> consumer.poll(
            (buffer, offset, length, header) -> numbers.add(buffer.getInt(offset)),
            Math.max(1, Math.min(10, count - numbers.size()))));
        return numbers;
    }

    private static List<Integer> firstAndLast(final List<Integer> numbers)
    {
        return List.of(numbers.get(0), numbers.get(numbers.size() - 1));
    }

    private void pollUntil(final RemoteConsumer consumer, final BooleanSupplier done, final Runnable poll)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!done.getAsBoolean())
        {
            poll.run();
            assertTrue(System.nanoTime() < deadline, "not within 20 s: " + consumer + ", errors " + errors);
            Thread.yield();
        }
    }

    private long stored(final String name)
    {
        return stored(TOPIC, name);
    }

    private long stored(final String topic, final String name)
    {
        final String listing = fixture.bus.namedConsumers(topic);
        for (final String line : listing.split("\n"))
        {
            if (line.contains(" name=" + name + " "))
            {
                return Long.parseLong(line.replaceAll(".* position=(\\d+) .*", "$1"));
            }
        }
        return -1;
    }

    private void awaitStored(final String name, final long position)
    {
        awaitStored(TOPIC, name, position);
    }

    private void awaitStored(final String topic, final String name, final long position)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (stored(topic, name) != position)
        {
            assertTrue(System.nanoTime() < deadline, "consumer '" + name + "' stored " + stored(topic, name) +
                ", expected " + position + "; broker log:\n" + fixture.brokerLog);
            NetFixture.sleep(5);
        }
    }
}
