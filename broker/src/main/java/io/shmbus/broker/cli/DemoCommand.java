package io.shmbus.broker.cli;

import io.shmbus.broker.demo.Demo;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus demo}: checks the options and runs the {@link Demo} (package {@code io.shmbus.broker.demo}).
 */
final class DemoCommand implements Command
{
    public String name()
    {
        return "demo";
    }

    public String summary()
    {
        return "run producer and consumer processes end to end, archive the topic and replay it over TCP";
    }

    public String usage()
    {
        return "usage: shmbus demo [--messages N] [--size BYTES] [--consumers N] [--no-archive]\n\n" +
            "Starts an embedded broker on a new directory under /dev/shm, with a new data directory in the\n" +
            "temp directory and a network server on a free port of 127.0.0.1, then consumer processes and a\n" +
            "producer process on one persistent topic. Checks that every consumer got every message once and\n" +
            "in order; waits for the archive to catch up and shows it (durability none, segments of " +
            Demo.SEGMENT_LENGTH_MIB + " MiB,\n" +
            "retention " + Demo.RETENTION_MIB + " MiB); replays it over TCP from its earliest retained position " +
            "to the end and\n" +
            "checks that the messages arrive contiguous and in order. Prints the rates and the broker's counters,\n" +
            "and deletes every process and file it created, on failure and Ctrl-C too.\n\n" +
            "  --messages N       messages to send (default 5000000)\n" +
            "  --size BYTES       payload bytes per message, >= " + Demo.MIN_SIZE + " (default 64)\n" +
            "  --consumers N      consumer processes, 1 to " + Demo.MAX_CONSUMERS + " (default 2)\n" +
            "  --no-archive       shared memory only: no data directory, no network server, no replay\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(
            name(), argList, Set.of("--messages", "--size", "--consumers"), Set.of("--no-archive"));
        final long messages = args.getLong("--messages", 5_000_000);
        final long size = args.getLong("--size", 64);
        final long consumers = args.getLong("--consumers", 2);
        if (messages < 1)
        {
            throw new UsageException(name(), "--messages must be >= 1");
        }
        if (size < Demo.MIN_SIZE || size > Demo.MAX_SIZE)
        {
            throw new UsageException(name(), "--size must be between " + Demo.MIN_SIZE + " and " + Demo.MAX_SIZE +
                " bytes");
        }
        if (consumers < 1 || consumers > Demo.MAX_CONSUMERS)
        {
            throw new UsageException(name(), "--consumers must be between 1 and " + Demo.MAX_CONSUMERS);
        }
        final boolean ok = new Demo(messages, size, consumers, !args.has("--no-archive")).run(out, err);
        return ok ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
