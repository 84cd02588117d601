package io.shmbus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The systems the IPC benchmark compares, with the names used on the command line and in reports. Each shmbus
 * producer kind is held against the Aeron publication of its kind: the shared producer (many producers a topic, a
 * CAS on the tail) against the concurrent publication, the exclusive producer (a topic's only producer, no atomic
 * instruction) against the exclusive publication. Values only.
 */
enum BenchSystem
{
    SHMBUS("shmbus", "shmbus"),
    SHMBUS_EXCLUSIVE("shmbus-exclusive", "shmbus exclusive producer"),
    AERON_EXCLUSIVE("aeron-exclusive", "Aeron IPC exclusive"),
    AERON_CONCURRENT("aeron-concurrent", "Aeron IPC concurrent"),
    /** Latency only: a bare single-producer single-consumer ring in shared memory, the floor under both logs. */
    RAW_SHM("raw-shm", "raw SPSC ring (floor)");

    /** The shmbus producer kinds, in the order they are measured and shown. */
    static final List<BenchSystem> SHMBUS_PRODUCERS = List.of(SHMBUS, SHMBUS_EXCLUSIVE);
    /** The systems of the ping-pong, in the order each round measures them: the floor first. */
    static final List<BenchSystem> LATENCY_ORDER = List.of(RAW_SHM, SHMBUS, SHMBUS_EXCLUSIVE, AERON_EXCLUSIVE);

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

    /** Whether a run of this system needs a shmbus broker process. */
    boolean isShmbus()
    {
        return this == SHMBUS || this == SHMBUS_EXCLUSIVE;
    }

    /** Whether a stream of this system takes only one producer, so that it runs in 1-producer shapes only. */
    boolean isSingleProducer()
    {
        return this == SHMBUS_EXCLUSIVE || this == AERON_EXCLUSIVE;
    }

    /** Whether the throughput benchmark runs this system; the floor only makes sense one message at a time. */
    boolean hasThroughput()
    {
        return this != RAW_SHM;
    }

    /** The Aeron publication a shmbus producer kind is held against; null for the other systems. */
    BenchSystem aeronCounterpart()
    {
        switch (this)
        {
            case SHMBUS:
                return AERON_CONCURRENT;
            case SHMBUS_EXCLUSIVE:
                return AERON_EXCLUSIVE;
            default:
                return null;
        }
    }

    /** The id of a comparison in results files: {@code shmbus-exclusive÷aeron-exclusive}. */
    String ratioId()
    {
        return id + "÷" + aeronCounterpart().id;
    }

    /** The comparison as a heading: {@code shmbus exclusive producer ÷ Aeron IPC exclusive}. */
    String ratioLabel()
    {
        return label + " ÷ " + aeronCounterpart().label;
    }

    /**
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static BenchSystem parse(final String text)
    {
        final String s = text.trim().toLowerCase(Locale.ROOT);
        final List<String> ids = new ArrayList<>();
        for (final BenchSystem system : values())
        {
            if (system.id.equals(s))
            {
                return system;
            }
            ids.add(system.id);
        }
        throw new IllegalArgumentException("unknown system '" + text + "': use " + String.join(", ", ids));
    }
}
