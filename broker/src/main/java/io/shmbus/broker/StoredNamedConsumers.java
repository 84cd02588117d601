package io.shmbus.broker;

import io.shmbus.client.InvalidTopicNameException;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.TopicNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The named consumers kept in the data directory ({@link NamedPositionsFile}) of topics the broker has not opened
 * (no segment files at start, or no room for their counters), for {@code NAMED_CONSUMERS}: their names and stored
 * positions, read from the files without opening the topics. Their tail and lag are unknown (answered as -1): only
 * opening a topic recovers its archive's end.
 * <p>
 * Conductor thread only. Allocates (operator commands are rare).
 */
final class StoredNamedConsumers
{
    /** The tail and lag of a named consumer of a topic that is not open: unknown. */
    static final long UNKNOWN = -1;

    private StoredNamedConsumers()
    {
    }

    /**
     * Appends a {@code topic=T name=N position=P tail=-1 lag=-1 holder=0} line per name kept for each topic of
     * {@code dataDir} that {@code isOpen} rejects, in topic name order.
     *
     * @return the topics whose positions file could not be read, each with the reason, one a line (empty if none).
     */
    static String appendUnopened(final Path dataDir, final Predicate<String> isOpen, final StringBuilder text)
    {
        final StringBuilder problems = new StringBuilder();
        if (null == dataDir || !Files.isDirectory(dataDir))
        {
            return "";
        }
        try (Stream<Path> dirs = Files.list(dataDir))
        {
            for (final Path dir : (Iterable<Path>)dirs.sorted()::iterator)
            {
                final String topic = dir.getFileName().toString();
                if (!isTopicName(topic) || isOpen.test(topic) ||
                    !Files.isRegularFile(dir.resolve(NamedPositionsFile.FILE_NAME)))
                {
                    continue; // not a topic (a tombstone, a stray file), listed as open, or no named consumers
                }
                try
                {
                    for (final Map.Entry<String, Long> entry : NamedPositionsFile.read(dir).entrySet())
                    {
                        text.append("topic=").append(topic).append(" name=").append(entry.getKey())
                            .append(" position=").append(entry.getValue().longValue())
                            .append(" tail=").append(UNKNOWN).append(" lag=").append(UNKNOWN)
                            .append(" holder=0\n");
                    }
                }
                catch (final ShmbusException ex)
                {
                    problems.append(ex.getMessage()).append('\n');
                }
            }
        }
        catch (final IOException ex)
        {
            problems.append("cannot list ").append(dataDir).append(": ").append(ex.getMessage()).append('\n');
        }
        return problems.toString();
    }

    private static boolean isTopicName(final String name)
    {
        if (TopicDeletion.isTombstone(name))
        {
            return false;
        }
        try
        {
            TopicNames.validate(name);
            return true;
        }
        catch (final InvalidTopicNameException ex)
        {
            return false;
        }
    }
}
