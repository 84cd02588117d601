package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerCounterValues;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mirror sender allocates nothing in steady state: a mirrored topic published to while a bare subscriber reads
 * the stream, and the bytes the sender's thread allocates read with {@code ThreadMXBean.getThreadAllocatedBytes}
 * around windows of that traffic. Segments are 1 GiB so that no window holds a segment end (opening the next
 * segment file allocates). The first windows may allocate (JIT compilation); then two windows in a row must be clean.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorOutAllocationTest
{
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_WINDOWS = 8;
    private static final int CLEAN_WINDOWS_REQUIRED = 2;

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-alloc-");

    @Test
    void theMirrorSenderAllocatesNothingInSteadyState() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM measures allocation per thread");
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() +
            "|term-length=64k";
        final Path config = Files.writeString(fixture.root().resolve("broker.conf"),
            "[topic m]\ncapacity = 64k\nmirror.channel = " + channel + "\n");
        fixture.launch(new BrokerContext().configFile(config).dataDir(fixture.dataDir())
            .segmentLength(1024L * 1024 * 1024));
        final long senderId = threadId(MirrorSender.ROLE_NAME);

        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            BareAeronSubscriber subscriber = new BareAeronSubscriber(fixture.root().resolve("receiver-aeron"),
                channel, MirrorStreamIds.defaultStreamId("m")))
        {
            subscriber.keep = false;
            subscriber.awaitPolling(subscriber::isConnected, 15_000, "the subscription to connect");
            MirroredTopic.await(() -> BrokerCounterValues.value(fixture.shm(), "mirror-out m: connected") == 1,
                "the mirror's publication to be connected");
            final Producer producer = bus.addProducer("m");
            final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
            int clean = 0;
            for (int window = 0; window < MAX_WINDOWS && clean < CLEAN_WINDOWS_REQUIRED; window++)
            {
                final long framesBefore = subscriber.dataFrames;
                final long before = threads.getThreadAllocatedBytes(senderId);
                final long end = System.nanoTime() + WINDOW_NS;
                while (System.nanoTime() < end)
                {
                    for (int i = 0; i < 16; i++)
                    {
                        producer.offer(message, 0, message.capacity()); // back pressure: the next try
                    }
                    subscriber.poll();
                }
                final long allocated = threads.getThreadAllocatedBytes(senderId) - before;
                assertTrue(subscriber.dataFrames - framesBefore > 10_000, "frames mirrored in the window: " +
                    (subscriber.dataFrames - framesBefore));
                clean = 0 == allocated ? clean + 1 : 0;
            }
            assertEquals(List.of(), subscriber.problems());
            if (clean < CLEAN_WINDOWS_REQUIRED)
            {
                fail("the mirror sender allocated in " + (MAX_WINDOWS - clean) + " of " + MAX_WINDOWS + " windows");
            }
        }
    }

    private static long threadId(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (name.equals(thread.getName()))
            {
                return thread.getId();
            }
        }
        throw new AssertionError("no thread " + name);
    }
}
