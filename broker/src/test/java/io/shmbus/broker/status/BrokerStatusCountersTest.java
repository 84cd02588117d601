package io.shmbus.broker.status;

import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.metrics.MetricsFixture;
import io.shmbus.client.Consumer;
import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters the broker's components keep for the metrics, read from the CnC file by type id and key: the
 * archiver's segment count and bytes on disk through segment ends and retention deletions, and each local
 * consumer's position, whose counter goes when the consumer does.
 */
@Timeout(60)
class BrokerStatusCountersTest
{
    private static final long SEGMENT = 64 * 1024;

    @Test
    void segmentsAndDiskBytesFollowTheArchiveThroughRetention() throws Exception
    {
        final Path config = Files.createTempFile("metrics-", ".conf");
        try
        {
            Files.writeString(config, "[topic kept]\ncapacity = 64k\nretention.bytes = 192k\n");
            try (MetricsFixture fixture = new MetricsFixture(new BrokerContext().configFile(config)
                .segmentLength(SEGMENT)))
            {
                fixture.publish("kept", 3_000, 200); // 3,000 frames of 256 bytes: 750 KiB, a dozen segments
                final Path topicDir = fixture.broker.context().dataDir().resolve("kept");
                MetricsFixture.awaitTrue(() -> value(fixture, CounterTypes.ARCHIVE_ARCHIVED_POSITION, "kept") ==
                    value(fixture, CounterTypes.TOPIC_TAIL_POSITION, "kept"), "kept archived");
                final List<Path> segments = segments(topicDir);
                assertTrue(value(fixture, CounterTypes.ARCHIVE_RETENTION_DELETED_SEGMENTS, "kept") > 0,
                    "retention deleted segments");
                assertEquals(segments.size(), value(fixture, CounterTypes.ARCHIVE_SEGMENTS, "kept"), "" + segments);
                long bytes = 0;
                for (final Path segment : segments)
                {
                    bytes += Files.size(segment);
                }
                assertEquals(bytes, value(fixture, CounterTypes.ARCHIVE_DISK_BYTES, "kept"));
                assertEquals(3_000, value(fixture, CounterTypes.TOPIC_PUBLISHED_MESSAGES, "kept"));
                assertEquals(3_000 * 200, value(fixture, CounterTypes.TOPIC_PUBLISHED_BYTES, "kept"));
                assertEquals(0, value(fixture, CounterTypes.ARCHIVE_ERRORS, "kept"));
            }
        }
        finally
        {
            Files.deleteIfExists(config);
        }
    }

    @Test
    void eachLocalConsumerHasAPositionCounterWhileItIsThere() throws Exception
    {
        try (MetricsFixture fixture = new MetricsFixture())
        {
            fixture.publish("read", 20, 50);
            final long position;
            final long slot;
            try (Consumer consumer = fixture.consumerThatRead("read", 20))
            {
                position = consumer.position();
                MetricsFixture.awaitTrue(() -> position == consumerPosition(fixture, "read"),
                    "the consumer's position counter to reach " + position);
                slot = consumerSlot(fixture, "read");
                assertTrue(slot != archiverSlot(fixture, "read"), "not the archiver's slot");
            }
            MetricsFixture.awaitTrue(() -> -1 == consumerSlot(fixture, "read"),
                "the counter of the closed consumer to be freed");
        }
    }

    private static long value(final MetricsFixture fixture, final int typeId, final String topic)
    {
        return read(fixture, reader ->
        {
            final int id = CounterFinder.find(reader, typeId, topic);
            return id < 0 ? Long.MIN_VALUE : reader.getCounterValue(id);
        });
    }

    private static long consumerPosition(final MetricsFixture fixture, final String topic)
    {
        return value(fixture, CounterTypes.CONSUMER_LOCAL_POSITION, topic);
    }

    private static long consumerSlot(final MetricsFixture fixture, final String topic)
    {
        return read(fixture, reader ->
        {
            final int id = CounterFinder.find(reader, CounterTypes.CONSUMER_LOCAL_POSITION, topic);
            return id < 0 ? -1 : CounterFinder.consumerId(reader, id);
        });
    }

    private static long archiverSlot(final MetricsFixture fixture, final String topic)
    {
        return read(fixture, reader -> CounterFinder.consumerId(reader,
            CounterFinder.find(reader, CounterTypes.ARCHIVE_ARCHIVED_POSITION, topic)));
    }

    private static long read(final MetricsFixture fixture, final java.util.function.ToLongFunction<CountersReader> f)
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(fixture.shm)))
        {
            return f.applyAsLong(new CountersReader(cnc.countersMetadata(), cnc.countersValues()));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static List<Path> segments(final Path topicDir) throws IOException
    {
        try (Stream<Path> files = Files.list(topicDir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted()
                .collect(Collectors.toList());
        }
    }
}
