package io.shmbus.bench;

/**
 * One throughput measurement: {@code measured} message intervals in {@code elapsedNs} on the consumer side, with
 * the CPU the rest of the machine used meanwhile, or the reason it failed.
 */
record ThroughputRun(int size, long measured, long elapsedNs, long backPressured, CpuMeter.Usage usage,
    String failure) implements ConsumerRate
{
    static ThroughputRun failed(final int size, final String failure)
    {
        return new ThroughputRun(size, 0, 0, 0, new CpuMeter.Usage(Double.NaN, Double.NaN), failure);
    }

    boolean ok()
    {
        return null == failure;
    }
}
