package io.shmbus.ipc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A mirror across a real (virtual) network: the source broker in one network namespace, the mirror in another,
 * joined by a veth pair the test makes and removes. The link is cut for 10 s and restored while producers go on;
 * and 5% of the packets are dropped each way ({@code tc netem}, or {@code nft} where the kernel has no netem). Aeron recovers (or the mirror
 * catches up from the source's archive), and the mirror is exact; the same over multicast (the docs' set-up): every message once, in order, the segment files
 * the source's. Skipped, with the reason printed, where the machine does not allow network namespaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MirrorNetworkFaultTest
{
    private static final String TOPIC = "far";
    private static final int PRODUCERS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();
    private NetNamespacePair net;

    @BeforeEach
    void setUp()
    {
        final StringBuilder whyNot = new StringBuilder();
        net = NetNamespacePair.create(whyNot);
        if (null == net)
        {
            System.out.println(getClass().getSimpleName() + ": SKIPPED: network namespaces are not available " +
                "here: " + whyNot);
        }
        Assumptions.assumeTrue(null != net, "network namespaces are not available here: " + whyNot);
    }

    @AfterEach
    void tearDown()
    {
        children.close(); // the brokers first: they run inside the namespaces
        if (null != net)
        {
            net.close();
        }
    }

    @Test
    void theLinkCutForTenSecondsAndRestored() throws IOException
    {
        final MirrorPair pair = pair();
        final List<JavaProcess> producers = producers(pair);
        producers.forEach(p -> p.send("GO"));
        awaitMirrorPosition(pair, 1 << 20);

        net.link(false);
        final long cutAt = pair.mirrorCounter("position");
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(10));
        assertTrue(pair.mirrorCounter("position") - cutAt < 1 << 20, "nothing much crossed a cut link");
        net.link(true);
        awaitMirrorPosition(pair, BrokerDaemon.counter(pair.sourceDir, "topic " + TOPIC + ": archived position"));

        finish(pair, producers, "link cut for 10 s");
    }

    /** The docs' multicast set-up: the source sends to a group, the mirror (on another host) receives it. */
    @Test
    void overMulticast()
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "256k", "1m", net.wrapperA(), net.addressA(),
            net.wrapperB(), net.addressB());
        pair.multicast("239.255.77.1", net.subnet());
        pair.startSource("source");
        pair.startMirror("mirror");
        final List<JavaProcess> producers = producers(pair);
        producers.forEach(p -> p.send("GO"));
        awaitMirrorPosition(pair, 2 << 20);
        BrokerDaemon.awaitCounter(pair.mirror, pair.mirrorDir, "mirror " + TOPIC + ": state", v -> 2 == v,
            "2 (live on " + pair.channel() + ")", TIMEOUT);
        final long live = pair.mirrorCounter("position");
        awaitMirrorPosition(pair, live + (1 << 20)); // carried by the multicast stream: the mirror stays live
        assertEquals(2, pair.mirrorCounter("state"), "still live");
        finish(pair, producers, "multicast " + pair.channel());
    }

    @Test
    void fivePercentPacketLoss() throws IOException
    {
        final MirrorPair pair = pair();
        final String how;
        try
        {
            how = net.loss(5);
        }
        catch (final IOException ex)
        {
            System.out.println(getClass().getSimpleName() + ": SKIPPED packet loss: neither tc netem nor nft " +
                "works here: " + ex.getMessage());
            Assumptions.abort("neither tc netem nor nft works here: " + ex.getMessage());
            return;
        }
        final List<JavaProcess> producers = producers(pair);
        producers.forEach(p -> p.send("GO"));
        awaitMirrorPosition(pair, 4 << 20);
        finish(pair, producers, "5% packet loss each way (" + how + ")");
    }

    private MirrorPair pair()
    {
        final MirrorPair pair = new MirrorPair(children, TOPIC, "256k", "1m", net.wrapperA(), net.addressA(),
            net.wrapperB(), net.addressB());
        pair.startSource("source");
        pair.startMirror("mirror");
        return pair;
    }

    private List<JavaProcess> producers(final MirrorPair pair)
    {
        final List<JavaProcess> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final JavaProcess producer = children.start("producer-" + p, NumberedProducerMain.class,
                "dir=" + pair.sourceDir, "topic=" + TOPIC, "producer=" + p, "firstSeq=0", "rate=10000",
                "burst=100");
            producer.awaitLine("READY", TIMEOUT);
            producers.add(producer);
        }
        return producers;
    }

    private void finish(final MirrorPair pair, final List<JavaProcess> producers, final String fault)
    {
        producers.forEach(p -> p.send("STOP"));
        long end = 0;
        for (final JavaProcess producer : producers)
        {
            end = Math.max(end, KeyValues.parseLine(producer.awaitLine("SENT", TIMEOUT)).getLong("position"));
        }
        pair.awaitArchivedAtSource(end, TIMEOUT);
        pair.awaitMirrored(end, TIMEOUT);
        final JavaProcess reader = children.start("reader", NumberedConsumerMain.class, "dir=" + pair.mirrorDir,
            "topic=" + TOPIC, "name=reader", "start=earliest");
        reader.awaitLine("READY", TIMEOUT);
        reader.send("FINISH end=" + end);
        final int status = reader.awaitExit(TIMEOUT);
        final KeyValues summary = KeyValues.parseLine(reader.awaitLine("SUMMARY", Duration.ZERO));
        assertEquals(0, status, summary.toString());
        assertEquals(0, summary.getLong("errors"), summary.toString());
        final int segments = pair.assertSegmentsEqual();
        System.out.printf("%s: %s: %,d bytes mirrored exactly (%d segment files equal), %d catch-up(s); %s%n",
            getClass().getSimpleName(), fault, end, segments, pair.mirrorCounter("catch-ups"), summary.get("streams"));
        for (final JavaProcess producer : producers)
        {
            producer.send("EXIT");
            producer.awaitSuccess(TIMEOUT);
        }
    }

    private static void awaitMirrorPosition(final MirrorPair pair, final long position)
    {
        BrokerDaemon.awaitCounter(pair.mirror, pair.mirrorDir, "mirror " + TOPIC + ": position",
            v -> v >= position, ">= " + position, TIMEOUT);
    }
}
