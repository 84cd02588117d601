package io.shmbus.bench;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * One ping-pong measurement: the round-trip percentiles in nanoseconds as reported by the ping process
 * ({@code p50Ns}, {@code p90Ns}, {@code p99Ns}, {@code p999Ns}, {@code p9999Ns}, {@code maxNs}, {@code count}), or
 * the reason it failed; with the CPU the rest of the machine used meanwhile.
 */
record LatencyRun(Map<String, String> fields, CpuMeter.Usage usage, String failure)
{
    static LatencyRun failed(final String failure)
    {
        return new LatencyRun(Map.of(), new CpuMeter.Usage(Double.NaN, Double.NaN), failure);
    }

    boolean ok()
    {
        return null == failure;
    }

    /** True when the run hit its time cap and recorded fewer samples than asked. */
    boolean capped()
    {
        return Boolean.parseBoolean(fields.get("capped"));
    }

    long ns(final String key)
    {
        return Long.parseLong(fields.get(key));
    }

    /** The run's whole histogram of round trips in nanoseconds; null when the ping process sent none. */
    Histogram histogram()
    {
        final String encoded = fields.get("histogram");
        return null == encoded ? null : PingRole.decode(encoded);
    }
}
