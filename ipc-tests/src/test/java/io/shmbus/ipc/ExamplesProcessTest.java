package io.shmbus.ipc;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.bytes.ChronicleJvmRequirements;
import io.shmbus.examples.ConsumerExample;
import io.shmbus.examples.NamedConsumerExample;
import io.shmbus.examples.ProducerExample;
import io.shmbus.examples.RemoteSubscriberExample;
import io.shmbus.examples.ReplayToSocketExample;
import io.shmbus.examples.StructuredMessageExample;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The programs of the {@code examples} module, each run as a user runs it: a separate JVM with its class path and
 * the broker's directory as {@code -Dshmbus.dir}, against a broker daemon; their output and exit status checked.
 * Every example compiles against today's client (the module is built before this one) and still works.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExamplesProcessTest
{
    private static final String TOPIC = "examples";
    private static final String LISTENING = "broker: serving network subscribers on ";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path EXAMPLES = Paths.get(System.getProperty("basedir", "."))
        .toAbsolutePath().getParent().resolve("examples");

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aProducerProcessAndAConsumerProcessExchangeNumberedMessagesInOrder()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir);
        final JavaProcess consumer = example("consumer", dir, ConsumerExample.class, TOPIC, "50000");
        consumer.awaitLine("waiting for 50000 messages on " + TOPIC, TIMEOUT);
        final JavaProcess producer = example("producer", dir, ProducerExample.class, TOPIC, "50000");

        producer.awaitSuccess(TIMEOUT);
        assertNotNull(producer.lastLine("sent 50000 messages, 0..49999, up to position "),
            producer.recentOutput());
        consumer.awaitSuccess(TIMEOUT);
        assertNotNull(consumer.lastLine("received 50000 messages in order"), consumer.recentOutput());
    }

    @Test
    void theConsumerExampleFailsOnAMessageOutOfOrder()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir);
        final JavaProcess producer = example("producer", dir, ProducerExample.class, TOPIC, "10", "5");
        producer.awaitSuccess(TIMEOUT);
        final JavaProcess consumer = example("consumer", dir, ConsumerExample.class, TOPIC, "10");

        assertEquals(1, consumer.awaitExit(TIMEOUT), consumer.recentOutput());
        assertTrue(consumer.stderrLines().contains("expected message 0 at position 0, got message 5"),
            consumer.recentOutput());
    }

    @Test
    void aRemoteSubscriberReadsTheArchiveFromTheEarliestThenFollowsLive()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir,
            "--data-dir", children.shmDirectory().resolve("data").toString(), "--net-port", "0");
        final String listening = broker.awaitErrLine(LISTENING, TIMEOUT);
        final String address = "127.0.0.1:" + listening.substring(listening.lastIndexOf(':') + 1).trim();
        example("history", dir, ProducerExample.class, TOPIC, "1000").awaitSuccess(TIMEOUT);

        final JavaProcess subscriber = example("subscriber", dir, RemoteSubscriberExample.class, address, TOPIC,
            "3000");
        subscriber.awaitLine("received 1000 messages, next position ", TIMEOUT);
        assertNull(subscriber.lastLine("received 2000"), "nothing published after the history yet");
        example("live", dir, ProducerExample.class, TOPIC, "2000", "1000").awaitSuccess(TIMEOUT);

        subscriber.awaitSuccess(TIMEOUT);
        assertNotNull(subscriber.lastLine("received 3000 messages in order"), subscriber.recentOutput());
    }

    @Test
    void aReplayToASocketSendsWhatShmbusReplaySends() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir, "--data-dir", children.shmDirectory().resolve("data").toString());
        example("producer", dir, ProducerExample.class, TOPIC, "5000").awaitSuccess(TIMEOUT);

        final byte[] received;
        final JavaProcess replay;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            server.setSoTimeout((int)TIMEOUT.toMillis());
            replay = example("replay", dir, ReplayToSocketExample.class, TOPIC,
                "127.0.0.1:" + server.getLocalPort());
            try (Socket socket = server.accept())
            {
                socket.setSoTimeout((int)TIMEOUT.toMillis());
                try (InputStream in = socket.getInputStream())
                {
                    received = in.readAllBytes(); // to the end: the example closes the connection when done
                }
            }
        }
        replay.awaitSuccess(TIMEOUT);
        assertNotNull(replay.lastLine("replayed 5000 messages, positions 0.."), replay.recentOutput());

        final ByteBuffer stream = ByteBuffer.wrap(received).order(ByteOrder.LITTLE_ENDIAN);
        for (long seq = 0; seq < 5000; seq++)
        {
            assertEquals(Long.BYTES, stream.getInt(), "length of message " + seq);
            assertEquals(seq, stream.getLong(), "message " + seq);
        }
        assertFalse(stream.hasRemaining(), "nothing after the last message");

        final Path cliOut = children.shmDirectory().resolve("cli.bin");
        final JavaProcess cli = BrokerDaemon.cli(children, "cli-replay", "replay", "--dir", dir.toString(),
            "--topic", TOPIC, "--format", "payload", "--out", cliOut.toString());
        cli.awaitSuccess(TIMEOUT);
        assertArrayEquals(Files.readAllBytes(cliOut), received, "the same bytes as shmbus replay --format payload");
    }

    @Test
    void aReplayToASocketStopsAtTheTailOfWhenItStarted() throws Exception
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir, "--data-dir", children.shmDirectory().resolve("data").toString());
        example("producer", dir, ProducerExample.class, TOPIC, "5000").awaitSuccess(TIMEOUT);

        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong published = new AtomicLong(5000);
        final AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        final Thread publisher = new Thread(() ->
        {
            // numbered messages go on arriving while the replay runs: it must stop at the tail it started with
            final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[Long.BYTES]);
            try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir));
                Producer producer = bus.addProducer(TOPIC))
            {
                while (!stop.get() && published.get() < 1_000_000)
                {
                    message.putLong(0, published.get(), ByteOrder.LITTLE_ENDIAN);
                    final long result = producer.offer(message, 0, Long.BYTES);
                    if (result < 0)
                    {
                        idle.idle(); // held back by the replay's consumer or the archiver
                    }
                    else if (0 == published.incrementAndGet() % 37)
                    {
                        idle.reset();
                        LockSupport.parkNanos(1_000_000); // bursts that do not line up with the replay's polls of 100
                    }
                }
            }
            catch (final Throwable ex)
            {
                publishFailure.set(ex);
            }
        }, "publisher");
        publisher.start();
        final byte[] received;
        final JavaProcess replay;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            server.setSoTimeout((int)TIMEOUT.toMillis());
            final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
            while (published.get() == 5000 && System.nanoTime() < deadlineNs && publisher.isAlive())
            {
                Thread.sleep(1);
            }
            replay = example("replay", dir, ReplayToSocketExample.class, TOPIC,
                "127.0.0.1:" + server.getLocalPort());
            try (Socket socket = server.accept(); InputStream in = socket.getInputStream())
            {
                socket.setSoTimeout((int)TIMEOUT.toMillis());
                received = in.readAllBytes();
            }
            replay.awaitSuccess(TIMEOUT);
        }
        finally
        {
            stop.set(true);
            publisher.join(TIMEOUT.toMillis());
        }
        assertNull(publishFailure.get(), () -> "publisher: " + publishFailure.get());

        final String line = replay.lastLine("replayed ");
        assertNotNull(line, replay.recentOutput());
        final long end = Long.parseLong(line.replaceAll(".*positions 0\\.\\.(\\d+),.*", "$1"));
        final long frame = 64; // an 8-byte payload after a 32-byte header, aligned to 32: no padding in a 4 MiB ring
        final ByteBuffer stream = ByteBuffer.wrap(received).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(end / frame * (Integer.BYTES + Long.BYTES), received.length,
            "every message before position " + end + " and none after: " + line);
        for (long seq = 0; stream.hasRemaining(); seq++)
        {
            assertEquals(Long.BYTES, stream.getInt(), "length of message " + seq);
            assertEquals(seq, stream.getLong(), "message " + seq);
        }
        assertTrue(end > 5000 * frame, "the replay started while messages arrived: " + line);
    }

    @Test
    void aNamedConsumerResumesAfterItsLastCommitAfterAnExitAndAKill() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir);
        final Path ledger = children.shmDirectory().resolve("billing.ledger");
        example("history", dir, ProducerExample.class, TOPIC, "3000").awaitSuccess(TIMEOUT);

        // a normal exit after part of the stream: everything it processed is committed
        final JavaProcess first = example("billing-1", dir, NamedConsumerExample.class, TOPIC, "billing", "1000",
            ledger.toString(), "64");
        first.awaitSuccess(TIMEOUT);
        assertNotNull(first.lastLine("processed 1000 messages, skipped 0, committed up to position "),
            first.recentOutput());
        assertEquals(1000, ledgerSequences(ledger).size());

        // killed while waiting for more: it processed 2000 more and committed 31 x 64, so the last 16 are not
        final JavaProcess second = example("billing-2", dir, NamedConsumerExample.class, TOPIC, "billing", "100000",
            ledger.toString(), "64");
        awaitLedgerLines(ledger, 3000, second);
        assertTrue(second.kill(TIMEOUT), "killed " + second);
        assertNull(second.lastLine("skipped"), second.recentOutput());

        example("live", dir, ProducerExample.class, TOPIC, "500", "3000").awaitSuccess(TIMEOUT);
        final JavaProcess third = example("billing-3", dir, NamedConsumerExample.class, TOPIC, "billing", "500",
            ledger.toString(), "64");
        third.awaitSuccess(TIMEOUT);
        assertNotNull(third.lastLine("processed 500 messages, skipped 16, committed up to position "),
            third.recentOutput());
        final List<String> skipped = third.stdoutLines().stream().filter(l -> l.startsWith("skipped")).toList();
        final List<String> expectedSkips = new ArrayList<>();
        final long frame = 64; // an 8-byte payload after a 32-byte header, aligned to 32
        for (long seq = 2984; seq < 3000; seq++)
        {
            expectedSkips.add("skipped message " + seq + " at position " + seq * frame + ": already processed");
        }
        assertEquals(expectedSkips, skipped, "the uncommitted window, by position, and nothing else");

        final List<Long> processed = ledgerSequences(ledger);
        for (int i = 0; i < processed.size(); i++)
        {
            assertEquals(i, processed.get(i), "the ledger holds every message once, in order");
        }
        assertEquals(3500, processed.size(), "no message missed");
    }

    @Test
    void aStructuredMessageIsWrittenInPlaceByOneProcessAndReadInPlaceByAnother()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir);
        final JavaProcess consumer = chronicleExample("consumer", dir, "consume", TOPIC, "20000");
        consumer.awaitLine("waiting for 20000 trades on " + TOPIC, TIMEOUT);
        final JavaProcess producer = chronicleExample("producer", dir, "produce", TOPIC, "20000");

        producer.awaitSuccess(TIMEOUT);
        assertNotNull(producer.lastLine("sent 20000 trades, the last "), producer.recentOutput());
        consumer.awaitSuccess(TIMEOUT);
        long quantity = 0;
        for (long id = 0; id < 20000; id++)
        {
            quantity += id % 100 + 1;
        }
        assertNotNull(consumer.lastLine("received 20000 trades, every field as sent, total quantity " + quantity),
            consumer.recentOutput());
    }

    @Test
    void theStructuredMessageExampleNamesTheMissingChronicleOptions()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        BrokerDaemon.start(children, "broker", dir);
        final JavaProcess producer = example("producer", dir, StructuredMessageExample.class, "produce", TOPIC, "1");

        assertEquals(2, producer.awaitExit(TIMEOUT), producer.recentOutput());
        assertEquals(1, producer.stderrLines().size(), "one line, no stack trace: " + producer.recentOutput());
        assertTrue(producer.stderrLines().get(0).contains(ChronicleJvmRequirements.ALL), producer.recentOutput());
    }

    @Test
    void theExamplesReadmeNamesEveryExample() throws IOException
    {
        final String readme = Files.readString(EXAMPLES.resolve("README.md"));
        final List<String> missing = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(EXAMPLES.resolve("src/main/java")))
        {
            sources.filter(p -> p.toString().endsWith(".java"))
                .map(p -> p.getFileName().toString().replace(".java", ""))
                .filter(name -> !readme.contains(name))
                .forEach(missing::add);
        }
        assertEquals(List.of(), missing, "examples/README.md does not mention these");
    }

    /** Starts an example as a user would: its own JVM, the broker's directory as a system property. */
    private JavaProcess example(final String name, final Path dir, final Class<?> mainClass, final String... args)
    {
        return example(name, dir, List.of(), mainClass, args);
    }

    /** {@link StructuredMessageExample} with the JVM options Chronicle Bytes needs, as its javadoc tells a user. */
    private JavaProcess chronicleExample(final String name, final Path dir, final String... args)
    {
        final List<String> options = new ArrayList<>(Arrays.asList(ChronicleJvmRequirements.ALL.split(" ")));
        options.add("-Dchronicle.analytics.disable=true");
        return example(name, dir, options, StructuredMessageExample.class, args);
    }

    private JavaProcess example(
        final String name, final Path dir, final List<String> extraJvmOptions, final Class<?> mainClass,
        final String... args)
    {
        final List<String> jvmOptions = new ArrayList<>(JavaProcess.DEFAULT_JVM_OPTIONS);
        jvmOptions.addAll(extraJvmOptions);
        jvmOptions.add("-D" + ShmDirectory.DIR_PROP_NAME + "=" + dir);
        return children.start(name, List.of(), jvmOptions, System.getProperty("java.class.path"), mainClass, args);
    }

    /** The sequence numbers in a {@link NamedConsumerExample} ledger, in the order processed. */
    private static List<Long> ledgerSequences(final Path ledger) throws IOException
    {
        return Files.readAllLines(ledger).stream().map(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))).toList();
    }

    private static void awaitLedgerLines(final Path ledger, final int lines, final JavaProcess consumer)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (ledgerSequences(ledger).size() < lines)
        {
            if (System.nanoTime() > deadlineNs || !consumer.isAlive())
            {
                throw consumer.failure("the ledger holds " + ledgerSequences(ledger).size() + " of " + lines +
                    " messages");
            }
            LockSupport.parkNanos(10_000_000);
        }
    }
}
