package io.shmbus.broker.demo;

import io.shmbus.broker.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus demo} end to end ({@link Demo} through the command line), with real producer and consumer
 * processes, the archive and the TCP replay: it succeeds, says so, and leaves no process, shared-memory directory
 * or data directory behind.
 */
@Timeout(60)
class DemoCommandTest
{
    private static final Pattern SHM_DIR = Pattern.compile("embedded broker on (\\S+);");
    private static final Pattern ARCHIVE_DIR = Pattern.compile("archive in (\\S+) \\(");

    private String stdout;
    private String stderr;

    private int run(final String... args)
    {
        final CliRun run = CliRun.run("", args);
        stdout = run.stdout;
        stderr = run.stderr;
        return run.code;
    }

    private Path printed(final Pattern pattern)
    {
        final Matcher matcher = pattern.matcher(stdout);
        assertTrue(matcher.find(), stdout);
        return Paths.get(matcher.group(1));
    }

    @Test
    void demoShowsLocalConsumersArchiveAndTcpReplayThenCleansUp()
    {
        assertEquals(0, run("demo", "--messages", "200000", "--consumers", "2"), stdout + stderr);
        assertTrue(stdout.contains("[producer pid"), stdout);
        assertTrue(stdout.contains("[consumer-2 pid"), stdout);
        assertTrue(stdout.contains("shmbus demo: OK: every consumer received all 200000 messages exactly once, " +
            "in order"), stdout);
        assertTrue(stdout.contains("the archive caught up with the producer at position"), stdout);
        // 200,000 frames of 96 bytes are far below retention: the replay starts at the very first message
        assertTrue(stdout.contains("shmbus demo: OK: 200,000 messages replayed over TCP from the archive at "),
            stdout);
        assertTrue(stdout.contains("messages 0 to 199,999, contiguous and in order"), stdout);
        assertFalse(stdout.contains("FAILED"), stdout);

        final Path shmDir = printed(SHM_DIR);
        final Path archiveDir = printed(ARCHIVE_DIR);
        final Path dataDir = archiveDir.getParent();
        assertEquals(Paths.get("/dev/shm"), shmDir.getParent());
        assertTrue(shmDir.getFileName().toString().startsWith("shmbus-demo-"), shmDir.toString());
        assertEquals(Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath(), dataDir.getParent());
        assertTrue(dataDir.getFileName().toString().startsWith("shmbus-demo-data-"), dataDir.toString());
        assertFalse(Files.exists(shmDir), shmDir + " left behind");
        assertFalse(Files.exists(dataDir), dataDir + " left behind");
        assertEquals(0, ProcessHandle.current().descendants().count(), "child processes left behind");
    }

    @Test
    void noArchiveRunsTheSharedMemoryPartOnly()
    {
        assertEquals(0, run("demo", "--messages", "50000", "--consumers", "1", "--no-archive"), stdout + stderr);
        assertTrue(stdout.contains("shmbus demo: OK: every consumer received all 50000 messages exactly once, " +
            "in order"), stdout);
        assertFalse(stdout.contains("archive in"), stdout);
        assertFalse(stdout.contains("replayed over TCP"), stdout);
        assertFalse(Files.exists(printed(SHM_DIR)));
        assertEquals(0, ProcessHandle.current().descendants().count(), "child processes left behind");
    }

    @Test
    void badOptionsAreUsageErrors()
    {
        assertEquals(2, run("demo", "--consumers", "9"));
        assertTrue(stderr.contains("--consumers must be between 1 and 8"), stderr);
        assertEquals(2, run("demo", "--no-archive=yes"));
        assertTrue(stderr.contains("unknown option '--no-archive=yes'"), stderr);
        assertFalse(stderr.contains("Exception"), stderr);
    }
}
