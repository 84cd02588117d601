package io.shmbus.ipc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The arguments shared by the producer and consumer children of one test run: where the topic is, its size, and
 * the seed and shape of the {@link Payloads} messages. The seed is random per run and printed; set
 * {@code -Dshmbus.ipc.seed=N} to replay a run.
 */
final class IpcTestConfig
{
    static final String TOPIC = "ipc";

    final String dir;
    final long capacity;
    final int processes;
    final int threads;
    final int maxLength;
    final long seed;

    IpcTestConfig(final String dir, final long capacity, final int processes, final int threads, final int maxLength)
    {
        this.dir = dir;
        this.capacity = capacity;
        this.processes = processes;
        this.threads = threads;
        this.maxLength = maxLength;
        this.seed = Long.getLong("shmbus.ipc.seed", System.nanoTime());
    }

    Payloads payloads()
    {
        return new Payloads(seed, processes, threads, maxLength);
    }

    /** Arguments of {@link ProducerMain} for producer process {@code process}. */
    String[] producerArgs(final int process, final int messagesPerThread, final String... extra)
    {
        return with(common(), extra, "process=" + process, "messages=" + messagesPerThread);
    }

    /** Arguments of {@link ConsumerMain}; {@code expect} holds the messages per thread of each process. */
    String[] consumerArgs(final String name, final String start, final long[] expect, final String... extra)
    {
        final StringBuilder counts = new StringBuilder();
        for (final long count : expect)
        {
            counts.append(counts.length() == 0 ? "" : ",").append(count);
        }
        return with(common(), extra, "name=" + name, "start=" + start, "expect=" + counts);
    }

    private List<String> common()
    {
        return new ArrayList<>(Arrays.asList(
            "dir=" + dir, "topic=" + TOPIC, "capacity=" + capacity, "processes=" + processes, "threads=" + threads,
            "maxLength=" + maxLength, "seed=" + seed));
    }

    private static String[] with(final List<String> args, final String[] extra, final String... more)
    {
        args.addAll(Arrays.asList(more));
        args.addAll(Arrays.asList(extra));
        return args.toArray(new String[0]);
    }

    public String toString()
    {
        return "topic " + TOPIC + " in " + dir + ", capacity " + capacity + ", " + processes +
            " producer processes x " + threads + " threads, payloads 1.." + maxLength + " B, seed " + seed;
    }
}
