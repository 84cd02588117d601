package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus subscribe} as a user meets it: started before the broker or before the topic exists (it waits,
 * or with {@code --no-wait} / an expired {@code --wait} fails at once and says so), against a closed port (it
 * really retries, or fails without promising a retry), and across a broker restart (it resumes at the next
 * position: nothing printed twice, nothing skipped).
 */
@Timeout(120)
class SubscribeCliTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("cli-subscribe-");

    /** The broker's directory, for {@code --dir}. */
    private String dir()
    {
        return fixture.shm().toString();
    }

    private Broker launch(final int netPort)
    {
        final BrokerContext ctx = new BrokerContext().dataDir(fixture.dataDir());
        if (netPort >= 0)
        {
            ctx.netPort(netPort);
        }
        return fixture.launch(ctx);
    }

    private static CompletableFuture<CliRun> inBackground(final String... args)
    {
        return CompletableFuture.supplyAsync(() -> CliRun.run("", args));
    }

    private void publish(final String topic, final String lines)
    {
        final CliRun sent = CliRun.run(lines, "publish", "--dir", dir(), "--topic", topic);
        assertEquals(0, sent.code, sent.stderr);
    }

    /** Long enough for a subscriber started in the background to have found nothing and begun to wait. */
    private static void letItWait() throws InterruptedException
    {
        Thread.sleep(700);
    }

    @Test
    void aLocalSubscriberStartedBeforeTheBrokerWaitsForIt() throws Exception
    {
        final CompletableFuture<CliRun> subscriber = inBackground("subscribe", "--dir", dir(), "--topic",
            "news", "--from", "earliest", "--count", "2");
        letItWait();
        assertFalse(subscriber.isDone(), () -> "exited instead of waiting: " + subscriber.join().stderr);
        launch(-1);
        publish("news", "hello\nworld\n");
        final CliRun run = subscriber.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.code, run.stderr);
        assertEquals("hello\nworld\n", run.stdout);
        assertTrue(run.stderr.contains("waiting for a broker on " + fixture.shm()), run.stderr);
        assertEquals(1, run.stderr.split("waiting for a broker", -1).length - 1, "said once: " + run.stderr);
    }

    @Test
    void withoutABrokerNoWaitFailsAtOnceAndAnExpiredWaitSaysItGaveUp()
    {
        final CliRun noWait = CliRun.run("", "subscribe", "--dir", dir(), "--topic", "t", "--no-wait");
        assertEquals(1, noWait.code);
        assertTrue(noWait.stderr.contains("no broker is running on " + fixture.shm()), noWait.stderr);
        assertFalse(noWait.stderr.contains("waiting"), noWait.stderr);

        final CliRun waited = CliRun.run("", "subscribe", "--dir", dir(), "--topic", "t", "--wait", "300ms");
        assertEquals(1, waited.code);
        assertTrue(waited.stderr.contains("waiting for a broker on " + fixture.shm() + " (up to --wait 300ms)"),
            waited.stderr);
        assertTrue(waited.stderr.contains("no broker is running on " + fixture.shm()) &&
            waited.stderr.contains("(gave up after waiting 300ms)"), waited.stderr);

        final CliRun both = CliRun.run("", "subscribe", "--dir", dir(), "--topic", "t", "--wait", "1s",
            "--no-wait");
        assertEquals(2, both.code);
        assertTrue(both.stderr.contains("--wait and --no-wait exclude each other"), both.stderr);
        final CliRun bad = CliRun.run("", "subscribe", "--dir", dir(), "--topic", "t", "--wait", "soon");
        assertEquals(2, bad.code);
    }

    @Test
    void aRemoteSubscriberToATopicNotCreatedYetWaitsForIt() throws Exception
    {
        final String address = "127.0.0.1:" + launch(0).netPort();
        final CompletableFuture<CliRun> subscriber = inBackground("subscribe", "--remote", address, "--topic",
            "later", "--from", "earliest", "--count", "2");
        letItWait();
        assertFalse(subscriber.isDone(), () -> "exited instead of waiting: " + subscriber.join().stderr);
        publish("later", "one\ntwo\n");
        final CliRun run = subscriber.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.code, run.stderr);
        assertEquals("one\ntwo\n", run.stdout);
        assertTrue(run.stderr.contains("waiting for topic 'later' at " + address + " to appear (until Ctrl-C"),
            run.stderr);
        assertFalse(run.stderr.contains("UNKNOWN_TOPIC"), run.stderr);
    }

    @Test
    void aRemoteSubscriberToAMissingTopicFailsWithNoWaitOrAfterItsWait()
    {
        final String address = "127.0.0.1:" + launch(0).netPort();
        final CliRun noWait = CliRun.run("", "subscribe", "--remote", address, "--topic", "absent", "--no-wait");
        assertEquals(1, noWait.code);
        assertTrue(noWait.stderr.contains("UNKNOWN_TOPIC"), noWait.stderr);
        assertFalse(noWait.stderr.contains("waiting"), noWait.stderr);

        final CliRun waited = CliRun.run("", "subscribe", "--remote", address, "--topic", "absent", "--wait",
            "400ms");
        assertEquals(1, waited.code);
        assertTrue(waited.stderr.contains("UNKNOWN_TOPIC") && waited.stderr.contains("gave up after waiting 400ms"),
            waited.stderr);

        // a bounded replay (--to) does not wait unless told to
        final CliRun bounded = CliRun.run("", "subscribe", "--remote", address, "--topic", "absent", "--from",
            "earliest", "--to", "64");
        assertEquals(1, bounded.code);
        assertTrue(bounded.stderr.contains("UNKNOWN_TOPIC"), bounded.stderr);
    }

    @Test
    void aRemoteSubscriberRetriesAClosedPortUntilTheBrokerListens() throws Exception
    {
        final int port = freePort();
        final CompletableFuture<CliRun> subscriber = inBackground("subscribe", "--remote", "127.0.0.1:" + port,
            "--topic", "news", "--from", "earliest", "--count", "1");
        letItWait();
        assertFalse(subscriber.isDone(), () -> "exited instead of retrying: " + subscriber.join().stderr);
        launch(port);
        publish("news", "made it\n");
        final CliRun run = subscriber.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.code, run.stderr);
        assertEquals("made it\n", run.stdout);
        assertTrue(run.stderr.contains("Connection refused; retrying in 100 ms"), run.stderr);
    }

    @Test
    void aClosedPortWithNoWaitOrAnExpiredWaitExitsOneWithoutPromisingARetry() throws IOException
    {
        final String address = "127.0.0.1:" + freePort();
        final CliRun noWait = CliRun.run("", "subscribe", "--remote", address, "--topic", "t", "--no-wait");
        assertEquals(1, noWait.code);
        assertTrue(noWait.stderr.contains("cannot subscribe to topic 't' at " + address + ": Connection refused"),
            noWait.stderr);
        assertFalse(noWait.stderr.contains("retrying"), "no retry follows: " + noWait.stderr);

        final long startNs = System.nanoTime();
        final CliRun waited = CliRun.run("", "subscribe", "--remote", address, "--topic", "t", "--wait", "1s");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(1, waited.code);
        assertTrue(elapsedMs >= 1_000, "waited the second it was given: " + elapsedMs + " ms");
        assertTrue(waited.stderr.contains("retrying in 100 ms") &&
            waited.stderr.contains("Connection refused (gave up after waiting 1s)"), waited.stderr);
    }

    @Test
    void aLocalSubscriberResumesAtItsNextPositionWhenTheBrokerRestarts() throws Exception
    {
        launch(-1);
        publish("news", "one\ntwo\n");
        final CompletableFuture<CliRun> subscriber = inBackground("subscribe", "--dir", dir(), "--topic",
            "news", "--from", "earliest", "--count", "4");
        letItWait();
        fixture.stop();
        letItWait();
        launch(-1);
        publish("news", "three\nfour\n");
        final CliRun run = subscriber.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.code, run.stderr);
        assertEquals("one\ntwo\nthree\nfour\n", run.stdout, "each message once, in order");
        assertTrue(run.stderr.contains("lost the broker at position 128; waiting for it to come back"), run.stderr);
        assertTrue(run.stderr.contains("the broker is back; resuming at position 128"), run.stderr);
    }

    @Test
    void withNoWaitALocalSubscriberSaysWhereToResumeWhenTheBrokerStops() throws Exception
    {
        launch(-1);
        publish("news", "one\n");
        final CompletableFuture<CliRun> subscriber = inBackground("subscribe", "--dir", dir(), "--topic",
            "news", "--from", "earliest", "--no-wait");
        letItWait();
        fixture.stop();
        final CliRun run = subscriber.get(30, TimeUnit.SECONDS);
        assertEquals(1, run.code);
        assertEquals("one\n", run.stdout);
        assertTrue(run.stderr.contains("the broker stopped; not waiting for it (--no-wait): resume with --from 64"),
            run.stderr);
    }

    /** A loopback port nothing listens on (bound to any free port, then released). */
    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
