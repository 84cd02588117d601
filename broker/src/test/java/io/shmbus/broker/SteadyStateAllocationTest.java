package io.shmbus.broker;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Consumer;
import io.shmbus.client.ExclusiveProducer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.RemoteConsumer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Nothing allocates in steady state, on either side. Three persistent topics, archived with retention on, are
 * published to through a shared {@link Producer} ({@code offer}), a shared producer's {@code tryClaim}/{@code commit}
 * and an {@link ExclusiveProducer} ({@code offer} and {@code tryClaim}), consumed in shared memory with
 * {@code poll}, and one is sent live to a network subscriber; meanwhile the broker's conductor runs every timer it
 * has (flow control and cleaning, heartbeats, client liveness, unblocking, the exited-process check, retention) and
 * the client's conductor sends keepalives. Bytes allocated are read per thread with
 * {@code ThreadMXBean.getThreadAllocatedBytes} around windows of seconds of that traffic: the broker's conductor
 * (which also archives), its network server, the client's conductor, and the application thread that publishes and
 * polls. Segments are 1 GiB so that no window holds a segment end (opening the next segment's files allocates).
 * A scraper fetches the broker's {@code /metrics} five times a second throughout: a scrape reads the counters on the
 * metrics server's own thread, which allocates per scrape and is not measured (it is on no hot path); the agents
 * must not allocate for it.
 * <p>
 * The first windows may allocate (JIT compilation, the first retention listing, a rarely taken path's first run);
 * then {@value #CLEAN_WINDOWS_REQUIRED} windows in a row must be clean, so an allocation every duty cycle, every
 * timer tick or every few seconds fails the test.
 */
@Timeout(180)
class SteadyStateAllocationTest
{
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(3);
    /** Windows allowed before the clean ones: JIT warm-up, and a one-off allocation after it. */
    private static final int WARM_UP_WINDOWS = 5;
    private static final int CLEAN_WINDOWS_REQUIRED = 2;
    private static final int MESSAGE_LENGTH = 128;
    private static final String[] BROKER_AND_CLIENT_THREADS =
        {"shmbus-broker-conductor", "shmbus-broker-net", "shmbus-client-conductor"};

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
    private final BufferClaim claim = new BufferClaim();
    private final FragmentHandler counting = (buffer, offset, length, header) -> this.received++;
    private final FragmentHandler remoteCounting = (buffer, offset, length, header) -> this.remoteReceived++;
    private Path root;
    private Broker broker;
    private ShmBus bus;
    private RemoteConsumer remote;
    private Producer shared;
    private Producer claiming;
    private ExclusiveProducer exclusive;
    private Consumer sharedConsumer;
    private Consumer claimingConsumer;
    private Consumer exclusiveConsumer;
    private long sequence;
    private long published;
    private long received;
    private long remoteReceived;
    private Thread scraper;
    private volatile int scrapes;

    @BeforeEach
    void start() throws IOException
    {
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM measures allocation per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-alloc-test-");
        final Path config = root.resolve("broker.conf");
        // retention is on (bytes and age), far from deleting anything: its once-a-second check runs in every window
        Files.writeString(config, "[topic.defaults]\ncapacity = 1m\nretention.bytes = 2g\nretention.age = 1h\n");
        broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(root.resolve("data"))
            .configFile(config).segmentLength(BrokerContext.MAX_SEGMENT_LENGTH).netPort(0).metricsPort(0)
            .log(new PrintStream(brokerLog, true)));
        scraper = new Thread(this::scrape, "metrics-scraper");
        scraper.setDaemon(true);
        scraper.start();
        bus = ShmBus.connect(new ShmBus.Context().dir(root.resolve("shm")));
        shared = bus.addProducer("shared");
        claiming = bus.addProducer("claiming");
        exclusive = bus.addExclusiveProducer("exclusive");
        sharedConsumer = bus.addConsumer("shared", StartPosition.EARLIEST);
        claimingConsumer = bus.addConsumer("claiming", StartPosition.EARLIEST);
        exclusiveConsumer = bus.addConsumer("exclusive", StartPosition.EARLIEST);
        remote = RemoteConsumer.subscribe(new RemoteConsumer.Context()
            .address("127.0.0.1:" + broker.netPort()).topic("shared").start(StartPosition.EARLIEST));
    }

    @AfterEach
    void stop() throws IOException, InterruptedException
    {
        if (null != scraper)
        {
            scraper.interrupt();
            scraper.join(10_000);
        }
        CloseHelper.quietCloseAll(remote, bus, broker);
        if (null != root)
        {
            try (Stream<Path> paths = Files.walk(root))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void brokerAndClientAllocateNothingInSteadyState()
    {
        run(TimeUnit.SECONDS.toNanos(4)); // JIT, the first retention listing, the subscriber reaches the live end
        assertEquals(RemoteConsumer.State.CONNECTED, remote.state(), "the network subscriber is connected");
        final long[] ids = new long[BROKER_AND_CLIENT_THREADS.length];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = threadId(BROKER_AND_CLIENT_THREADS[i]);
        }
        final long self = Thread.currentThread().getId();

        final StringBuilder windows = new StringBuilder();
        int clean = 0;
        for (int w = 0; w < WARM_UP_WINDOWS + CLEAN_WINDOWS_REQUIRED && clean < CLEAN_WINDOWS_REQUIRED; w++)
        {
            final long[] before = threads.getThreadAllocatedBytes(ids);
            final long selfBefore = threads.getThreadAllocatedBytes(self);
            final long publishedBefore = published;
            final long receivedBefore = received;
            final long remoteBefore = remoteReceived;
            run(WINDOW_NS);
            final long selfAllocated = threads.getThreadAllocatedBytes(self) - selfBefore;
            final long[] after = threads.getThreadAllocatedBytes(ids);

            assertTrue(published - publishedBefore > 3_000, "messages published in the window");
            assertTrue(received - receivedBefore > 3_000, "messages consumed in the window");
            assertTrue(remoteReceived - remoteBefore > 1_000, "messages received over TCP in the window");
            assertTrue(scrapes > 0, "the metrics are scraped");
            boolean windowClean = 0 == selfAllocated;
            windows.append("window ").append(w).append(": application=").append(selfAllocated);
            for (int i = 0; i < ids.length; i++)
            {
                assertTrue(before[i] >= 0 && after[i] >= 0, BROKER_AND_CLIENT_THREADS[i] + " is alive");
                final long allocated = after[i] - before[i];
                windows.append(' ').append(BROKER_AND_CLIENT_THREADS[i]).append('=').append(allocated);
                windowClean &= 0 == allocated;
            }
            windows.append('\n');
            // Consecutive clean windows: a path's first run (a constant resolved, a ring's first wrap) can allocate
            // once, late; an allocation that recurs in steady state shows in every window and never lets two pass.
            clean = windowClean ? clean + 1 : 0;
        }
        assertEquals(CLEAN_WINDOWS_REQUIRED, clean, "bytes allocated in windows of " +
            TimeUnit.NANOSECONDS.toSeconds(WINDOW_NS) + " s of steady state:\n" + windows + "broker log:\n" + brokerLog);
    }

    /**
     * Publishes through each producer, polls each consumer and the network subscriber, for {@code durationNs}:
     * a few MB/s a topic. Allocates nothing itself: the handlers are fields and the loop only counts.
     */
    private void run(final long durationNs)
    {
        final long deadline = System.nanoTime() + durationNs;
        while (System.nanoTime() - deadline < 0)
        {
            for (int i = 0; i < 2; i++)
            {
                message.putLong(0, sequence++);
                published += shared.offer(message, 0, MESSAGE_LENGTH) > 0 ? 1 : 0;
                if (claiming.tryClaim(MESSAGE_LENGTH, claim) > 0)
                {
                    claim.buffer().putLong(claim.offset(), sequence);
                    claim.commit();
                    published++;
                }
                published += exclusive.offer(message, 0, MESSAGE_LENGTH) > 0 ? 1 : 0;
                if (exclusive.tryClaim(MESSAGE_LENGTH, claim) > 0)
                {
                    claim.buffer().putLong(claim.offset(), sequence);
                    claim.commit();
                    published++;
                }
            }
            sharedConsumer.poll(counting, 64);
            claimingConsumer.poll(counting, 64);
            exclusiveConsumer.poll(counting, 64);
            remote.poll(remoteCounting, 64);
            LockSupport.parkNanos(100_000);
        }
    }

    /** Fetches /metrics every 200 ms until interrupted. */
    private void scrape()
    {
        final java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        final java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + broker.metricsPort() + "/metrics")).build();
        while (!Thread.currentThread().isInterrupted())
        {
            try
            {
                if (200 == client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                {
                    scrapes++;
                }
                Thread.sleep(200);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final IOException ex)
            {
                return; // the broker stopped
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
        fail("no thread named " + name);
        return -1;
    }
}
