package io.shmbus.ipc;

import io.shmbus.client.InsufficientStorageException;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker daemon that cannot create a new topic's ring in its shared-memory directory (here its file size limit,
 * {@code prlimit --fsize}, is below the ring's size; a full tmpfs takes the same path with ENOSPC): the client that
 * asked gets {@link InsufficientStorageException} with the reason, no partial file is left, the broker logs and
 * counts the rejected command and goes on serving, and a topic that fits is created and used. A topic of the
 * config file is created at start: one that cannot be stops the start with the same reason.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NoSpaceForATopicBrokerTest
{
    /** Above the CnC file (about 7.3 MiB) and a 64 KiB ring, below a 16 MiB ring. */
    private static final long FILE_SIZE_LIMIT = 12L * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aRingThatCannotBeCreatedIsRefusedAndTheBrokerGoesOn() throws Exception
    {
        final Path prlimit = Paths.get("/usr/bin/prlimit");
        Assumptions.assumeTrue(Files.isExecutable(prlimit), "needs prlimit (util-linux) to limit the file size");
        final Path dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic.defaults]", "capacity = 16m", "[topic small]", "capacity = 64k");
        final JavaProcess broker = BrokerDaemon.startWrapped(children, "broker",
            List.of(prlimit.toString(), "--fsize=" + FILE_SIZE_LIMIT + ":unlimited"), dir, "--config",
            configFile.toString());
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir)))
        {
            final InsufficientStorageException refused = assertThrows(InsufficientStorageException.class,
                () -> bus.addProducer("big"));
            assertTrue(refused.getMessage().contains(" in " + dir + ": it needs 16781312 bytes"), refused.getMessage());
            assertTrue(refused.getMessage().contains("ulimit -f"), refused.getMessage());
            assertFalse(Files.exists(TopicLog.fileOf(dir, "big")), "no partial ring left");
            broker.awaitErrLine("conductor: rejected command", TIMEOUT);
            BrokerDaemon.awaitCounter(broker, dir, BrokerDaemon.COMMANDS_REJECTED, value -> value >= 1, ">= 1",
                TIMEOUT);

            try (Producer producer = bus.addProducer("small"))
            {
                assertTrue(producer.offer(new UnsafeBuffer(new byte[16]), 0, 16) > 0, "the broker goes on");
            }
            assertTrue(broker.isAlive(), "the broker keeps running");
        }
    }

    @Test
    void aConfiguredTopicThatCannotBeCreatedStopsTheStart() throws Exception
    {
        final Path prlimit = Paths.get("/usr/bin/prlimit");
        Assumptions.assumeTrue(Files.isExecutable(prlimit), "needs prlimit (util-linux) to limit the file size");
        final Path dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic big]", "capacity = 16m");
        final JavaProcess broker = children.start("broker", List.of(prlimit.toString(), "--fsize=" +
            FILE_SIZE_LIMIT + ":unlimited"), JavaProcess.DEFAULT_JVM_OPTIONS, System.getProperty("java.class.path"),
            BrokerCliMain.class, "broker", "--dir", dir.toString(), "--no-data-dir", "--config", configFile.toString());
        final String error = broker.awaitErrLine("shmbus broker: error: ", TIMEOUT);
        assertTrue(error.contains("it needs 16781312 bytes (16 MiB), more than this process may write to one file"),
            error);
        assertEquals(1, broker.awaitExit(TIMEOUT));
        assertFalse(Files.exists(dir.resolve("cnc.dat")), "no CnC file of a broker that did not start");
    }
}
