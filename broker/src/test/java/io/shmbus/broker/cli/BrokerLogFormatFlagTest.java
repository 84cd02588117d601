package io.shmbus.broker.cli;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.config.LogFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus broker --log-format text|json} and {@code log.format} in a config file: a bad value is a user's
 * mistake (exit 2), and an embedded broker writes each line in the format it was given.
 */
@Timeout(30)
class BrokerLogFormatFlagTest
{
    private Path root;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "errlog-log-format-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aBadFormatIsAUsageError() throws IOException
    {
        final String shm = root.resolve("shm").toString();
        final CliRun flag = CliRun.run("", "broker", "--dir", shm, "--no-data-dir", "--log-format", "yaml");
        assertEquals(2, flag.code);
        assertTrue(flag.stderr.contains("--log-format must be text or json: 'yaml'"), flag.stderr);
        final Path config = Files.writeString(root.resolve("broker.conf"), "log.format = xml\n");
        final CliRun file = CliRun.run("", "broker", "--dir", shm, "--no-data-dir", "--config", config.toString());
        assertEquals(2, file.code);
        assertTrue(file.stderr.contains("log.format must be text or json: 'xml'"), file.stderr);
        assertTrue(CliRun.run("", "broker", "--help").stdout.contains("--log-format text|json"));
    }

    @Test
    void everyLineOfAStartAndStopIsInTheFormatGiven()
    {
        for (final LogFormat format : LogFormat.values())
        {
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            Broker.launch(new BrokerContext().dir(root.resolve("shm-" + format)).logFormat(format)
                .log(new PrintStream(log, true, StandardCharsets.UTF_8))).close();
            final List<String> lines = List.of(log.toString(StandardCharsets.UTF_8).split("\n"));
            assertEquals(2, lines.size(), lines.toString());
            for (final String line : lines)
            {
                assertTrue(LogFormat.JSON == format ?
                    line.matches("\\{\"ts\":\"[-0-9T:.]{23}Z\",\"level\":\"INFO\",\"component\":\"broker\"," +
                        "\"message\":\"(pid .*|stopped)\"}") :
                    line.matches("[-0-9T:.]{23}Z INFO broker: (pid .*|stopped)"), line);
            }
        }
    }
}
