package io.shmbus.ipc;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shmbus subscribe} in its own JVM, stopped by SIGTERM (what Ctrl-C and {@code kill} send) while it
 * follows a topic: it must be gone promptly, having closed its consumer itself (the broker is told, rather than
 * finding a dead process's slot later).
 * <p>
 * The bound: a subscriber's shutdown hook used to join the main thread, which was itself blocked inside
 * {@code System.exit} (it cannot return while the hook runs), so every stop took the join's full 2 s timeout:
 * 2.02 s measured, every time. Stopping takes a few tens of milliseconds now (the command sees the stop flag within
 * one idle step of at most 1 ms, closes its consumer and returns). 1.5 s lies between the two with room for a
 * loaded 2-core machine on the fast side, while the old behaviour cannot go below 2 s.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SubscribeSignalTest
{
    private static final String TOPIC = "signalled";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long STOP_BOUND_MS = 1_500;
    private static final int SIGTERM_EXIT = 128 + 15;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aLocalSubscriberStopsPromptlyOnSigtermAndClosesItsConsumer()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir);
        final JavaProcess subscriber = BrokerDaemon.cli(children, "subscriber", "subscribe", "--dir", dir.toString(),
            "--topic", TOPIC, "--from", "earliest");
        stopWhileFollowing(broker, dir, subscriber);
    }

    @Test
    void aRemoteSubscriberStopsPromptlyOnSigterm()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir, "--data-dir",
            children.shmDirectory().resolve("data").toString(), "--net-port", "0");
        final String line = broker.awaitErrLine("broker: serving network subscribers on ", WAIT);
        final String address = line.substring(line.lastIndexOf(' ') + 1);
        publish(dir, "before");
        final JavaProcess subscriber = BrokerDaemon.cli(children, "subscriber", "subscribe", "--remote", address,
            "--topic", TOPIC, "--from", "earliest");
        subscriber.awaitLine("before", WAIT);
        final long stopMs = stop(subscriber);
        assertTrue(stopMs < STOP_BOUND_MS, "gone " + stopMs + " ms after SIGTERM; bound " + STOP_BOUND_MS +
            " ms (see the class comment)");
    }

    private void stopWhileFollowing(final JavaProcess broker, final Path dir, final JavaProcess subscriber)
    {
        publish(dir, "hello");
        subscriber.awaitLine("hello", WAIT);
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": consumers", v -> v == 1, "1", WAIT);

        final long stopMs = stop(subscriber);
        assertTrue(stopMs < STOP_BOUND_MS, "gone " + stopMs + " ms after SIGTERM; bound " + STOP_BOUND_MS +
            " ms (see the class comment)");
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": consumers", v -> v == 0, "0", WAIT);
        assertEquals(0, BrokerDaemon.counter(dir, BrokerDaemon.CONSUMERS_FREED),
            "the subscriber closed its consumer itself: the broker freed no slot of a dead process");
    }

    /** SIGTERM, then the time until the process is gone and its output read. */
    private static long stop(final JavaProcess subscriber)
    {
        final long startNs = System.nanoTime();
        final int status = subscriber.terminate(WAIT);
        final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(SIGTERM_EXIT, status, "the exit status of a process stopped by SIGTERM");
        System.out.println("SubscribeSignalTest: " + subscriber.name() + " gone " + stopMs + " ms after SIGTERM");
        return stopMs;
    }

    private static void publish(final Path dir, final String text)
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir)))
        {
            final Producer producer = bus.addProducer(TOPIC);
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            final long deadlineNs = System.nanoTime() + WAIT.toNanos();
            while (producer.offer(new UnsafeBuffer(bytes), 0, bytes.length) < 0)
            {
                assertTrue(System.nanoTime() < deadlineNs, "published within " + WAIT);
                Thread.yield();
            }
        }
    }
}
