package io.shmbus.ipc;

import java.time.Duration;
import java.util.Arrays;

/**
 * Reads the report lines of {@link ProducerMain} and {@link ConsumerMain} children and fails with the child's
 * recent output when a report is not what the test expects.
 */
final class ChildReports
{
    private ChildReports()
    {
    }

    /**
     * Waits for a producer to exit 0.
     *
     * @return its {@code SENT} line.
     */
    static KeyValues awaitSent(final JavaProcess producer, final Duration timeout)
    {
        producer.awaitSuccess(timeout);
        return KeyValues.parseLine(producer.awaitLine("SENT", Duration.ZERO));
    }

    /**
     * Waits for a consumer to exit and checks it reported a perfect stream with exactly these counts per stream.
     *
     * @return its {@code SUMMARY} line.
     */
    static KeyValues awaitPerfectStream(final JavaProcess consumer, final long[] expectedCounts, final Duration timeout)
    {
        final int status = consumer.awaitExit(timeout);
        final KeyValues summary = KeyValues.parseLine(consumer.awaitLine("SUMMARY", Duration.ZERO));
        final long[] counts = summary.getLongs("counts");
        if (0 != status || 0 != summary.getLong("errors") || !Arrays.equals(expectedCounts, counts) ||
            !"true".equals(summary.get("perfect")) || !"true".equals(summary.get("drained")))
        {
            throw consumer.failure("exited with status " + status + " and an imperfect stream: expected counts " +
                Arrays.toString(expectedCounts) + ", got " + Arrays.toString(counts) + ", " + summary);
        }
        return summary;
    }

    /** {@code count} for each of {@code n} entries. */
    static long[] filled(final int n, final long count)
    {
        final long[] values = new long[n];
        Arrays.fill(values, count);
        return values;
    }
}
