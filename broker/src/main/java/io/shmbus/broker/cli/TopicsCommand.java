package io.shmbus.broker.cli;

import io.shmbus.broker.archive.TopicArchiver;
import io.shmbus.broker.metrics.MetricsText;
import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.ShmDirectory;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code shmbus topics}: each topic of a shared-memory directory with its positions and consumers.
 */
final class TopicsCommand implements Command
{
    public String name()
    {
        return "topics";
    }

    public String summary()
    {
        return "list topics with tail, limit and consumer positions";
    }

    public String usage()
    {
        return "usage: shmbus topics [--dir DIR | --remote HOST:PORT]\n\n" +
            "Lists each topic with its ring capacity, tail position, producer limit, earliest position\n" +
            "still in the ring, and each consumer's position and lag; under a topic whose archive a reader\n" +
            "of the running broker found damaged, how often and the first damage recovery found; under a\n" +
            "mirror ([mirror NAME]), its state, source and local positions, lag, catch-ups and gaps.\n\n" +
            "  --dir DIR          shared-memory directory (default " + ShmDirectory.defaultDirectory() + ")\n" +
            "  --remote HOST:PORT a broker on another host, read from its metrics endpoint (its --metrics-port):\n" +
            "                     tail, limit, archived position, and each consumer (local or remote) with its lag\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws IOException
    {
        final Args args = Args.parse(name(), argList, Set.of("--dir", "--remote"), Set.of());
        if (args.has("--remote"))
        {
            if (args.has("--dir"))
            {
                throw new UsageException(name(), "--remote and --dir exclude each other");
            }
            printRemote(RemoteMetrics.of(name(), args.get("--remote", null)).fetch(), out);
            return Main.EXIT_OK;
        }
        final Path dir = args.has("--dir") ? Paths.get(args.get("--dir", null)) : ShmDirectory.defaultDirectory();
        if (!Files.isDirectory(dir))
        {
            throw new ShmbusException("no shared-memory directory " + dir + " (nothing has been published there)");
        }
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + TopicLog.FILE_SUFFIX))
        {
            stream.forEach(files::add);
        }
        Collections.sort(files);
        final Map<String, String> damage = new HashMap<>();
        final Map<String, Integer> archiverSlots = new HashMap<>();
        final Map<String, MirrorStatus> mirrors = new HashMap<>();
        readBroker(dir, damage, archiverSlots, mirrors);
        final Map<String, String> mirrorsOut = MirrorOutStatus.read(dir);
        out.println(row("TOPIC", "CAPACITY", "TAIL", "LIMIT", "EARLIEST", "CONSUMERS"));
        for (final Path file : files)
        {
            final String name = file.getFileName().toString();
            final String topic = name.substring(0, name.length() - TopicLog.FILE_SUFFIX.length());
            try (TopicLog log = TopicLog.open(file, topic, 1_000))
            {
                final long tail = log.tailVolatile();
                final List<String> consumers = new ArrayList<>();
                // the archiver's slot holds producers back for it, but it is the broker's, not a user's consumer
                final int archiverSlot = archiverSlots.getOrDefault(topic, -1);
                for (int i = 0; i < LogDescriptor.CONSUMER_SLOT_COUNT; i++)
                {
                    final int state = log.slotStateVolatile(i);
                    if (i != archiverSlot && (state == LogDescriptor.SLOT_ACTIVE ||
                        state == LogDescriptor.SLOT_DETACHING || state == LogDescriptor.SLOT_DETACHED))
                    {
                        final long position = log.slotPositionVolatile(i);
                        consumers.add("    consumer slot=" + i + " pid=" + log.slotOwnerPid(i) + " position=" +
                            position + " lag=" + (tail - position) + (
                            state == LogDescriptor.SLOT_DETACHED ? " (slow: reading the archive)" :
                            state == LogDescriptor.SLOT_DETACHING ? " (slow: moving to the archive)" : ""));
                    }
                }
                out.println(row(topic, log.capacity(), tail, log.producerLimitVolatile(), log.earliestPosition(),
                    consumers.size()));
                consumers.forEach(out::println);
                final MirrorStatus mirror = mirrors.get(topic);
                if (null != mirror)
                {
                    out.println(mirror.line());
                }
                final String mirrorOut = mirrorsOut.get(topic);
                if (null != mirrorOut)
                {
                    out.println(mirrorOut);
                }
                final String damaged = damage.get(topic);
                if (null != damaged)
                {
                    out.println("    DAMAGED ARCHIVE: " + damaged);
                }
            }
            catch (final ShmbusException ex)
            {
                out.println(PlainFormat.left(topic, 24) + " unreadable: " + ex.getMessage());
            }
        }
        return Main.EXIT_OK;
    }

    /**
     * The topics of a broker on another host, from its metrics: tail, producer limit, archived position (- when not
     * persisted), and each consumer, local or remote, with its position and lag.
     */
    private static void printRemote(final MetricsText metrics, final PrintStream out)
    {
        out.println(PlainFormat.left("TOPIC", 24) + " " + PlainFormat.right("TAIL", 16) + " " +
            PlainFormat.right("LIMIT", 16) + " " + PlainFormat.right("ARCHIVED", 16) + " " +
            PlainFormat.right("CONSUMERS", 9));
        final List<String> topics = new ArrayList<>();
        metrics.samples("shmbus_topic_tail_position_bytes").forEach(s -> topics.add(s.labels.get("topic")));
        Collections.sort(topics);
        for (final String topic : topics)
        {
            final List<MetricsText.Sample> consumers = new ArrayList<>();
            metrics.samples("shmbus_consumer_position_bytes").stream()
                .filter(s -> topic.equals(s.labels.get("topic"))).forEach(consumers::add);
            final double archived = metrics.value("shmbus_topic_archived_position_bytes", "topic", topic);
            out.println(PlainFormat.left(topic, 24) + " " +
                PlainFormat.right((long)metrics.value("shmbus_topic_tail_position_bytes", "topic", topic), 16) + " " +
                PlainFormat.right((long)metrics.value("shmbus_topic_producer_limit_position_bytes", "topic", topic),
                    16) + " " + PlainFormat.right(Double.isNaN(archived) ? "-" : Long.toString((long)archived), 16) +
                " " + PlainFormat.right(consumers.size(), 9));
            for (final MetricsText.Sample consumer : consumers)
            {
                final String id = consumer.labels.get("consumer");
                final String kind = consumer.labels.get("kind");
                out.println("    consumer " + id + " (" + kind + ") position=" + (long)consumer.value + " lag=" +
                    (long)metrics.value("shmbus_consumer_lag_bytes", "topic", topic, "consumer", id, "kind", kind));
            }
        }
    }

    /** One line of the table: the topic, then its columns right-aligned. */
    private static String row(
        final String topic, final Object capacity, final Object tail, final Object limit, final Object earliest,
        final Object consumers)
    {
        return PlainFormat.left(topic, 24) + " " + PlainFormat.right(capacity, 10) + " " + PlainFormat.right(tail, 16) +
            " " + PlainFormat.right(limit, 16) + " " + PlainFormat.right(earliest, 16) + " " +
            PlainFormat.right(consumers, 9);
    }

    /**
     * From the running broker's counters: the damage it found in each topic's archive (the count and what the label
     * says of the first), the slot of each topic's archiver, and each mirror's status. Nothing without a broker.
     */
    private static void readBroker(
        final Path dir,
        final Map<String, String> damage,
        final Map<String, Integer> archiverSlots,
        final Map<String, MirrorStatus> mirrors)
    {
        final CncFile cnc;
        try
        {
            cnc = CncFile.map(CncFile.fileIn(dir));
        }
        catch (final IOException | ShmbusException ex)
        {
            return; // no broker: nothing to tell
        }
        try
        {
            final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
            reader.forEach((id, typeId, key, label) ->
            {
                final long count = reader.getCounterValue(id);
                MirrorStatus.collect(mirrors, reader, id, typeId, key, label);
                if (CounterTypes.ARCHIVE_ARCHIVED_POSITION == typeId && null != CounterKey.topic(key, 0, label))
                {
                    archiverSlots.put(CounterKey.topic(key, 0, label), (int)CounterKey.consumerId(key, 0));
                }
                final String topic = CounterTypes.ARCHIVE_DAMAGE_FOUND == typeId && count > 0 ?
                    CounterKey.topic(key, 0, label) : null;
                if (null != topic)
                {
                    // the label goes on, for people, with the first damage recovery found
                    final int end = label.indexOf(TopicArchiver.DAMAGE_LABEL_SUFFIX);
                    damage.put(topic, count + " report(s)" +
                        (end < 0 ? "" : label.substring(end + TopicArchiver.DAMAGE_LABEL_SUFFIX.length())) +
                        " (see: shmbus verify)");
                }
            });
        }
        finally
        {
            cnc.close();
        }
    }
}
