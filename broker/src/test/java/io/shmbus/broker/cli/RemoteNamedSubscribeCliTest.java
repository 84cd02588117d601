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
 * {@code shmbus subscribe --remote HOST:PORT --name NAME}: a durable named consumer over TCP resumes after what it
 * printed, is one consumer with a local one of the same name, and a held name is a clear error.
 */
@Timeout(120)
class RemoteNamedSubscribeCliTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("remote-named-cli-");

    @BeforeEach
    void setUp() throws IOException
    {
        fixture.launch(fixture.smallContext(fixture.dataDir(), "").netPort(0));
    }

    private CliRun local(final String stdin, final String... args)
    {
        return CliRun.runOn(fixture.shm(), stdin, args);
    }

    private CliRun remote(final String... args)
    {
        return CliRun.run("", CliRun.withOption(args, "--remote", "127.0.0.1:" + fixture.broker().netPort()));
    }

    @Test
    void aRemoteNamedSubscribeResumesWhereItStoppedAndSharesTheNameWithLocalOnes()
    {
        assertEquals(0, local("a\nb\nc\nd\ne\n", "publish", "--topic", "orders").code);
        final CliRun first = remote("subscribe", "--topic", "orders", "--name", "billing", "--from", "earliest",
            "--count", "2");
        assertEquals(0, first.code, first.stderr);
        assertEquals("a\nb\n", first.stdout);
        final CliRun second = remote("subscribe", "--topic", "orders", "--name", "billing", "--count", "2");
        assertEquals(0, second.code, second.stderr);
        assertEquals("c\nd\n", second.stdout, "resumes after what the first printed; --from applies only once");
        final CliRun third = local("", "subscribe", "--topic", "orders", "--name", "billing", "--count", "1");
        assertEquals("e\n", third.stdout, "the local consumer of the name goes on from there: " + third.stderr);

        final CliRun list = local("", "consumers", "--topic", "orders");
        assertEquals(0, list.code, list.stderr);
        final String[] row = list.stdout.split("\n")[1].trim().split(" +");
        assertEquals("billing", row[1]);
        assertEquals("0", row[3], "lag: it read everything");
    }

    @Test
    void aHeldNameIsAClearError()
    {
        assertEquals(0, local("a\n", "publish", "--topic", "orders").code);
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(fixture.shm()));
            Consumer holder = bus.addNamedConsumer("orders", "billing", StartPosition.EARLIEST))
        {
            assertNotNull(holder);
            final CliRun held = remote("subscribe", "--topic", "orders", "--name", "billing", "--count", "1");
            assertEquals(1, held.code, held.stderr);
            assertTrue(held.stderr.contains("CONSUMER_NAME_IN_USE") &&
                held.stderr.contains("held by process " + ProcessHandle.current().pid()), held.stderr);
            assertFalse(held.stderr.contains("\tat "), "no stack trace: " + held.stderr);
        }
        final CliRun badName = remote("subscribe", "--topic", "orders", "--name", "bad name", "--count", "1");
        assertEquals(2, badName.code, badName.stderr);
        assertTrue(badName.stderr.contains("invalid consumer name 'bad name'"), badName.stderr);
    }
}
