package io.shmbus.bench.jmh;

import io.shmbus.bench.BenchDirs;
import io.shmbus.client.Topic;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A topic log for one benchmark trial, mapped from a file in a fresh directory under {@code /dev/shm} exactly as the
 * client maps one without a broker ({@link Topic#open}), pre-touched. Closing it unmaps the log and removes the
 * directory. One thread: the trial's.
 */
final class BenchTopic implements AutoCloseable
{
    /** Where the directories are made; default {@code /dev/shm} (the temp directory where there is none). */
    static final String DIR_PROP_NAME = "shmbus.bench.jmh.dir";

    private final Path dir;
    private final Topic topic;

    private BenchTopic(final Path dir, final Topic topic)
    {
        this.dir = dir;
        this.topic = topic;
    }

    /** Creates and maps a topic with a ring of {@code capacity} bytes; its producers add checksums or not. */
    static BenchTopic open(final int capacity, final boolean checksums)
    {
        final Path dir = BenchDirs.createFresh(parentDir(), "shmbus-jmh-");
        try
        {
            final Topic topic = Topic.open(new Topic.Context()
                .dir(dir)
                .topic("jmh")
                .capacity(capacity)
                .checksums(checksums)
                .preTouch(true));
            return new BenchTopic(dir, topic);
        }
        catch (final RuntimeException ex)
        {
            BenchDirs.deleteRecursively(dir);
            throw ex;
        }
    }

    static Path parentDir()
    {
        final String dir = System.getProperty(DIR_PROP_NAME);
        return null != dir ? Paths.get(dir) : BenchDirs.shmParent();
    }

    Topic topic()
    {
        return topic;
    }

    public void close()
    {
        topic.close();
        BenchDirs.deleteRecursively(dir);
    }
}
