package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus consumers}, {@code shmbus consumer reset} and {@code shmbus subscribe --name} against an embedded
 * broker with a data directory.
 */
@Timeout(120)
class NamedConsumerCliTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("named-cli-");

    @BeforeEach
    void setUp() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "");
    }

    private CliRun run(final String stdin, final String... args)
    {
        return CliRun.runOn(fixture.shm(), stdin, args);
    }

    @Test
    void subscribeWithANameResumesWhereItStopped()
    {
        assertEquals(0, run("a\nb\nc\nd\n", "publish", "--topic", "orders").code);
        final CliRun first = run("", "subscribe", "--topic", "orders", "--name", "billing", "--from", "earliest",
            "--count", "2");
        assertEquals(0, first.code, first.stderr);
        assertEquals("a\nb\n", first.stdout);
        final CliRun second = run("", "subscribe", "--topic", "orders", "--name", "billing", "--from", "latest",
            "--count", "2");
        assertEquals(0, second.code, second.stderr);
        assertEquals("c\nd\n", second.stdout, "resumes after what the first printed; --from applies only once");

        final CliRun list = run("", "consumers", "--topic", "orders");
        assertEquals(0, list.code, list.stderr);
        final String[] lines = list.stdout.split("\n");
        assertEquals(2, lines.length, list.stdout);
        assertTrue(lines[0].startsWith("TOPIC"), list.stdout);
        final String[] row = lines[1].trim().split(" +");
        assertEquals("orders", row[0]);
        assertEquals("billing", row[1]);
        assertEquals("0", row[3], "lag: it read everything");
        assertEquals("-", row[4], "no holder");
        assertEquals(0, run("", "consumers").code);
    }

    @Test
    void resetMovesANameThatNoProcessHolds()
    {
        assertEquals(0, run("a\nb\nc\n", "publish", "--topic", "orders").code);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm())))
        {
            bus.addNamedConsumer("orders", "billing", StartPosition.LATEST).close(); // known, at the tail
        }
        final CliRun reset = run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "earliest");
        assertEquals(0, reset.code, reset.stderr);
        assertTrue(reset.stdout.contains("resumes at position"), reset.stdout);
        final CliRun again = run("", "subscribe", "--topic", "orders", "--name", "billing", "--count", "3");
        assertEquals("a\nb\nc\n", again.stdout, again.stderr);
    }

    @Test
    void resetIsRefusedWhileAProcessHoldsTheNameAndForMistakes()
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            Consumer holder = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
        {
            assertNotNull(holder);
            final CliRun held = run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "latest");
            assertEquals(1, held.code, held.stderr);
            assertTrue(held.stderr.contains("held by process " + ProcessHandle.current().pid()), held.stderr);
        }
        assertEquals(2, run("", "consumer", "reset", "nobody", "--topic", "orders", "--to", "latest").code);
        assertEquals(2, run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "sometime").code);
        assertEquals(2, run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "999999").code);
        final CliRun unaligned = run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "3");
        assertEquals(2, unaligned.code);
        assertTrue(unaligned.stderr.contains("not the start of a frame"), unaligned.stderr);
        assertEquals(2, run("", "consumer", "reset", "bad name", "--topic", "orders", "--to", "latest").code);
        assertEquals(2, run("", "consumer", "reset", "billing", "--to", "latest").code);
        assertEquals(2, run("", "consumer", "rewind", "billing").code);
        assertEquals(2, run("", "consumers", "--topic", "no-such-topic").code);
        final CliRun ok = run("", "consumer", "reset", "billing", "--topic", "orders", "--to", "latest");
        assertEquals(0, ok.code, ok.stderr);
    }
}
