package io.shmbus.broker.cli;

import io.shmbus.broker.status.CounterFinder;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Reads a topic's archived position counter from the broker's CnC file (found by type id and key): the position up
 * to which the topic's segment files are complete and will not change. The archiver sets it with a release store
 * after each copy, so a reader that sees a value can read the segment bytes below it.
 * <p>
 * Not thread-safe: one reading thread; close it to unmap the CnC file.
 */
final class ArchivedPositionCounter implements LongSupplier, AutoCloseable
{
    private final CncFile cnc;
    private final CountersReader reader;
    private final int counterId;

    private ArchivedPositionCounter(final CncFile cnc, final CountersReader reader, final int counterId)
    {
        this.cnc = cnc;
        this.reader = reader;
        this.counterId = counterId;
    }

    /**
     * @return the counter of the topic, or null when the broker does not archive it.
     */
    static ArchivedPositionCounter find(final Path dir, final String topic) throws IOException
    {
        final CncFile cnc = CncFile.map(CncFile.fileIn(dir));
        final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
        final int counterId = CounterFinder.find(reader, CounterTypes.ARCHIVE_ARCHIVED_POSITION, topic);
        if (counterId < 0)
        {
            cnc.close();
            return null;
        }
        return new ArchivedPositionCounter(cnc, reader, counterId);
    }

    public long getAsLong()
    {
        return reader.getCounterValue(counterId);
    }

    public void close()
    {
        cnc.close();
    }
}
