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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shmbus broker --mirror-out TOPIC=CHANNEL} and {@code --aeron-dir}: the help names them, a bad value is a
 * usage error (exit 2), a mirrored topic that cannot be sent from segment files is refused at start (exit 2), and a
 * bad channel in a config file is {@code file:line} in {@code --check-config}; never a stack trace. (A broker that
 * starts blocks until a signal: mirroring brokers are tested in-process by the mirror tests.)
 */
@Timeout(30)
class MirrorOutFlagTest
{
    private static final String CHANNEL = "aeron:udp?endpoint=127.0.0.1:40456";

    private Path dir;
    private CliRun run;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "mirror-out-cli-");
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
        run = CliRun.run("", args);
        assertFalse(run.stderr.contains("\tat "), "no stack trace: " + run.stderr);
        return run.code;
    }

    @Test
    void helpNamesTheFlags()
    {
        assertEquals(0, run("broker", "--help"));
        assertTrue(run.stdout.contains("--mirror-out TOPIC=CHANNEL") && run.stdout.contains("--aeron-dir DIR"),
            run.stdout);
    }

    @Test
    void aValueThatIsNotTopicEqualsChannelIsAUsageError()
    {
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--mirror-out", CHANNEL));
        assertTrue(run.stderr.contains("--mirror-out needs TOPIC=CHANNEL"), run.stderr);
    }

    @Test
    void aBadChannelIsAUsageError()
    {
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--mirror-out", "t=aeron:ipc"));
        assertTrue(run.stderr.contains("--mirror-out t=aeron:ipc") &&
            run.stderr.contains("must be an Aeron UDP channel"), run.stderr);
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--mirror-out", "t=aeron:udp?x"));
        assertTrue(run.stderr.contains("is not an Aeron channel URI") || run.stderr.contains("needs an endpoint"),
            run.stderr);
    }

    @Test
    void aBadTopicNameOrATopicGivenTwiceIsAUsageError()
    {
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--mirror-out", "a/b=" + CHANNEL));
        assertTrue(run.stderr.contains("--mirror-out a/b="), run.stderr);
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--mirror-out", "t=" + CHANNEL,
            "--mirror-out", "t=" + CHANNEL));
        assertTrue(run.stderr.contains("gives topic 't' twice"), run.stderr);
    }

    @Test
    void aMirroredTopicWithoutADataDirectoryIsRefusedAtStart()
    {
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--no-data-dir", "--mirror-out",
            "t=" + CHANNEL));
        assertTrue(run.stderr.contains("topic 't' is mirrored out (--mirror-out) but the broker has no data " +
            "directory"), run.stderr);
        assertFalse(Files.exists(dir.resolve("shm")), "nothing was created");
    }

    @Test
    void aMirroredTopicThatIsNotPersistentIsRefusedAtStart() throws IOException
    {
        final Path config = Files.writeString(dir.resolve("b.conf"), "[topic t]\npersistent = false\n");
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--data-dir",
            dir.resolve("data").toString(), "--config", config.toString(), "--mirror-out", "t=" + CHANNEL));
        assertTrue(run.stderr.contains("topic 't' is mirrored out (--mirror-out) but its config says " +
            "'persistent = false'"), run.stderr);
    }

    @Test
    void checkConfigNamesTheLineOfABadChannel() throws IOException
    {
        final Path config = Files.writeString(dir.resolve("b.conf"), "[topic t]\n\nmirror.channel = aeron:ipc\n");
        assertEquals(2, run("broker", "--check-config", config.toString()));
        assertTrue(run.stderr.startsWith(config + ":3: mirror.channel must be an Aeron UDP channel"), run.stderr);
    }
}
