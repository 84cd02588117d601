package io.shmbus.broker.cli;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The distinct errors a broker recorded in its CnC file's error log, most recently seen first. Read once from the
 * mapped region; the broker may add to it meanwhile (a record is complete once its length is published).
 */
final class RecordedErrors
{
    /** One distinct error: how often it was seen, first and last (epoch ms), and its text (a stack trace or a line). */
    static final class Entry
    {
        final int count;
        final long firstMs;
        final long lastMs;
        final String text;

        Entry(final int count, final long firstMs, final long lastMs, final String text)
        {
            this.count = count;
            this.firstMs = firstMs;
            this.lastMs = lastMs;
            this.text = text;
        }
    }

    private RecordedErrors()
    {
    }

    static List<Entry> read(final AtomicBuffer errorLog)
    {
        final List<Entry> entries = new ArrayList<>();
        ErrorLogReader.read(errorLog, (count, first, last, text) -> entries.add(new Entry(count, first, last, text)));
        entries.sort(Comparator.comparingLong((Entry e) -> e.lastMs).reversed());
        return entries;
    }
}
