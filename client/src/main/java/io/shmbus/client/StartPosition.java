package io.shmbus.client;

/**
 * Where a new consumer starts reading: the oldest frame still held, the current tail, or an exact position.
 * Immutable and thread-safe.
 */
public final class StartPosition
{
    public static final StartPosition EARLIEST = new StartPosition(-1, "earliest");
    public static final StartPosition LATEST = new StartPosition(-2, "latest");

    private final long position;
    private final long epochNs;
    private final String text;

    private StartPosition(final long position, final String text)
    {
        this(position, -1, text);
    }

    private StartPosition(final long position, final long epochNs, final String text)
    {
        this.position = position;
        this.epochNs = epochNs;
        this.text = text;
    }

    /**
     * The first message stamped at or after a time (frames carry the time they were claimed). Needs a broker.
     *
     * @param epochNs nanoseconds since the epoch.
     */
    public static StartPosition atTime(final long epochNs)
    {
        if (epochNs < 0)
        {
            throw new ConfigurationException("start time must be after 1970: " + epochNs);
        }
        return new StartPosition(-3, epochNs, java.time.Instant.ofEpochSecond(0, epochNs).toString());
    }

    /** True for a start at a time. */
    public boolean isTime()
    {
        return epochNs >= 0;
    }

    /** The start time in epoch nanoseconds, when {@link #isTime()}. */
    public long epochNs()
    {
        return epochNs;
    }

    /**
     * @param position a stream position on a frame boundary.
     * @return a start at that exact position.
     */
    public static StartPosition at(final long position)
    {
        if (position < 0)
        {
            throw new ConfigurationException("start position must be >= 0: " + position);
        }
        return new StartPosition(position, Long.toString(position));
    }

    /**
     * Parses {@code earliest}, {@code latest}, a decimal position, or an ISO-8601 time such as
     * {@code 2026-11-26T01:00:00Z} or {@code 2026-11-26T02:00:00+01:00}.
     *
     * @throws ConfigurationException naming the accepted forms when the text is none of them.
     */
    public static StartPosition parse(final String text)
    {
        if (null != text && text.contains("T") && text.contains("-"))
        {
            try
            {
                final java.time.Instant instant = java.time.OffsetDateTime.parse(text).toInstant();
                return atTime(instant.getEpochSecond() * 1_000_000_000L + instant.getNano());
            }
            catch (final java.time.format.DateTimeParseException ex)
            {
                throw new ConfigurationException("start time must be ISO-8601 with a zone, such as " +
                    "2026-11-26T01:00:00Z: '" + text + "'");
            }
        }
        if ("earliest".equalsIgnoreCase(text))
        {
            return EARLIEST;
        }
        if ("latest".equalsIgnoreCase(text))
        {
            return LATEST;
        }
        try
        {
            return at(Long.parseLong(text));
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(
                "start must be 'earliest', 'latest', a position (a non-negative integer) or an ISO-8601 time " +
                "(2026-11-26T01:00:00Z): '" + text + "'");
        }
    }

    public boolean isEarliest()
    {
        return this == EARLIEST;
    }

    public boolean isLatest()
    {
        return this == LATEST;
    }

    /** The exact position; only meaningful when neither earliest nor latest. */
    public long position()
    {
        return position;
    }

    public String toString()
    {
        return text;
    }
}
