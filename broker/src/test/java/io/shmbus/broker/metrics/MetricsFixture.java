package io.shmbus.broker.metrics;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An embedded broker with a data directory and a metrics server on a free port of 127.0.0.1, in a directory of its
 * own under /dev/shm, with a client to publish and consume: what the metrics tests share. {@link #close()} stops
 * everything and deletes the directory.
 */
public final class MetricsFixture implements AutoCloseable
{
    public final Path root;
    public final Path shm;
    public final Broker broker;
    public final ShmBus bus;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    public MetricsFixture() throws IOException
    {
        this(new BrokerContext());
    }

    /** With {@code ctx}'s settings, plus the directories, a metrics port and a quiet log. */
    public MetricsFixture(final BrokerContext ctx) throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "metrics-");
        shm = root.resolve("shm");
        Broker started = null;
        try
        {
            started = Broker.launch(ctx.dir(shm).dataDir(root.resolve("data")).metricsPort(0)
                .log(new PrintStream(log, true)));
        }
        finally
        {
            if (null == started)
            {
                deleteTree(root);
            }
        }
        broker = started;
        bus = ShmBus.connect(new ShmBus.Context().dir(shm));
    }

    /** Publishes {@code count} messages of {@code length} bytes to {@code topic}. */
    public void publish(final String topic, final int count, final int length)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[length]);
        try (Producer producer = bus.addProducer(topic))
        {
            for (int i = 0; i < count; i++)
            {
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (producer.offer(payload, 0, length) < 0)
                {
                    if (System.nanoTime() - deadline > 0)
                    {
                        fail("could not publish message " + i + " of " + count + " to " + topic);
                    }
                    Thread.yield();
                }
            }
        }
    }

    /** A consumer of {@code topic} from its earliest message that has read {@code count} messages. */
    public Consumer consumerThatRead(final String topic, final int count)
    {
        final Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST);
        final int[] read = {0};
        awaitTrue(() ->
        {
            consumer.poll((buffer, offset, length, header) -> read[0]++, count - read[0]);
            return read[0] >= count;
        }, "the consumer of " + topic + " to read " + count + " messages");
        return consumer;
    }

    /** The body of {@code GET /metrics}, as a scraper without preferences gets it (the text format 0.0.4). */
    public String scrape()
    {
        return get(URI.create("http://127.0.0.1:" + broker.metricsPort() + "/metrics"));
    }

    static String get(final URI uri)
    {
        final HttpResponse<String> response = request(uri);
        if (200 != response.statusCode())
        {
            fail("GET " + uri + ": HTTP " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** GET {@code uri}: the response, whatever its status. */
    static HttpResponse<String> request(final URI uri)
    {
        try
        {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("GET " + uri, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Waits up to 20 s for {@code condition}, yielding between checks. */
    public static void awaitTrue(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after 20 s waiting for " + what);
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** What the broker logged. */
    public String log()
    {
        return log.toString(StandardCharsets.UTF_8);
    }

    public void close()
    {
        try
        {
            bus.close();
        }
        finally
        {
            broker.close();
            deleteTree(root);
        }
    }

    static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // already gone
        }
    }
}
