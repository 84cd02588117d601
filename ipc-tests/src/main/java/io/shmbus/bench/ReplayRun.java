package io.shmbus.bench;

/**
 * One measured replay: what the receiver got and how long it took from its accept to the end of the stream, and
 * the CPU the sending side spent (for shmbus also the broker process's CPU over the same window).
 */
record ReplayRun(ReplayMethod method, int round, long bytes, long nanos, long senderCpuNs, long brokerCpuNs)
{
    private static final double GIB = 1024.0 * 1024 * 1024;

    double gibPerSecond()
    {
        return bytes / GIB / (nanos / 1e9);
    }

    /** CPU seconds of the sending side (sender and broker) per GiB sent. */
    double cpuSecondsPerGib()
    {
        return (senderCpuNs + brokerCpuNs) / 1e9 / (bytes / GIB);
    }
}
