package io.shmbus.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything one run of {@code scripts/bench mirror} measured: throughput and latency runs of the mirror and of
 * plain Aeron UDP, the catch-up beside raw sendfile, the settings the children reported, and what failed. Filled
 * by the benchmark's main thread, then read by the report.
 */
final class MirrorResults
{
    static final String MIRROR = "shmbus-mirror";
    static final String AERON = "aeron-udp";
    static final String SENDFILE = "raw-sendfile";

    /**
     * One throughput run: messages measured end to end at the consumer, each process's CPU over the run in cores
     * ({@code name=cores,...}), or why it failed.
     */
    record Throughput(String system, int size, long messages, long elapsedNs, String cpu, String failure)
    {
        double messagesPerSecond()
        {
            return null != failure || elapsedNs <= 0 ? Double.NaN : messages * 1e9 / elapsedNs;
        }

        /** Payload megabytes (10^6 bytes) a second. */
        double megabytesPerSecond()
        {
            return messagesPerSecond() * size / 1e6;
        }
    }

    /** One latency run: the consumer's result fields (percentiles in ns, the histogram), or why it failed. */
    record Latency(String system, int size, Map<String, String> fields, String failure)
    {
        double micros(final String key)
        {
            return null != failure || !fields.containsKey(key) ? Double.NaN : Long.parseLong(fields.get(key)) / 1e3;
        }

        Histogram histogram()
        {
            final String encoded = null == failure ? fields.get("histogram") : null;
            return null == encoded ? null : PingRole.decode(encoded);
        }
    }

    /**
     * The catch-up of a new mirror against raw sendfile of the same segment files. {@code mirrorBytes} and
     * {@code mirrorNs} are what the parent watched: from the first look at the mirror's topic (once its broker said
     * READY) to its tail reaching the source's end, and on to its archive holding it all; the CPU time of the
     * source and mirror broker processes over the first of those windows (and their busiest threads'), and of each
     * raw sendfile sender.
     */
    record CatchUp(long bytes, int segments, List<Long> sendfileNs, List<Long> sendfileCpuNs, long mirrorBytes,
        long mirrorNs, long mirrorArchivedNs, long sourceCpuNs, long mirrorCpuNs, String sourceThreads,
        String mirrorThreads, String failure)
    {
        double sendfileGibPerSecond()
        {
            double sum = 0;
            for (final long ns : sendfileNs)
            {
                sum += bytes / (ns / 1e9) / (1 << 30);
            }
            return sendfileNs.isEmpty() ? Double.NaN : sum / sendfileNs.size();
        }

        /** NaN when the mirror had it all before the parent's first look (a tiny archive): nothing was timed. */
        double mirrorGibPerSecond()
        {
            return null != failure || mirrorNs <= 0 || mirrorBytes <= 0 ? Double.NaN :
                mirrorBytes / (mirrorNs / 1e9) / (1 << 30);
        }

        double mirrorArchivedGibPerSecond()
        {
            return null != failure || mirrorArchivedNs <= 0 || mirrorBytes <= 0 ? Double.NaN :
                mirrorBytes / (mirrorArchivedNs / 1e9) / (1 << 30);
        }
    }

    final List<Throughput> throughput = new ArrayList<>();
    final List<Latency> latency = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    CatchUp catchUp;
    String brokerSettings = "";
    String driverSettings = "";
    String dataDir = "";
    String dataFileSystem = "";

    Throughput throughput(final String system, final int size)
    {
        return throughput.stream().filter(t -> t.system().equals(system) && t.size() == size).findFirst()
            .orElse(null);
    }

    Latency latency(final String system, final int size)
    {
        return latency.stream().filter(t -> t.system().equals(system) && t.size() == size).findFirst().orElse(null);
    }

    /** Mirrored messages/s over plain Aeron's at this size; NaN when either is missing. */
    double throughputRatio(final int size)
    {
        final Throughput mirror = throughput(MIRROR, size);
        final Throughput aeron = throughput(AERON, size);
        return null == mirror || null == aeron ? Double.NaN : mirror.messagesPerSecond() / aeron.messagesPerSecond();
    }

    /** The catch-up rate (to the mirror's tail) over raw sendfile's; NaN when not measured. */
    double catchUpRatio()
    {
        return null == catchUp ? Double.NaN : catchUp.mirrorGibPerSecond() / catchUp.sendfileGibPerSecond();
    }
}
