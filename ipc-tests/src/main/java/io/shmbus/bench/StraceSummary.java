package io.shmbus.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The system calls counted by {@code strace -c}: one entry per call name with its count and failures, largest count
 * first. Parsed from the summary table strace writes at detach ({@code -o FILE}):
 * <pre>
 * % time     seconds  usecs/call     calls    errors syscall
 * ------ ----------- ----------- --------- --------- ----------------
 *  52.20    0.004494           4      1003           read
 * ...
 * 100.00    0.008609           4      2125        17 total
 * </pre>
 * Immutable; any thread.
 */
record StraceSummary(List<Entry> entries)
{
    /** One system call name and how often it was made in the window. */
    record Entry(String syscall, long calls, long errors)
    {
    }

    /** Every call in the window. */
    long total()
    {
        long total = 0;
        for (final Entry e : entries)
        {
            total += e.calls;
        }
        return total;
    }

    /** The calls of one name; 0 when there were none. */
    long calls(final String syscall)
    {
        for (final Entry e : entries)
        {
            if (e.syscall.equals(syscall))
            {
                return e.calls;
            }
        }
        return 0;
    }

    /** The {@code n} most frequent calls. */
    List<Entry> top(final int n)
    {
        return entries.subList(0, Math.min(n, entries.size()));
    }

    /**
     * Parses the summary table; an empty text is a window without calls. The rows' sum must equal the
     * {@code total} row when there is one.
     *
     * @throws IllegalArgumentException when the text is not an strace -c table.
     */
    static StraceSummary parse(final String text)
    {
        if (text.isBlank())
        {
            return new StraceSummary(List.of()); // strace writes nothing when the window held no call at all
        }
        final List<Entry> entries = new ArrayList<>();
        boolean header = false;
        long reportedTotal = -1;
        for (final String raw : text.split("\n"))
        {
            final String line = raw.trim();
            if (line.startsWith("% time"))
            {
                header = true;
                continue;
            }
            if (!header || line.isEmpty() || line.startsWith("---"))
            {
                continue;
            }
            final String[] f = line.split("\\s+");
            final String name = f[f.length - 1];
            if ("total".equals(name) && f.length < 5)
            {
                continue; // an strace that prints no usecs/call in its total row: the rows are summed anyway
            }
            // % time, seconds, usecs/call, calls, [errors], name
            if (f.length < 5 || f.length > 6)
            {
                throw new IllegalArgumentException("not a row of an strace -c table: '" + line + "'");
            }
            final long calls = parseCount(f[3], line);
            final long errors = 6 == f.length ? parseCount(f[4], line) : 0;
            if ("total".equals(name))
            {
                reportedTotal = calls;
            }
            else
            {
                entries.add(new Entry(name, calls, errors));
            }
        }
        if (!header)
        {
            throw new IllegalArgumentException("no strace -c table (no '% time' header) in: '" + text.trim() + "'");
        }
        entries.sort(Comparator.comparingLong(Entry::calls).reversed().thenComparing(Entry::syscall));
        final StraceSummary summary = new StraceSummary(List.copyOf(entries));
        if (reportedTotal >= 0 && reportedTotal != summary.total())
        {
            throw new IllegalArgumentException("the strace rows add up to " + summary.total() +
                " calls, its total row says " + reportedTotal);
        }
        return summary;
    }

    private static long parseCount(final String field, final String line)
    {
        try
        {
            return Long.parseLong(field);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a count '" + field + "' in strace row '" + line + "'");
        }
    }
}
