package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's promise for every command: a user mistake (a bad option, value, name, range or start) exits 2
 * with a message naming it, never a stack trace, and without doing anything; a failure exits 1. Each case is a
 * command line a user could type.
 */
@Timeout(120)
class ExitCodeTest
{
    private Path root;
    private String shm;
    private String address;
    private Broker broker;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "cli-exit-");
        shm = root.resolve("shm").toString();
        broker = Broker.launch(new BrokerContext().dir(root.resolve("shm")).dataDir(root.resolve("data")).netPort(0)
            .log(new PrintStream(new ByteArrayOutputStream(), true)));
        address = "127.0.0.1:" + broker.netPort();
        final CliRun sent = CliRun.run("a\nb\nc\n", "publish", "--dir", shm, "--topic", "news");
        assertEquals(0, sent.code, sent.stderr);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        broker.close();
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Runs each command line and collects every one that did not exit 2 with {@code expected} in its message. */
    private static void assertUsageErrors(final String[][] cases)
    {
        final List<String> wrong = new ArrayList<>();
        for (final String[] args : cases)
        {
            final String expected = args[0];
            final String[] command = java.util.Arrays.copyOfRange(args, 1, args.length);
            final CliRun run = CliRun.run("", command);
            if (2 != run.code || !run.stderr.contains(expected) || run.stderr.contains("\tat ") ||
                run.stderr.contains("Exception") || !run.stdout.isEmpty())
            {
                wrong.add(String.join(" ", command) + "\n    exit " + run.code + ", stdout '" + run.stdout +
                    "', stderr '" + run.stderr.strip() + "' (expected exit 2 and '" + expected + "')");
            }
        }
        assertTrue(wrong.isEmpty(), "not a usage error as the README promises:\n" + String.join("\n", wrong));
    }

    @Test
    void badNamesAndStartsExitTwoInEveryCommand()
    {
        assertUsageErrors(new String[][]{
            {"invalid topic name 'bad/name'", "publish", "--dir", shm, "--topic", "bad/name"},
            {"invalid topic name 'bad/name'", "subscribe", "--dir", shm, "--topic", "bad/name", "--no-wait"},
            {"invalid topic name 'bad/name'", "subscribe", "--remote", address, "--topic", "bad/name"},
            {"invalid topic name 'bad/name'", "replay", "--dir", shm, "--topic", "bad/name", "--out", "/dev/null"},
            {"'garbage'", "subscribe", "--dir", shm, "--topic", "news", "--from", "garbage"},
            {"'garbage'", "subscribe", "--remote", address, "--topic", "news", "--from", "garbage"},
            {"'garbage'", "replay", "--dir", shm, "--topic", "news", "--from", "garbage", "--out", "/dev/null"},
            {"--from: start time must be ISO-8601", "subscribe", "--dir", shm, "--topic", "news", "--from",
                "2026-13-45T99:00:00Z"},
            {"--count must be > 0", "subscribe", "--dir", shm, "--topic", "news", "--count", "-1"},
            {"--count must be > 0", "subscribe", "--dir", shm, "--topic", "news", "--count", "0"},
            {"--count needs a whole number", "subscribe", "--dir", shm, "--topic", "news", "--count", "1e3"},
        });
    }

    @Test
    void everyCommandsOptionMistakesExitTwo()
    {
        assertUsageErrors(new String[][]{
            {"unknown option '--bogus'", "publish", "--dir", shm, "--topic", "t", "--bogus"},
            {"option --topic needs a value", "publish", "--dir", shm, "--topic"},
            {"--topic is required", "subscribe", "--dir", shm},
            {"unknown option '--bogus'", "subscribe", "--dir", shm, "--topic", "t", "--bogus"},
            {"--to and --token need --remote", "subscribe", "--dir", shm, "--topic", "t", "--token", "x"},
            {"--to must be a stream position >= 0", "subscribe", "--remote", address, "--topic", "news", "--to",
                "-64"},
            {"address must be HOST:PORT", "subscribe", "--remote", "nohost", "--topic", "t"},
            {"--wait must be a duration", "subscribe", "--dir", shm, "--topic", "t", "--wait", "a while"},
            {"unknown option 'extra'", "topics", "--dir", shm, "extra"},
            {"--interval must be >= 10 ms", "stat", "--dir", shm, "--interval", "1"},
            {"--interval needs a whole number", "stat", "--dir", shm, "--interval", "fast"},
            {"the topic's directory is required", "verify"},
            {"expected one directory", "verify", "a", "b"},
            {"--format must be frames, payload or lines", "replay", "--dir", shm, "--topic", "news", "--format",
                "xml", "--out", "/dev/null"},
            {"--to needs a whole number", "replay", "--dir", shm, "--topic", "news", "--to", "end", "--out",
                "/dev/null"},
            {"--to must be a stream position >= 0", "replay", "--dir", shm, "--topic", "news", "--to", "-5",
                "--out", "/dev/null"},
            {"--listen needs a port number", "replay", "--dir", shm, "--topic", "news", "--listen", "70000"},
            {"--bind only goes with --listen", "replay", "--dir", shm, "--topic", "news", "--out", "/dev/null",
                "--bind", "0.0.0.0"},
            {"--messages must be >= 1", "demo", "--messages", "-1"},
            {"--size must be between 16 and 65536 bytes", "demo", "--size", "0"},
            {"--net-port must be 0 to 65535", "broker", "--dir", shm + "-other", "--net-port", "-1"},
            {"--client-timeout must be a duration", "broker", "--dir", shm + "-other", "--client-timeout", "soon"},
            {"--data-dir and --no-data-dir exclude each other", "broker", "--dir", shm + "-other", "--no-data-dir",
                "--data-dir", "x"},
        });
    }

    @Test
    void aStartInTheFutureIsRefusedInsteadOfActingLikeLatest()
    {
        final String future = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        assertUsageErrors(new String[][]{
            {"--from " + future + " is in the future", "subscribe", "--dir", shm, "--topic", "news", "--from",
                future},
            {"--from latest prints what is sent from now on", "subscribe", "--remote", address, "--topic", "news",
                "--from", future},
            {"--from " + future + " is in the future", "replay", "--dir", shm, "--topic", "news", "--from", future,
                "--format", "lines", "--out", "/dev/null"},
        });
        final String past = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        final CliRun run = CliRun.run("", "subscribe", "--dir", shm, "--topic", "news", "--from", past, "--count",
            "3");
        assertEquals(0, run.code, run.stderr);
        assertEquals("a\nb\nc\n", run.stdout);
    }

    @Test
    void anEmptyReplayRangeIsAUsageErrorAndReplayNeverOffersLatest()
    {
        assertUsageErrors(new String[][]{
            {"--to 32 must be after the start of the replay, position 64", "replay", "--dir", shm, "--topic",
                "news", "--from", "64", "--to", "32", "--format", "lines", "--out", "/dev/null"},
            {"--to 64 must be after the start of the replay, position 64", "replay", "--dir", shm, "--topic",
                "news", "--from", "64", "--to", "64", "--out", "/dev/null"},
            {"--to 0 must be after the start of the replay, position 0", "replay", "--dir", shm, "--topic",
                "news", "--to", "0", "--out", "/dev/null"},
            {"--from latest would replay nothing", "replay", "--dir", shm, "--topic", "news", "--from", "latest",
                "--out", "/dev/null"},
        });
        final CliRun garbage = CliRun.run("", "replay", "--dir", shm, "--topic", "news", "--from", "garbage",
            "--out", "/dev/null");
        assertEquals(2, garbage.code);
        assertTrue(garbage.stderr.contains("'earliest', a position"), garbage.stderr);
        assertFalse(garbage.stderr.contains("latest"), "replay refuses latest, so it does not offer it: " +
            garbage.stderr);
        final CliRun usage = CliRun.run("", "replay", "--help");
        assertFalse(usage.stdout.contains("latest"), usage.stdout);
    }

    @Test
    void failuresExitOne()
    {
        final CliRun position = CliRun.run("", "subscribe", "--dir", shm, "--topic", "news", "--from", "100");
        assertEquals(1, position.code);
        assertTrue(position.stderr.contains("not the start of a frame"), position.stderr);
        final CliRun noBroker = CliRun.run("x\n", "publish", "--dir", shm + "-none", "--topic", "t");
        assertEquals(1, noBroker.code);
        assertTrue(noBroker.stderr.contains("no broker is running"), noBroker.stderr);
    }
}
