package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.config.LogFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus broker --check-config FILE} checks a config file and starts nothing: exit 0 and a summary, or
 * exit 2 and a {@code file:line: reason} line for each mistake. And the broker's setting flags, which come from the
 * same table.
 */
@Timeout(30)
class BrokerCheckConfigTest
{
    private Path dir;
    private String stdout;
    private String stderr;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "config-cli-");
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

    private String file(final String text) throws IOException
    {
        return Files.writeString(dir.resolve("broker.conf"), text).toString();
    }

    @Test
    void aSoundFilePasses() throws IOException
    {
        final String file = file("# a broker\nnet.port = 7440\nmetrics.port = 9464\nlog.format = json\n\n" +
            "[topic.defaults]\ncapacity = 4m\n[topic orders]\ncapacity = 16m\nretention.age = 7d\n");
        assertEquals(0, run("broker", "--check-config", file), stderr);
        assertEquals(file + ": ok, 6 settings, 1 topic\n", stdout);
        assertEquals("", stderr);
        assertEquals(0, run("broker", "--check-config=" + file), stderr);
        assertFalse(Files.exists(dir.resolve("shm")));
    }

    @Test
    void everyMistakeIsALineWithTheFileAndTheLine() throws IOException
    {
        final String file = file("net.prot = 7440\n" +
            "metrics.bind = not an address\n" +
            "[topic orders]\n" +
            "capacity = 3m\n" +
            "capacity = 4m\n" +
            "[topics x]\n");
        assertEquals(2, run("broker", "--check-config", file));
        assertEquals("", stdout);
        final List<String> lines = stderr.lines().toList();
        assertEquals(List.of(
            file + ":1: unknown setting 'net.prot' (did you mean 'net.port'?)",
            file + ":2: metrics.bind must be an IP address or a host name: 'not an address'",
            file + ":4: capacity must be a power of two from 64k to 1g: '3m'",
            file + ":5: 'capacity' is set twice in [topic orders] (first at line 4)",
            file + ":6: unknown section [topics x] (expected [topic.defaults], [topic NAME] or [mirror NAME])"), lines);
    }

    @Test
    void aFileThatCannotBeReadOrAnotherOptionIsAUsageError() throws IOException
    {
        assertEquals(2, run("broker", "--check-config", dir.resolve("missing.conf").toString()));
        assertTrue(stderr.contains("config file " + dir.resolve("missing.conf") + " does not exist"), stderr);
        final String file = file("dir = /tmp/x\n");
        assertEquals(2, run("broker", "--check-config", file, "--net-port", "1"));
        assertTrue(stderr.contains("--check-config FILE takes no other option"), stderr);
        assertEquals(2, run("broker", "--check-config"));
        assertTrue(stderr.contains("option --check-config needs a value"), stderr);
        Files.write(dir.resolve("binary.conf"), new byte[]{ (byte)0xff, (byte)0xfe, 0, 1 });
        assertEquals(2, run("broker", "--check-config", dir.resolve("binary.conf").toString()));
        assertTrue(stderr.contains("is not UTF-8 text"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    }

    @Test
    void aBrokerStartedWithABadFileSaysEveryMistakeAndStartsNothing() throws IOException
    {
        final String file = file("log.format = xml\n[topic t]\npersistent = perhaps\n");
        assertEquals(2, run("broker", "--dir", dir.resolve("shm").toString(), "--config", file));
        assertTrue(stderr.contains(file + ":1: log.format must be text or json: 'xml'"), stderr);
        assertTrue(stderr.contains(file + ":3: persistent must be true or false: 'perhaps'"), stderr);
        assertFalse(Files.exists(dir.resolve("shm")), "nothing was created");
    }

    @Test
    void helpListsEveryFlagOfTheTable()
    {
        assertEquals(0, run("broker", "--help"));
        for (final String flag : new String[]{ "--check-config FILE", "--config FILE", "--no-data-dir", "--dir DIR",
            "--data-dir DIR", "--segment-length SIZE", "--client-timeout DURATION", "--unblock-timeout DURATION",
            "--net-port PORT", "--bind ADDRESS", "--metrics-port PORT", "--metrics-bind ADDRESS",
            "--log-format text|json" })
        {
            assertTrue(stdout.contains("  " + flag), flag + " in\n" + stdout);
        }
        assertTrue(stdout.lines().allMatch(line -> line.length() <= 120), stdout);
    }

    @Test
    void badValuesOfTheNewFlagsAreUsageErrors()
    {
        final String shm = dir.resolve("shm").toString();
        assertEquals(2, run("broker", "--dir", shm, "--metrics-port", "70000"));
        assertTrue(stderr.contains("--metrics-port must be 0 to 65535: '70000'"), stderr);
        assertEquals(2, run("broker", "--dir", shm, "--metrics-bind", "my host"));
        assertTrue(stderr.contains("--metrics-bind must be an IP address or a host name"), stderr);
        assertEquals(2, run("broker", "--dir", shm, "--log-format", "xml"));
        assertTrue(stderr.contains("--log-format must be text or json: 'xml'"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        assertFalse(Files.exists(dir.resolve("shm")), "nothing was created");
    }

    @Test
    void theFlagsWinOverTheConfigFile() throws IOException
    {
        final String file = file("metrics.port = 1111\nmetrics.bind = 127.0.0.2\nlog.format = text\n" +
            "segment.length = 1m\n");
        final BrokerCommand command = new BrokerCommand();
        final BrokerContext ctx = command.context(command.args(List.of("--config", file, "--dir",
            dir.resolve("shm").toString(), "--data-dir", dir.resolve("data").toString(), "--metrics-port", "0",
            "--metrics-bind", "::1", "--log-format", "json", "--client-timeout", "2s")),
            new PrintStream(new ByteArrayOutputStream(), true)).conclude();
        assertEquals(0, ctx.metricsPort());
        assertEquals("::1", ctx.metricsBind());
        assertEquals(LogFormat.JSON, ctx.logFormat());
        assertEquals(2_000_000_000L, ctx.clientLivenessTimeoutNs());
        assertEquals(1L << 20, ctx.segmentLength(), "from the file: no flag given");
        assertEquals(dir.resolve("data"), ctx.dataDir());
        assertEquals(dir.resolve("shm"), ctx.dir());
    }
}
