package io.shmbus.bench;

/**
 * One run of {@code scripts/bench persist}: one system at one message size in one round. The rate is measured on
 * the consumer from the first to the last message of the batch after the warmup (end to end: published, and
 * delivered to a tailing consumer); the producer's own sending rate beside it. {@code archive} is null for a
 * system without a shmbus archive; {@code failure} non-null when the run failed.
 */
record PersistRun(PersistSystem system, int size, int round, long measured, long elapsedNs, long sendNs,
    long backPressured, CpuMeter.Usage usage, ArchiveProbe.Stats archive, String failure) implements ConsumerRate
{
    static PersistRun failed(final PersistSystem system, final int size, final int round, final String failure)
    {
        return new PersistRun(system, size, round, 0, 0, 0, 0, new CpuMeter.Usage(Double.NaN, Double.NaN), null,
            failure);
    }

    boolean ok()
    {
        return null == failure;
    }

    /** The producer's rate over the measured batch: it may run ahead of a consumer when nothing holds it back. */
    double sendMessagesPerSecond()
    {
        return (measured + 1) * 1e9 / sendNs;
    }
}
