package io.shmbus.client;

import java.nio.file.Path;

/**
 * A stored frame (in a topic's segment files) is damaged or missing where a reader needs it: names the topic, the
 * file, the stream position and what is wrong. Readers report it and stop at that position; they never skip past
 * it or delete anything.
 */
public final class DamagedStorageException extends ShmbusException
{
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final transient Path file;
    private final long position;
    private final String reason;

    public DamagedStorageException(final String topic, final Path file, final long position, final String reason)
    {
        super("topic '" + topic + "': damaged archive in " + file + " at position " + position + ": " + reason);
        this.topic = topic;
        this.file = file;
        this.position = position;
        this.reason = reason;
    }

    public String topic()
    {
        return topic;
    }

    public Path file()
    {
        return file;
    }

    public long position()
    {
        return position;
    }

    /** What is wrong, without the topic, file and position. */
    public String reason()
    {
        return reason;
    }
}
