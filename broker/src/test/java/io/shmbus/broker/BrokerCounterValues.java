package io.shmbus.broker;

import io.shmbus.client.cnc.CncFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads a running broker's counter by its label from the command-and-control file, as {@code shmbus stat} does,
 * for tests that wait for or check a counter. Any thread: the file is mapped and read per call.
 */
public final class BrokerCounterValues
{
    private BrokerCounterValues()
    {
    }

    /** The value of the counter labelled {@code label} in the broker of {@code shmDir}, or -1 when there is none. */
    public static long value(final Path shmDir, final String label)
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(shmDir)))
        {
            final CountersReader reader = new CountersReader(cnc.countersMetadata(), cnc.countersValues());
            final long[] value = {-1};
            reader.forEach((id, type, key, l) ->
            {
                if (l.equals(label))
                {
                    value[0] = reader.getCounterValue(id);
                }
            });
            return value[0];
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
