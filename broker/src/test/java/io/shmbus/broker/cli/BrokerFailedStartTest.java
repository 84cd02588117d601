package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.cnc.CncFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A broker start that fails removes what it created in the shared-memory directory (the directory itself when it
 * made it), and never a file or directory it did not create, nor anything of another running broker.
 */
@Timeout(60)
class BrokerFailedStartTest
{
    private Path root;
    private String stderr;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "errlog-failed-start-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int run(final String... args)
    {
        final CliRun run = CliRun.run("", args);
        stderr = run.stderr;
        return run.code;
    }

    @Test
    void aBadDataDirectoryLeavesNoSharedMemoryDirectoryBehind() throws IOException
    {
        final Path shm = root.resolve("shm");
        final Path notADirectory = Files.writeString(root.resolve("a-file"), "x");
        assertEquals(2, run("broker", "--dir", shm.toString(), "--data-dir", notADirectory.toString()));
        assertTrue(stderr.contains("is not a directory"), stderr);
        assertFalse(Files.exists(shm), "the failed start left " + shm + " behind");
        assertTrue(Files.exists(notADirectory), "a file the broker did not create is kept");
    }

    @Test
    void aTakenPortLeavesNoSharedMemoryDirectoryBehind() throws IOException
    {
        final Path shm = root.resolve("shm");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int code = run("broker", "--dir", shm.toString(), "--data-dir", root.resolve("data").toString(),
                "--net-port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, code, stderr);
        }
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        assertFalse(Files.exists(shm), "the failed start left " + shm + " behind");
    }

    @Test
    void theTopicLogsOfConfiguredTopicsGoToo() throws IOException
    {
        final Path shm = root.resolve("shm");
        final Path config = Files.writeString(root.resolve("broker.conf"),
            "[topic orders]\ncapacity = 64k\n[topic prices]\ncapacity = 64k\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            assertEquals(1, run("broker", "--dir", shm.toString(), "--config", config.toString(),
                "--data-dir", root.resolve("data").toString(), "--net-port", Integer.toString(taken.getLocalPort())),
                stderr);
        }
        assertFalse(Files.exists(shm), "the failed start left " + shm + " behind");
        assertFalse(Files.exists(root.resolve("data")), "and the data directory it made, with the empty archives");
    }

    @Test
    void aTopicLogThatWasThereBeforeIsKept() throws IOException
    {
        final Path shm = Files.createDirectory(root.resolve("shm"));
        final Path config = Files.writeString(root.resolve("broker.conf"),
            "[topic orders]\ncapacity = 64k\n[topic prices]\ncapacity = 64k\n");
        try (io.shmbus.client.Topic orders = io.shmbus.client.Topic.open(new io.shmbus.client.Topic.Context()
            .dir(shm).topic("orders").capacity(64 * 1024)))
        {
            assertNotNull(orders);
        }
        Files.createDirectories(root.resolve("data").resolve("orders"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            assertEquals(1, run("broker", "--dir", shm.toString(), "--config", config.toString(),
                "--data-dir", root.resolve("data").toString(), "--net-port", Integer.toString(taken.getLocalPort())),
                stderr);
        }
        assertTrue(Files.exists(io.shmbus.client.log.TopicLog.fileOf(shm, "orders")), "made before the start");
        assertTrue(Files.isDirectory(root.resolve("data").resolve("orders")), "an archive that was there is kept");
        assertFalse(Files.exists(io.shmbus.client.log.TopicLog.fileOf(shm, "prices")), "made by the failed start");
    }

    @Test
    void aFailedStartInAnExistingDirectoryKeepsTheDirectoryAndWhatWasInIt() throws IOException
    {
        final Path shm = Files.createDirectory(root.resolve("shm"));
        final Path someoneElses = Files.writeString(shm.resolve("other-file"), "kept");
        final Path notADirectory = Files.writeString(root.resolve("a-file"), "x");
        assertEquals(2, run("broker", "--dir", shm.toString(), "--data-dir", notADirectory.toString()));
        assertTrue(Files.isDirectory(shm));
        assertEquals("kept", Files.readString(someoneElses));
        assertFalse(Files.exists(shm.resolve(Broker.LOCK_FILE_NAME)), "the lock file it created is removed");
        assertFalse(Files.exists(CncFile.fileIn(shm)));
    }

    @Test
    void aStartRefusedByARunningBrokerLeavesThatBrokersFilesAlone()
    {
        final Path shm = root.resolve("shm");
        try (Broker running = Broker.launch(new BrokerContext().dir(shm)
            .log(new PrintStream(new ByteArrayOutputStream(), true))))
        {
            assertEquals(1, run("broker", "--dir", shm.toString(), "--no-data-dir"));
            assertTrue(stderr.contains("another broker"), stderr);
            assertTrue(Files.exists(shm.resolve(Broker.LOCK_FILE_NAME)));
            assertTrue(Files.exists(CncFile.fileIn(shm)), "the running broker's cnc.dat is kept");
            assertEquals(0, run("stat", "--dir", shm.toString()), stderr);
        }
    }
}
