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
    private final String text;

    private StartPosition(final long position, final String text)
    {
        this.position = position;
        this.text = text;
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
     * Parses {@code earliest}, {@code latest} or a decimal position.
     *
     * @throws ConfigurationException naming the accepted forms when the text is none of them.
     */
    public static StartPosition parse(final String text)
    {
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
                "start must be 'earliest', 'latest' or a position (a non-negative integer): '" + text + "'");
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
