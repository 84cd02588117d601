package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TestDirs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * After a broker restart, {@code shmbus consumers} lists the named consumers kept in the data directory of topics
 * the broker has not opened yet, and {@code consumers --topic T} and {@code consumer reset} work on them.
 */
@Timeout(120)
class UnopenedTopicConsumersCliTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("localack-unopened-");
    private Path shm;

    @BeforeEach
    void setUp() throws IOException
    {
        shm = fixture.shm();
        fixture.launchSmall(fixture.dataDir(), "");
    }

    private CliRun run(final String stdin, final String... args)
    {
        return CliRun.runOn(shm, stdin, args);
    }

    /**
     * A broker restart after which {@code topic} is not open: its ring file and segment files are gone, so the
     * broker does not recover it at start (as with any topic it cannot open at start, e.g. when its counters area
     * has no room left), while its directory still holds the named consumers' positions.
     */
    private void restartWithoutOpening(final String topic) throws IOException
    {
        fixture.stop();
        TestDirs.delete(shm);
        try (Stream<Path> files = Files.list(fixture.dataDir().resolve(topic)))
        {
            files.filter(p -> !p.getFileName().toString().equals("named-consumers")).forEach(p -> p.toFile().delete());
        }
        fixture.launchSmall(fixture.dataDir(), "");
    }

    private String row(final CliRun list, final String topic)
    {
        for (final String line : list.stdout.split("\n"))
        {
            if (line.startsWith(topic + " "))
            {
                return line.trim().replaceAll(" +", " ");
            }
        }
        return null;
    }

    @Test
    void namedConsumersOfATopicNotOpenedSinceTheRestartAreListedFromTheDataDirectory() throws IOException
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            bus.addNamedConsumer("quiet", "audit", StartPosition.EARLIEST).close(); // nothing ever published
        }
        assertEquals(0, run("a\nb\nc\n", "publish", "--topic", "orders").code);
        assertEquals(0, run("", "subscribe", "--topic", "orders", "--name", "billing", "--from", "earliest",
            "--count", "2").code);
        restartWithoutOpening("quiet");
        assertFalse(Files.exists(shm.resolve("quiet.log")), "the broker has not opened 'quiet'");

        final CliRun list = run("", "consumers");
        assertEquals(0, list.code, list.stderr);
        assertEquals("quiet audit 0 ? -", row(list, "quiet"), "listed from the data directory, lag unknown: " +
            list.stdout);
        assertTrue(row(list, "orders").startsWith("orders billing "), list.stdout);
        assertFalse(Files.exists(shm.resolve("quiet.log")), "listing does not open the topic");

        final CliRun one = run("", "consumers", "--topic", "quiet");
        assertEquals(0, one.code, one.stderr);
        assertEquals("quiet audit 0 0 -", row(one, "quiet"), "the topic's own listing opens it: " + one.stdout);
    }

    @Test
    void resetMovesANamedConsumerOfATopicNotOpenedSinceTheRestart() throws IOException
    {
        assertEquals(0, run("a\nb\nc\n", "publish", "--topic", "orders").code);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(shm)))
        {
            bus.addNamedConsumer("orders", "billing", StartPosition.LATEST).close(); // known, at the tail
        }
        restartWithoutOpening("orders");
        assertEquals(0, run("d\n", "publish", "--topic", "other").code);
        final CliRun reset = run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "earliest");
        assertEquals(0, reset.code, reset.stderr);
        assertTrue(reset.stdout.contains("resumes at position 0"), reset.stdout);
        final CliRun list = run("", "consumers");
        assertTrue(row(list, "orders").startsWith("orders billing 0 "), list.stdout);
    }
}
