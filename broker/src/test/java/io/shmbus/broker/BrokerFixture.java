package io.shmbus.broker;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A broker in this JVM for one test: a directory of its own under /dev/shm ({@link #shm()} for the broker's files,
 * {@link #dataDir()} for a data directory), where a test launches a broker, stops it and launches it again, its log
 * kept in memory across restarts. Register it as a field,
 * {@code @RegisterExtension final BrokerFixture fixture = new BrokerFixture("named-consumer-");}: after each test,
 * pass or fail, the broker is closed and the directory deleted. Used from the test thread only.
 */
public final class BrokerFixture implements BeforeEachCallback, AfterEachCallback
{
    private final String prefix;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private Path root;
    private Broker broker;

    /** @param prefix of the directory's name under /dev/shm. */
    public BrokerFixture(final String prefix)
    {
        this.prefix = prefix;
    }

    public void beforeEach(final ExtensionContext context) throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), prefix);
        log.reset();
    }

    public void afterEach(final ExtensionContext context) throws IOException
    {
        try
        {
            stop();
        }
        finally
        {
            try (Stream<Path> paths = Files.walk(root))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The test's directory under /dev/shm; everything the test writes goes below it. */
    public Path root()
    {
        return root;
    }

    /** The broker's shared-memory directory. */
    public Path shm()
    {
        return root.resolve("shm");
    }

    /** A data directory for the broker, when the test gives it one. */
    public Path dataDir()
    {
        return root.resolve("data");
    }

    /** Launches a broker from {@code ctx}, on {@link #shm()} and logging to {@link #log()}. */
    public Broker launch(final BrokerContext ctx)
    {
        broker = Broker.launch(ctx.dir(shm()).log(new PrintStream(log, true, StandardCharsets.UTF_8)));
        return broker;
    }

    /**
     * Launches a broker with small rings and segments (64 KiB, so a few hundred messages lap the ring), the topic
     * settings {@code topicSettings} (lines of {@code [topic.defaults]}, may be empty) and {@code data} as its data
     * directory (null: none).
     */
    public Broker launchSmall(final Path data, final String topicSettings) throws IOException
    {
        return launch(smallContext(data, topicSettings));
    }

    /**
     * The context {@link #launchSmall} launches, for a test that sets more on it (a net port, a clock) before it
     * passes it to {@link #launch}.
     */
    public BrokerContext smallContext(final Path data, final String topicSettings) throws IOException
    {
        final Path config = Files.writeString(root.resolve("broker.conf"),
            "[topic.defaults]\ncapacity = 64k\n" + topicSettings);
        final BrokerContext ctx = new BrokerContext().configFile(config).segmentLength(64 * 1024);
        return null != data ? ctx.dataDir(data) : ctx;
    }

    /** The running broker, or null. */
    public Broker broker()
    {
        return broker;
    }

    /** Closes the running broker, if any. */
    public void stop()
    {
        if (null != broker)
        {
            final Broker running = broker;
            broker = null;
            running.close();
        }
    }

    /** Everything the brokers of this test logged so far. */
    public String log()
    {
        return log.toString(StandardCharsets.UTF_8);
    }
}
