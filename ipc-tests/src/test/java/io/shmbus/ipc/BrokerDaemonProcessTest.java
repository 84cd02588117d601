package io.shmbus.ipc;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shmbus.ipc.BusChildren.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker daemon started as a user starts it ({@code shmbus broker --dir DIR --config FILE} in its own JVM),
 * with producers and consumers in separate JVMs that only know the directory: they register through the broker and
 * exchange messages in shared memory, every message checked by every consumer.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrokerDaemonProcessTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final int CAPACITY = 1024 * 1024;
    private static final int MAX_LENGTH = 2048;
    private static final int PROCESSES = 2;
    private static final int THREADS = 2;
    private static final int MESSAGES = 60_000;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(40);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void producerAndConsumerProcessesExchangeEveryMessageThroughTheBrokerDaemon()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "# the test topic: a small ring, so the stream laps it many times",
            "[topic " + TOPIC + "]",
            "capacity = 1m");
        final JavaProcess broker = BrokerDaemon.start(children, "broker", dir, "--config", configFile.toString());
        final IpcTestConfig config = new IpcTestConfig(dir.toString(), CAPACITY, PROCESSES, THREADS, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config + ", " + MESSAGES + " messages per thread");

        final long[] expect = ChildReports.filled(PROCESSES, MESSAGES);
        final JavaProcess c0 = consumer(children, config, "c0", "earliest", expect);
        final JavaProcess c1 = consumer(children, config, "c1", "earliest", expect);
        final JavaProcess p0 = producer(children, config, 0);
        final JavaProcess p1 = producer(children, config, 1);
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": consumers", v -> v == 2, "2", RUN_TIMEOUT);
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": producers", v -> v == 2, "2", RUN_TIMEOUT);

        final long startNs = System.nanoTime();
        p0.send("GO " + MESSAGES);
        p1.send("GO " + MESSAGES);
        final long[] perStream = ChildReports.filled(PROCESSES * THREADS, MESSAGES);
        assertArrayEquals(ChildReports.filled(THREADS, MESSAGES),
            awaitSent(p0, 1, false, RUN_TIMEOUT).getLongs("counts"), "p0 sent everything");
        assertArrayEquals(ChildReports.filled(THREADS, MESSAGES),
            awaitSent(p1, 1, false, RUN_TIMEOUT).getLongs("counts"), "p1 sent everything");
        c0.send("FINISH");
        c1.send("FINISH");
        final KeyValues s0 = ChildReports.awaitPerfectStream(c0, perStream, RUN_TIMEOUT);
        final KeyValues s1 = ChildReports.awaitPerfectStream(c1, perStream, RUN_TIMEOUT);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.printf("%s: %,d messages (%,d bytes) from %d producer processes reached each of 2 consumer " +
            "processes through the broker daemon in %,d ms%n", getClass().getSimpleName(),
            s0.getLong("received"), s0.getLong("bytes"), PROCESSES, elapsedMs);
        assertEquals(s0.getLong("bytes"), s1.getLong("bytes"), "both consumers read the same bytes");

        exit(p0, RUN_TIMEOUT);
        exit(p1, RUN_TIMEOUT);
        // clients that close deregister: the broker's view of the topic empties
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": consumers", v -> v == 0, "0", RUN_TIMEOUT);
        BrokerDaemon.awaitCounter(broker, dir, "topic " + TOPIC + ": producers", v -> v == 0, "0", RUN_TIMEOUT);
        assertEquals(0, BrokerDaemon.counter(dir, BrokerDaemon.CLIENTS_GONE), "no client was declared dead");
        assertEquals(0, BrokerDaemon.counter(dir, BrokerDaemon.COMMANDS_REJECTED), "no command was rejected");
        assertTrue(broker.isAlive(), "the broker serves on");
    }

    /**
     * The broker runs with umask 000, so that nothing but the broker's own choice can make the directory and its
     * files private: a broker that left permissions to the umask would create them world-readable here.
     */
    @Test
    void brokerCreatesItsDirectoryPrivateAndItsFilesPrivate() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("private");
        final Path dataHome = children.shmDirectory().resolve("xdg");
        // no --data-dir: the daemon archives into its default data directory, $XDG_DATA_HOME/shmbus/<dir name>
        final JavaProcess broker = children.startWrapped("broker",
            List.of("/bin/sh", "-c", "umask 000 && XDG_DATA_HOME=" + dataHome + " exec \"$@\"", "sh"),
            BrokerCliMain.class, "broker", "--dir", dir.toString());
        broker.awaitErrLine(BrokerDaemon.READY_PREFIX, BrokerDaemon.START_TIMEOUT);

        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir)))
        {
            final Producer producer = bus.addProducer("perms"); // the broker creates perms.log
            assertTrue(producer.position() >= 0);
        }

        final Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                modes.put(file.getFileName().toString(),
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            }
        }
        System.out.println(getClass().getSimpleName() + ": " + dir + " " +
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)) + ", files " + modes);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)),
            "the shared-memory directory is private to its user");
        assertTrue(modes.containsKey("cnc.dat") && modes.containsKey("perms.log"), "the broker's files: " + modes);
        modes.forEach((name, mode) -> assertEquals("rw-------", mode, name + " is private to its user"));

        final Path dataDir = dataHome.resolve("shmbus").resolve("private");
        assertTrue(Files.isDirectory(dataDir.resolve("perms")), "archived into the default data directory " + dataDir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)),
            "the data directory the broker created is private to its user");
        assertTrue(broker.stderrLines().stream().anyMatch(line -> line.contains("archived to " + dataDir)),
            "the broker says where it archives: " + broker.stderrLines());
    }
}
