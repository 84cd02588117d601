package io.shmbus.broker.mirror;

import io.shmbus.broker.net.NetFixture;
import io.shmbus.client.Producer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A live mirror allocates nothing on its thread: frames flow from the source broker through a live stream (a plain
 * Aeron publication fed from the source's segments) into the mirror's ring, and the mirror thread's allocated bytes
 * ({@code ThreadMXBean.getThreadAllocatedBytes}) are read around windows of that traffic. The first windows may
 * allocate (JIT compilation); then two in a row must be clean.
 */
@Timeout(60)
class MirrorSteadyStateAllocationTest
{
    private static final String TOPIC = "t";
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int WARM_UP_WINDOWS = 6;
    private static final int CLEAN_WINDOWS_REQUIRED = 2;

    private NetFixture source;
    private NetFixture mirror;
    private LiveStreamDriver live;
    private Producer producer;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[128]);
    private long sequence;

    @BeforeEach
    void setUp() throws IOException
    {
        source = new NetFixture("", ctx -> { });
        producer = source.bus.addProducer(TOPIC);
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + LiveStreamDriver.freeUdpPort();
        live = new LiveStreamDriver(source.root.resolve("aeron-live"), channel,
            MirrorStreamIds.defaultStreamId(TOPIC), source, TOPIC, 0);
        mirror = new NetFixture("[mirror " + TOPIC + "]\nchannel = " + channel + "\nsource = 127.0.0.1:" +
            source.port() + "\n", ctx -> { });
        live.awaitConnected();
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try
        {
            live.close();
            mirror.close();
        }
        finally
        {
            source.close();
        }
    }

    @Test
    void aLiveMirrorAllocatesNothingOnItsThread()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long mirrorThread = threadId();
        int clean = 0;
        final StringBuilder windows = new StringBuilder();
        for (int window = 0; window < WARM_UP_WINDOWS + CLEAN_WINDOWS_REQUIRED && clean < CLEAN_WINDOWS_REQUIRED;
            window++)
        {
            final long before = threads.getThreadAllocatedBytes(mirrorThread);
            final long positionBefore = mirror.counter("mirror " + TOPIC + ": position");
            run(WINDOW_NS);
            final long allocated = threads.getThreadAllocatedBytes(mirrorThread) - before;
            assertTrue(mirror.counter("mirror " + TOPIC + ": position") > positionBefore, "frames flowed");
            windows.append(" ").append(allocated);
            clean = 0 == allocated ? clean + 1 : 0;
        }
        assertEquals(CLEAN_WINDOWS_REQUIRED, clean, "bytes allocated by the mirror thread per window:" + windows);
        assertEquals(MirrorCounters.LIVE, mirror.counter("mirror " + TOPIC + ": state"), "it stayed live");
        final long catchUps = mirror.counter("mirror " + TOPIC + ": catch-ups");
        assertTrue(catchUps <= 1, "at most the catch-up at the start, none while live: " + catchUps);
    }

    private void run(final long durationNs)
    {
        final long deadline = System.nanoTime() + durationNs;
        while (System.nanoTime() - deadline < 0)
        {
            for (int i = 0; i < 20; i++)
            {
                message.putLong(0, sequence++);
                producer.offer(message, 0, message.capacity());
            }
            live.sendArchived(position -> false);
            NetFixture.sleep(5);
        }
    }

    private static long threadId()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (MirrorReceiver.ROLE_NAME.equals(thread.getName()))
            {
                return thread.getId();
            }
        }
        fail("no thread named " + MirrorReceiver.ROLE_NAME);
        return -1;
    }
}
