package io.shmbus.bench;

import java.util.Locale;

/**
 * The systems {@code scripts/bench persist} compares: shmbus without and with an archive (and its durability), and
 * Chronicle Queue, the persisted-log anchor.
 */
enum PersistSystem
{
    SHMBUS("shmbus", "shmbus non-persistent", null),
    SHMBUS_PERSISTENT("shmbus-persistent", "shmbus persistent (durability none)", "none"),
    /** Opt-in: an fsync per 128 MiB segment ties the rate to the disk, not the page cache. */
    SHMBUS_SEGMENT("shmbus-segment", "shmbus persistent (durability segment)", "segment"),
    CHRONICLE(ChronicleTransport.SYSTEM_ID, "Chronicle Queue", null);

    private final String id;
    private final String label;
    private final String durability;

    PersistSystem(final String id, final String label, final String durability)
    {
        this.id = id;
        this.label = label;
        this.durability = durability;
    }

    String id()
    {
        return id;
    }

    String label()
    {
        return label;
    }

    /** The broker's durability setting when the topic is archived, else null. */
    String durability()
    {
        return durability;
    }

    boolean isArchived()
    {
        return null != durability;
    }

    boolean isShmbus()
    {
        return this != CHRONICLE;
    }

    static PersistSystem parse(final String text)
    {
        final String s = text.trim().toLowerCase(Locale.ROOT);
        for (final PersistSystem system : values())
        {
            if (system.id.equals(s))
            {
                return system;
            }
        }
        throw new IllegalArgumentException("unknown system '" + text + "': use shmbus, shmbus-persistent, " +
            "shmbus-segment or chronicle");
    }
}
