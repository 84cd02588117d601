package io.shmbus.bench;

import java.util.Locale;

/**
 * The systems the IPC benchmark compares, with the names used on the command line and in reports.
 */
enum BenchSystem
{
    SHMBUS("shmbus", "shmbus"),
    AERON_EXCLUSIVE("aeron-exclusive", "Aeron IPC exclusive"),
    AERON_CONCURRENT("aeron-concurrent", "Aeron IPC concurrent"),
    /** Latency only: a bare single-producer single-consumer ring in shared memory, the floor under both logs. */
    RAW_SHM("raw-shm", "raw SPSC ring (floor)");

    private final String id;
    private final String label;

    BenchSystem(final String id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    String id()
    {
        return id;
    }

    String label()
    {
        return label;
    }

    boolean isAeron()
    {
        return this == AERON_EXCLUSIVE || this == AERON_CONCURRENT;
    }

    /** Whether the throughput benchmark runs this system; the floor only makes sense one message at a time. */
    boolean hasThroughput()
    {
        return this != RAW_SHM;
    }

    static BenchSystem parse(final String text)
    {
        final String s = text.trim().toLowerCase(Locale.ROOT);
        for (final BenchSystem system : values())
        {
            if (system.id.equals(s))
            {
                return system;
            }
        }
        throw new IllegalArgumentException("unknown system '" + text + "': use shmbus, aeron-exclusive, " +
            "aeron-concurrent or raw-shm");
    }
}
