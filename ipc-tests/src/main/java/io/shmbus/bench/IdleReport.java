package io.shmbus.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown report of {@code scripts/bench idle}: the settings, then for the broker and the client the share of
 * a core each used while idle, against the goal, and the threads that used it. One thread.
 */
final class IdleReport extends MarkdownReport
{
    private static final int THREADS_SHOWN = 5;

    private final IdleOptions options;
    private final List<IdleBenchmark.IdleProcess> measured;
    private final List<String> failures;

    IdleReport(final IdleOptions options, final Invocation invocation, final List<IdleBenchmark.IdleProcess> measured,
        final List<String> failures)
    {
        super(invocation);
        this.options = options;
        this.measured = measured;
        this.failures = failures;
    }

    String render()
    {
        line("# shmbus idle CPU");
        line();
        line("An idle broker (a persistent data directory, the network server on, " + options.topics + " topic(s)) " +
            "and an idle connected client (a producer and a consumer open on each topic, nothing sent), each in " +
            "its own JVM. After " + options.warmupSeconds + " s of warm-up, each process's CPU time over " +
            options.seconds + " s, from utime+stime of `/proc/PID/stat` (10 ms ticks) and from the scheduler's " +
            "`/proc/PID/task/*/schedstat` (ns), as a share of one core. The goal holds the larger of the two " +
            "against " + fmt(IdleBenchmark.GOAL_PCT_OF_CORE) + "%. The machine may be shared: other processes " +
            "do not add to these figures, but can delay the processes' wake-ups." + (options.anchor ? " The anchor, " +
            "measured after it in the same run: the same pair with the broker's conductor on Agrona's " +
            "`BackoffIdleStrategy` parking up to 1 ms (the broker's default before it parked longer when quiet)." :
            ""));
        line();
        line("| setting | value |");
        line("|---|---|");
        invocationRows("default JVM options, as `scripts/shmbus broker` runs the broker");
        row("broker", "role shmbus-broker: default idle strategy, data directory under target/bench-data, " +
            "network port " + (0 == options.netPort ? "any free" : Integer.toString(options.netPort)));
        row("client", "role idle-client: ShmBus.connect, a Producer and a Consumer (latest) per topic; its main " +
            "thread blocked");
        line();
        line("## CPU while idle");
        line();
        line("| broker idle strategy | process | utime+stime, % of a core | schedstat, % of a core | goal | verdict | " +
            "busiest threads (ms over the window) |");
        line("|---|---|---:|---:|---:|---|---|");
        for (final IdleBenchmark.IdleProcess process : measured)
        {
            final boolean anchor = IdleBenchmark.ANCHOR.equals(process.setup());
            final ResultsFile.Goal goal = new ResultsFile.Goal("idle", "", "", process.pct(),
                IdleBenchmark.GOAL_PCT_OF_CORE, false);
            line("| " + (anchor ? "anchor: Agrona backoff, 1 ms" : "default") + " | " + process.name() + " | " +
                fmt(process.ticksPct()) + " | " +
                (Double.isNaN(process.schedstatPct()) ? "?" : fmt(process.schedstatPct())) + " | " +
                (anchor ? "" : "< " + fmt(IdleBenchmark.GOAL_PCT_OF_CORE)) + " | " + (anchor ? "" : goal.verdict()) +
                " | " + threads(process) + " |");
        }
        line();
        final double ratio = brokerPct(IdleBenchmark.DEFAULT) / brokerPct(IdleBenchmark.ANCHOR);
        if (!Double.isNaN(ratio))
        {
            line("The idle broker with its default idle strategy used " + fmt(ratio) + "x the CPU of the anchor.");
            line();
        }
        failures(failures);
        return text();
    }

    private double brokerPct(final String setup)
    {
        for (final IdleBenchmark.IdleProcess process : measured)
        {
            if (setup.equals(process.setup()) && "broker".equals(process.name()))
            {
                return process.pct();
            }
        }
        return Double.NaN;
    }

    private static String threads(final IdleBenchmark.IdleProcess process)
    {
        final StringBuilder sb = new StringBuilder();
        final List<Map.Entry<String, Long>> threads = process.threads();
        for (int i = 0; i < Math.min(THREADS_SHOWN, threads.size()); i++)
        {
            sb.append(i > 0 ? ", " : "").append(threads.get(i).getKey()).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", threads.get(i).getValue() / 1e6));
        }
        return sb.toString();
    }
}
