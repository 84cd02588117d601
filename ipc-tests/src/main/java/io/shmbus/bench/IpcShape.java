package io.shmbus.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A process shape of the IPC throughput benchmark: how many producer processes publish into one topic (stream), how
 * many consumer processes each read all of it, and the idle strategy of their loops. Written {@code PxC} or
 * {@code PxC/IDLE} on the command line: {@code 1x1}, {@code 4x1}, {@code 1x4}, {@code 1x1/yield}. Values only.
 */
record IpcShape(int producers, int consumers, String idle)
{
    static final int MAX_PROCESSES = 16;

    /** The id used on the command line and in results files: {@code 2x1}, {@code 1x1/yield}. */
    String id()
    {
        return producers + "x" + consumers + ("busy-spin".equals(idle) ? "" : "/" + idle);
    }

    /** For tables and plots: {@code 2 → 1}, {@code 1 → 1 (yield)}. */
    String label()
    {
        return producers + " → " + consumers + ("busy-spin".equals(idle) ? "" : " (" + idle + ")");
    }

    /**
     * Whether the system takes part: a system whose stream takes one producer only (Aeron's exclusive publication,
     * shmbus's exclusive producer) runs in 1-producer shapes only.
     */
    boolean runs(final BenchSystem system)
    {
        return system.hasThroughput() && (1 == producers || !system.isSingleProducer());
    }

    /**
     * Parses {@code PxC[/IDLE]}; without an idle strategy the shape gets {@code defaultIdle}.
     *
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static IpcShape parse(final String text, final String defaultIdle)
    {
        final String s = text.trim();
        final int slash = s.indexOf('/');
        final String counts = slash < 0 ? s : s.substring(0, slash);
        final String idle = slash < 0 ? defaultIdle : BenchOptions.idle(s.substring(slash + 1));
        final int x = counts.indexOf('x');
        if (x <= 0 || x == counts.length() - 1)
        {
            throw new IllegalArgumentException("a shape is PRODUCERSxCONSUMERS[/IDLE], e.g. 2x1 or 1x1/yield: '" +
                text + "'");
        }
        final int producers = BenchOptions.positiveInt("--shapes", counts.substring(0, x));
        final int consumers = BenchOptions.positiveInt("--shapes", counts.substring(x + 1));
        if (producers > MAX_PROCESSES || consumers > MAX_PROCESSES)
        {
            throw new IllegalArgumentException("at most " + MAX_PROCESSES + " producers or consumers: '" + text + "'");
        }
        return new IpcShape(producers, consumers, idle);
    }

    /** A comma-separated list of shapes, without duplicates. */
    static List<IpcShape> parseList(final String text, final String defaultIdle)
    {
        final List<IpcShape> shapes = new ArrayList<>();
        for (final String part : text.split(","))
        {
            final IpcShape shape = parse(part, defaultIdle);
            if (shapes.contains(shape))
            {
                throw new IllegalArgumentException("--shapes names " + shape.id() + " twice");
            }
            shapes.add(shape);
        }
        return shapes;
    }
}
