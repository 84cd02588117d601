package io.shmbus.broker.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC timestamps with milliseconds, always three digits ({@code 2026-12-06T20:01:02.000Z}). Thread-safe. */
public final class IsoTimestamps
{
    private static final DateTimeFormatter UTC_MILLIS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private IsoTimestamps()
    {
    }

    public static String utcMillis(final long epochMs)
    {
        return UTC_MILLIS.format(Instant.ofEpochMilli(epochMs));
    }

    static void appendUtcMillis(final StringBuilder sb, final long epochMs)
    {
        UTC_MILLIS.formatTo(Instant.ofEpochMilli(epochMs), sb);
    }
}
