package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code shmbus topics} tells a mirrored-out topic's mirror state under it; other topics get no such line.
 */
@Timeout(30)
class TopicsMirrorOutCliTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-topics-");

    @Test
    void topicsShowsTheMirrorOfAMirroredTopic() throws Exception
    {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            port = socket.getLocalPort();
        }
        final Path config = Files.writeString(fixture.root().resolve("broker.conf"), "[topic.defaults]\n" +
            "capacity = 64k\n[topic m]\nmirror.channel = aeron:udp?endpoint=127.0.0.1:" + port + "\n[topic plain]\n");
        fixture.launch(new BrokerContext().configFile(config).dataDir(fixture.dataDir()));
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            final Producer producer = bus.addProducer("m");
            while (producer.offer(new UnsafeBuffer(new byte[100]), 0, 100) < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final String expected = "    mirror out: no receiver connected, sent to position 160 (0 bytes behind the " +
            "archive), held by back pressure 0 times";
        CliRun run;
        while (!(run = CliRun.run("", "topics", "--dir", fixture.shm().toString())).stdout.contains(expected))
        {
            if (System.nanoTime() > deadline)
            {
                fail("no mirror line in:\n" + run.stdout);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertEquals(0, run.code);
        final String[] lines = run.stdout.split("\n");
        int mirrorLines = 0;
        for (int i = 0; i < lines.length; i++)
        {
            if (lines[i].startsWith("    mirror out:"))
            {
                mirrorLines++;
                assertTrue(lines[i - 1].startsWith("m "), "under topic m: " + run.stdout);
            }
        }
        assertEquals(1, mirrorLines, run.stdout);
    }
}
