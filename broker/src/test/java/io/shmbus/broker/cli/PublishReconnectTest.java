package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus publish} across a broker restart: with {@code --wait} it waits for the next broker on the same
 * directory and sends on from the first message not sent (none twice, none that it counted as sent lost); without
 * it, it stops and says what was not sent and how to send it.
 */
@Timeout(120)
class PublishReconnectTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("cli-publish-");

    private void launch()
    {
        fixture.launch(new BrokerContext().dataDir(fixture.dataDir()));
    }

    private void stop()
    {
        fixture.stop();
    }

    /** A publish fed line by line through a pipe, as a long-running producer pipeline feeds it. */
    private static final class Feed
    {
        final PipedOutputStream input = new PipedOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> exit;

        Feed(final String... args) throws IOException
        {
            final PipedInputStream in = new PipedInputStream(input, 1 << 16);
            exit = CompletableFuture.supplyAsync(() -> Main.run(args, in, new PrintStream(out, true),
                new PrintStream(err, true)));
        }

        void send(final String lines) throws IOException
        {
            input.write(lines.getBytes(StandardCharsets.UTF_8));
            input.flush();
        }

        String err()
        {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** Waits until the client has noticed that its broker stopped: only then does an offer fail. */
        void awaitBrokerLoss() throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!err().contains("is not running"))
            {
                assertTrue(System.nanoTime() < deadline, "the client did not notice the stop within 20 s: " + err());
                Thread.sleep(10);
            }
        }
    }

    @Test
    void withWaitItSendsOnAfterTheBrokerRestartsWithNothingTwiceAndNothingLost() throws Exception
    {
        launch();
        final Feed publish = new Feed("publish", "--dir", fixture.shm().toString(), "--topic", "news", "--wait", "30s");
        publish.send("one\ntwo\n");
        assertEquals(List.of("one", "two"), messages(2));
        stop();
        publish.awaitBrokerLoss();
        publish.send("three\n"); // offered while no broker runs: CLOSED, kept to send again
        Thread.sleep(500);
        assertFalse(publish.exit.isDone(), publish::err);
        launch();
        publish.send("four\n");
        publish.input.close();
        assertEquals(0, publish.exit.get(30, TimeUnit.SECONDS), publish::err);
        assertEquals("sent 4 messages to topic news\n", publish.out.toString(StandardCharsets.UTF_8));
        assertTrue(publish.err().contains("the broker stopped with 2 messages sent; waiting for it " +
            "to come back (up to --wait 30s), then sending on from line 3"), publish.err());
        assertTrue(publish.err().contains("the broker is back; sending on from line 3"), publish.err());
        assertEquals(List.of("one", "two", "three", "four"), messages(4), "each line once, in order");
    }

    @Test
    void withoutWaitItSaysWhatWasNotSentAndHowToSendIt() throws Exception
    {
        launch();
        final Feed publish = new Feed("publish", "--dir", fixture.shm().toString(), "--topic", "news");
        publish.send("one\n");
        assertEquals(List.of("one"), messages(1));
        stop();
        publish.awaitBrokerLoss();
        publish.send("two\n");
        assertEquals(1, publish.exit.get(30, TimeUnit.SECONDS));
        assertEquals("sent 1 message to topic news\n", publish.out.toString(StandardCharsets.UTF_8));
        assertTrue(publish.err().contains("CLOSED at line 2; the broker stopped: line 2 and the rest of the input " +
            "were not sent; once a broker runs, send them with: tail -n +2 INPUT | shmbus publish ..."),
            publish.err());
    }

    @Test
    void withWaitItWaitsForABrokerToStart() throws Exception
    {
        final Feed publish = new Feed("publish", "--dir", fixture.shm().toString(), "--topic", "news", "--wait", "30s");
        publish.send("early\n");
        publish.input.close();
        Thread.sleep(500);
        assertFalse(publish.exit.isDone(), publish::err);
        launch();
        assertEquals(0, publish.exit.get(30, TimeUnit.SECONDS), publish::err);
        assertTrue(publish.err().contains("waiting for a broker on " + fixture.shm() + " (up to --wait 30s)"),
            publish.err());
        assertEquals(List.of("early"), messages(1));

        final CliRun gaveUp = CliRun.run("x\n", "publish", "--dir", fixture.root().resolve("none").toString(),
            "--topic", "t", "--wait", "200ms");
        assertEquals(1, gaveUp.code);
        assertTrue(gaveUp.stderr.contains("no broker is running") &&
            gaveUp.stderr.contains("(gave up after waiting 200ms)"), gaveUp.stderr);
    }

    /** The first {@code count} messages of topic 'news' from the earliest position, as text. */
    private List<String> messages(final int count)
    {
        final List<String> found = new ArrayList<>();
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            final Consumer consumer = bus.addConsumer("news", StartPosition.EARLIEST);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (found.size() < count)
            {
                assertTrue(System.nanoTime() < deadline, "messages within 20 s: " + found);
                consumer.poll((buffer, offset, length, header) ->
                    found.add(buffer.getStringWithoutLengthUtf8(offset, length)), 10);
                Thread.yield();
            }
            final int more = consumer.poll((buffer, offset, length, header) ->
                found.add(buffer.getStringWithoutLengthUtf8(offset, length)), 10);
            assertEquals(0, more, "no more than " + count + ": " + found);
        }
        return found;
    }
}
