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
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus broker --check-config FILE} on {@code [mirror NAME]} sections: each mistake a line with the file and
 * the line, exit 2; a sound mirror counts as a topic.
 */
@Timeout(30)
class MirrorCheckConfigTest
{
    private Path dir;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "mirror-in-config-cli-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aSoundMirrorPasses() throws IOException
    {
        final String file = Files.writeString(dir.resolve("broker.conf"), "[mirror prices]\n" +
            "channel = aeron:udp?endpoint=127.0.0.1:40456\nsource = 127.0.0.1:7440\ncapacity = 1m\n").toString();
        final CliRun run = CliRun.run("", "broker", "--check-config", file);
        assertEquals(0, run.code, run.stderr);
        assertEquals(file + ": ok, 3 settings, 1 topic\n", run.stdout);
    }

    @Test
    void everyMirrorMistakeIsALineWithTheFileAndTheLine() throws IOException
    {
        final String file = Files.writeString(dir.resolve("broker.conf"),
            "[topic prices]\n" +
            "capacity = 1m\n" +
            "[mirror prices]\n" +
            "channel = aeron:ipc\n" +
            "source = no-such-host.invalid:7440\n" +
            "persistent = false\n" +
            "[mirror quotes]\n" +
            "mirror.channel = aeron:udp?endpoint=127.0.0.1:1\n").toString();
        final CliRun run = CliRun.run("", "broker", "--check-config", file);
        assertEquals(2, run.code);
        assertEquals("", run.stdout);
        final List<String> lines = run.stderr.lines().toList();
        assertEquals(7, lines.size(), run.stderr);
        assertTrue(lines.get(0).startsWith(file + ":3: [mirror prices]: topic 'prices' is also configured as " +
            "[topic prices] at line 1"), lines.get(0));
        assertTrue(lines.get(1).startsWith(file + ":4: channel must be an Aeron UDP channel"), lines.get(1));
        assertEquals(file + ":5: source: unknown host 'no-such-host.invalid' in 'no-such-host.invalid:7440'",
            lines.get(2));
        assertTrue(lines.get(3).startsWith(file + ":6: 'persistent = false' in [mirror prices]"), lines.get(3));
        assertTrue(lines.get(4).startsWith(file + ":7: [mirror quotes] needs 'channel = "), lines.get(4));
        assertTrue(lines.get(5).startsWith(file + ":7: [mirror quotes] needs 'source = "), lines.get(5));
        assertTrue(lines.get(6).startsWith(file + ":8: "), lines.get(6));
        assertTrue(lines.get(6).contains("mirror.channel"), lines.get(6));
    }
}
