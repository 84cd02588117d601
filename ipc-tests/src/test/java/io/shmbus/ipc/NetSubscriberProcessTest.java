package io.shmbus.ipc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The daemon as a user runs it ({@code shmbus broker --data-dir DIR --net-port 0}) with two producer processes
 * publishing at full speed: a TCP subscriber in this process, speaking docs/protocol.md, follows the topic live
 * from the start and receives every message of each producer once, in order, intact, in contiguous frames; when
 * the broker is stopped with SIGTERM, the subscriber sees its connection end.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NetSubscriberProcessTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final String LISTENING = "broker: serving network subscribers on ";
    private static final int PRODUCERS = 2;
    private static final int MESSAGES = 20_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aNetworkSubscriberFollowsProducerProcessesThroughTheDaemon() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path dataDir = children.shmDirectory().resolve("data");
        final Path config = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic.defaults]", "capacity = 256k");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir, "--data-dir", dataDir.toString(),
            "--config", config.toString(), "--net-port", "0");
        final String listening = broker.awaitErrLine(LISTENING, TIMEOUT);
        final int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());

        final List<JavaProcess> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final JavaProcess producer = children.start("producer-" + p, NumberedProducerMain.class, "dir=" + dir,
                "topic=" + TOPIC, "producer=" + p, "firstSeq=0");
            producer.awaitLine("READY", TIMEOUT); // the topic exists (and is archived) from here on
            producers.add(producer);
        }

        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int)TIMEOUT.toMillis());
            final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            socket.getOutputStream().write(subscribeFromEarliest(TOPIC));
            final ByteBuffer response = read(in, 32);
            assertEquals(0x424D4853, response.getInt(0), "magic");
            assertEquals(1, response.getShort(6), () -> "OK, not " + message(in, response));
            final long start = response.getLong(16);
            final int maxFrameLength = response.getInt(24);

            producers.forEach(producer -> producer.send("GO " + MESSAGES));
            long end = 0;
            for (final JavaProcess producer : producers)
            {
                final KeyValues sent = KeyValues.parseLine(producer.awaitLine("SENT", TIMEOUT));
                assertEquals(MESSAGES, sent.getLong("next"), producer.name() + " sent all: " + sent);
                end = Math.max(end, sent.getLong("position"));
            }

            final int[] nextSeq = new int[PRODUCERS];
            long position = start;
            int heartbeats = 0;
            while (position < end)
            {
                final ByteBuffer header = read(in, 32);
                final int length = header.getInt(0);
                final short type = header.getShort(4);
                assertTrue(length >= 32 && length <= maxFrameLength, "frame length " + length + " at " + position);
                assertEquals(position, header.getLong(8), "frame position");
                final ByteBuffer rest = read(in, ((length + 31) & ~31) - 32);
                if (3 == type)
                {
                    heartbeats++;
                    continue;
                }
                if (2 == type)
                {
                    final ByteBuffer payload = rest.slice(0, length - 32).order(ByteOrder.LITTLE_ENDIAN);
                    final int producer = payload.getInt(0);
                    final int seq = payload.getInt(4);
                    assertEquals(nextSeq[producer], seq, "producer " + producer + " in order at " + position);
                    assertTrue(NumberedMessages.isIntact(payload, producer, seq), "intact at " + position);
                    nextSeq[producer]++;
                }
                else
                {
                    assertEquals(1, type, "only padding, data and heartbeats: type " + type + " at " + position);
                }
                position += (length + 31) & ~31;
            }
            for (int p = 0; p < PRODUCERS; p++)
            {
                assertEquals(MESSAGES, nextSeq[p], "every message of producer " + p + " once");
            }
            assertTrue(BrokerDaemon.counter(dir, "net: bytes sent") >= end - start, "bytes sent counted");

            for (final JavaProcess producer : producers)
            {
                producer.send("EXIT");
                producer.awaitSuccess(TIMEOUT);
            }
            assertEquals(0, broker.terminate(TIMEOUT), "SIGTERM stops the broker cleanly");
            assertTrue(endsWithClose(in), "the subscriber sees the connection end when the broker stops");
            System.out.printf("%s: %,d messages from %d producer processes over TCP, positions %,d..%,d, " +
                "%d heartbeat(s)%n", getClass().getSimpleName(), (long)MESSAGES * PRODUCERS, PRODUCERS, start, end,
                heartbeats);
        }
    }

    /** A SUBSCRIBE request, as docs/protocol.md draws it: earliest, live, no token. */
    private static byte[] subscribeFromEarliest(final String topic)
    {
        final byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer request = ByteBuffer.allocate(40 + name.length).order(ByteOrder.LITTLE_ENDIAN);
        request.putInt(0x424D4853).putShort((short)1).putShort((short)1).putInt(request.capacity())
            .put((byte)0).put((byte)0).putShort((short)name.length).putLong(0).putLong(-1)
            .putShort((short)0).put(new byte[6]).put(name);
        return request.array();
    }

    private static ByteBuffer read(final DataInputStream in, final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String message(final DataInputStream in, final ByteBuffer response)
    {
        try
        {
            return "code " + response.getInt(12) + ": " + new String(read(in, response.getInt(8) - 32).array(),
                StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "code " + response.getInt(12);
        }
    }

    /** Reads (and drops heartbeats) until the stream ends. */
    private static boolean endsWithClose(final DataInputStream in) throws IOException
    {
        try
        {
            while (true)
            {
                final ByteBuffer header = read(in, 32);
                assertEquals(3, header.getShort(4), "nothing but heartbeats after the last message");
            }
        }
        catch (final EOFException | SocketException ex)
        {
            return true;
        }
    }
}
