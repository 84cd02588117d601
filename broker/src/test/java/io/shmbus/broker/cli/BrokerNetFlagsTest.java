package io.shmbus.broker.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus broker --net-port/--bind}: the help names them, and a bad value is a usage error (exit 2) or a
 * clear failure (exit 1), never a stack trace. (A broker that starts blocks until a signal: the daemon with a
 * network port is tested across processes in ipc-tests.)
 */
@Timeout(30)
class BrokerNetFlagsTest
{
    private Path dir;
    private String stderr;
    private String stdout;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-cli-net-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int run(final String... args)
    {
        final CliRun run = CliRun.run("", args);
        stdout = run.stdout;
        stderr = run.stderr;
        return run.code;
    }

    @Test
    void helpNamesTheNetworkFlags()
    {
        assertEquals(0, run("broker", "--help"));
        assertTrue(stdout.contains("--net-port PORT") && stdout.contains("--bind ADDRESS"), stdout);
    }

    @Test
    void anUnusableDataDirectoryFailsTheStartWithExitCode2() throws IOException
    {
        final String shm = dir.resolve("shm").toString();
        assertEquals(2, run("broker", "--dir", shm, "--data-dir", "/proc/shmbus-no-such-dir"));
        assertTrue(stderr.contains("the data directory /proc/shmbus-no-such-dir cannot hold segments"), stderr);
        final java.nio.file.Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(2, run("broker", "--dir", shm, "--data-dir", file.toString()));
        assertTrue(stderr.contains("is not a directory"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        assertFalse(Files.exists(dir.resolve("shm").resolve("cnc.dat")), "a failed start leaves no cnc.dat");
    }

    @Test
    void badValuesAreClearErrors()
    {
        final String shm = dir.resolve("shm").toString();
        assertEquals(2, run("broker", "--dir", shm, "--net-port", "70000"));
        assertTrue(stderr.contains("--net-port must be 0 to 65535"), stderr);
        assertEquals(2, run("broker", "--dir", shm, "--net-port", "seven"));
        assertTrue(stderr.contains("--net-port needs a whole number"), stderr);
        assertEquals(2, run("broker", "--dir", shm, "--no-data-dir", "--net-port", "0"));
        assertTrue(stderr.contains("data directory"), stderr);
        assertEquals(1, run("broker", "--dir", shm, "--data-dir", dir.resolve("data").toString(), "--net-port", "0",
            "--bind", "192.0.2.1")); // TEST-NET-1: never an address of this host
        assertTrue(stderr.contains("cannot listen for network subscribers on 192.0.2.1"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    }
}
