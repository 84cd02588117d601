package io.shmbus.ipc;

import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.ConnectionLostException;
import io.shmbus.client.remote.RemoteConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network subscriber across a broker killed with SIGKILL: a broker daemon ({@code --data-dir}, {@code --net-port
 * 0}) archives what a producer process publishes; a {@link RemoteConsumer} in this JVM reads it over TCP from the
 * earliest position. Mid-stream the broker is killed: the consumer reports the lost connection and each failed
 * attempt to reconnect.
 * A broker restarted on the same directories and port serves it again, and a second producer process continues
 * the numbering. The consumer must see every message exactly once, in order, intact, across the restart.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RemoteConsumerKilledBrokerTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final String ARCHIVED = "topic " + TOPIC + ": archived position";
    private static final String NET_PREFIX = "broker: serving network subscribers on ";
    private static final int BEFORE_KILL = 150_000;
    private static final int RECEIVED_AT_KILL = 20_000;
    private static final int AFTER_RESTART = 30_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private final byte[] scratch = new byte[NumberedProducerMain.MAX_LENGTH];
    private int nextSeq;
    private String anomaly;

    @Test
    void resumesExactlyWhereItStoppedWhenTheBrokerIsKilledAndRestarted()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path dataDir = children.shmDirectory().resolve("data");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic.defaults]", "capacity = 1m", "persistent = true");

        final JavaProcess broker1 = BrokerDaemon.start(children, "broker-1", dir, "--data-dir", dataDir.toString(),
            "--config", configFile.toString(), "--net-port", "0");
        final String address = broker1.awaitErrLine(NET_PREFIX, START_TIMEOUT).substring(NET_PREFIX.length()).trim();
        final int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));

        // everything the first producer sends is archived before the subscription starts, so the kill below
        // lands while the consumer is still reading archived data that sits beyond any socket buffer
        final JavaProcess producer1 = producer(dir, "producer-a", 0);
        producer1.send("GO " + BEFORE_KILL);
        final long position1 = KeyValues.parseLine(producer1.awaitLine("SENT", RUN_TIMEOUT)).getLong("position");
        BrokerDaemon.awaitCounter(broker1, dir, ARCHIVED, value -> value >= position1, ">= " + position1, RUN_TIMEOUT);

        try (RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context()
            .host("127.0.0.1").port(port).topic(TOPIC).start(StartPosition.EARLIEST)
            .reconnectBackoffMs(50).reconnectBackoffMaxMs(500).errorHandler(errors::add)))
        {
            pollUntil(consumer, () -> nextSeq >= RECEIVED_AT_KILL, RECEIVED_AT_KILL + " messages before the kill");
            assertTrue(broker1.kill(Duration.ofSeconds(10)), "broker-1 killed");

            pollUntil(consumer, () -> RemoteConsumer.State.RECONNECTING == consumer.state(),
                "the consumer noticing the kill");
            final int receivedAtLoss = nextSeq;
            assertTrue(receivedAtLoss < BEFORE_KILL, "the broker died mid-stream: " + receivedAtLoss + " of " +
                BEFORE_KILL + " received when the connection was lost");
            assertTrue(errors.get(0) instanceof ConnectionLostException, "reported: " + errors);
            producer1.send("EXIT");
            producer1.awaitSuccess(RUN_TIMEOUT);
            pollUntil(consumer, () -> errors.size() >= 2, "a failed attempt to reconnect while no broker runs");
            assertTrue(errors.get(1).getMessage().contains("cannot subscribe to topic '" + TOPIC + "'"),
                "reported: " + errors);

            final JavaProcess broker2 = BrokerDaemon.start(children, "broker-2", dir, "--data-dir",
                dataDir.toString(), "--config", configFile.toString(), "--net-port", Integer.toString(port));
            final JavaProcess producer2 = producer(dir, "producer-b", BEFORE_KILL);
            producer2.send("GO " + AFTER_RESTART);

            pollUntil(consumer, () -> nextSeq >= BEFORE_KILL + AFTER_RESTART, "every message after the restart");
            assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
            assertEquals(BEFORE_KILL + AFTER_RESTART, nextSeq);
            final long lost = errors.stream().filter(e -> !(e instanceof ConnectionLostException)).count();
            assertEquals(0, lost, "only lost connections reported: " + errors);
            System.out.printf("%s: %,d messages exactly once in order; connection lost after %,d; %d report(s) " +
                "(the loss, then failed attempts while no broker ran); resumed on port %d%n", getClass().getSimpleName(), nextSeq,
                receivedAtLoss, errors.size(), port);

            producer2.send("EXIT");
            producer2.awaitSuccess(RUN_TIMEOUT);
            consumer.close();
            broker2.terminate(RUN_TIMEOUT);
        }
    }

    private JavaProcess producer(final Path dir, final String name, final int firstSeq)
    {
        final JavaProcess child = children.start(name, NumberedProducerMain.class, "dir=" + dir, "topic=" + TOPIC,
            "producer=0", "firstSeq=" + firstSeq);
        child.awaitLine("READY", START_TIMEOUT);
        return child;
    }

    private void pollUntil(final RemoteConsumer consumer, final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            assertNull(anomaly, anomaly);
            assertTrue(System.nanoTime() - deadlineNs < 0, "no " + what + " within " + RUN_TIMEOUT.toMillis() +
                " ms: " + consumer + ", next seq " + nextSeq + ", reported " + errors);
            if (0 == consumer.poll(this::onMessage, 256))
            {
                Thread.onSpinWait();
            }
        }
        assertNull(anomaly, anomaly);
    }

    private void onMessage(
        final org.agrona.DirectBuffer buffer, final int offset, final int length, final io.shmbus.client.Header header)
    {
        if (null != anomaly)
        {
            return;
        }
        final int producer = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
        final int seq = buffer.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN);
        buffer.getBytes(offset, scratch, 0, Math.min(length, scratch.length));
        if (0 != producer || seq != nextSeq || length > scratch.length ||
            !NumberedMessages.isIntact(ByteBuffer.wrap(scratch, 0, length).order(ByteOrder.LITTLE_ENDIAN), 0, seq))
        {
            anomaly = "at position " + header.position() + ": producer " + producer + " seq " + seq + " length " +
                length + ", expected producer 0 seq " + nextSeq + " intact";
            return;
        }
        nextSeq++;
    }
}
