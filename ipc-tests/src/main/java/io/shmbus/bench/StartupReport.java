package io.shmbus.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown report of {@code scripts/bench startup}: per short command the median CPU and wall seconds of each
 * way of starting it, the ratio of the script as it is to the anchor (the earlier code on the default JVM when it
 * was measured, else this code on the default JVM), what the first run (the one that writes the class-data archive)
 * costs, and whether {@code shmbus replay}'s CPU was halved. One thread.
 */
final class StartupReport
{
    /** The goal: {@code shmbus replay}'s start-up CPU at most this fraction of the default JVM's. */
    static final double REPLAY_CPU_GOAL = 0.5;
    static final String GOAL_COMMAND = "replay";

    /** How a command was started, in the order of the table's columns; the first one measured is the anchor. */
    enum Start
    {
        BEFORE_DEFAULT_JVM("earlier code, default JVM", "the jars of the earlier build given with --before, started " +
            "as below: the code before this start-up work, as scripts/shmbus ran it before it chose JVM options"),
        BEFORE_SCRIPT("earlier code, its script", "the earlier build's own scripts/shmbus"),
        DEFAULT_JVM("default JVM, no archive", "`java --add-exports ... -cp JAR:LIB/* io.shmbus.broker.cli.Main`: " +
            "what scripts/shmbus ran before it chose JVM options"),
        NO_ARCHIVE("script, no archive", "`SHMBUS_CDS=off scripts/shmbus`: the short-command JVM options only"),
        SCRIPT("script", "`scripts/shmbus`: the JVM options and the command's class-data archive");

        final String title;
        final String description;

        Start(final String title, final String description)
        {
            this.title = title;
            this.description = description;
        }
    }

    /** Every run's times of each command and start, in run order. */
    private final Map<String, Map<Start, List<TimedCommand.Times>>> runs = new LinkedHashMap<>();
    private final Map<String, TimedCommand.Times> firstRuns = new LinkedHashMap<>();

    void add(final String command, final Start start, final TimedCommand.Times times)
    {
        runs.computeIfAbsent(command, c -> new LinkedHashMap<>())
            .computeIfAbsent(start, s -> new java.util.ArrayList<>()).add(times);
    }

    /** The run that found no archive and wrote one. */
    void addFirstRun(final String command, final TimedCommand.Times times)
    {
        firstRuns.put(command, times);
    }

    double medianCpuS(final String command, final Start start)
    {
        return median(runs.get(command).get(start).stream().mapToDouble(TimedCommand.Times::cpuS).toArray());
    }

    double medianWallS(final String command, final Start start)
    {
        return median(runs.get(command).get(start).stream().mapToDouble(TimedCommand.Times::wallS).toArray());
    }

    /** The starts measured, in column order; the first is the anchor. */
    List<Start> starts()
    {
        final java.util.Set<Start> measured = java.util.EnumSet.noneOf(Start.class);
        runs.values().forEach(byStart -> measured.addAll(byStart.keySet()));
        return List.copyOf(measured);
    }

    Start anchor()
    {
        return starts().get(0);
    }

    /** The script's median CPU over the anchor's. */
    double cpuRatio(final String command)
    {
        return medianCpuS(command, Start.SCRIPT) / medianCpuS(command, anchor());
    }

    /** The verdict on the goal, or null when {@code replay} was not measured. */
    String goalVerdict()
    {
        if (!runs.containsKey(GOAL_COMMAND))
        {
            return null;
        }
        final double ratio = cpuRatio(GOAL_COMMAND);
        return String.format(Locale.ROOT, "goal: shmbus replay's start-up CPU at most %.2fx that of the %s: " +
            "measured %.2fx, %s", REPLAY_CPU_GOAL, anchor().title, ratio, ratio <= REPLAY_CPU_GOAL ? "met" : "NOT met");
    }

    /** The report; {@code settings} are rows (name, value) for the settings table. */
    String markdown(final Map<String, String> settings)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# shmbus start-up of the short commands\n\n");
        sb.append("| setting | value |\n|---|---|\n");
        settings.forEach((key, value) -> sb.append("| ").append(key).append(" | ")
            .append(value.replace("|", "\\|")).append(" |\n"));
        final List<Start> starts = starts();
        for (final Start start : starts)
        {
            sb.append("| ").append(start.title).append(" | ").append(start.description).append(" |\n");
        }
        sb.append("\n## Median CPU (user + sys) and wall seconds per command\n\n");
        sb.append("Each command runs to its end once per round, every start in turn (the order rotates), so the\n");
        sb.append("machine's changing load falls on all of them alike; the ratios are of medians of the same run.\n\n");
        sb.append("| command |");
        for (final Start start : starts)
        {
            sb.append(' ').append(start.title).append(": CPU s | wall s |");
        }
        sb.append(" CPU script ÷ ").append(anchor().title).append(" | wall script ÷ ").append(anchor().title)
            .append(" |\n|---|");
        sb.append("---:|---:|".repeat(starts.size())).append("---:|---:|\n");
        runs.forEach((command, byStart) ->
        {
            sb.append("| ").append(command).append(" |");
            for (final Start start : starts)
            {
                sb.append(String.format(Locale.ROOT, " %.3f | %.3f |", medianCpuS(command, start),
                    medianWallS(command, start)));
            }
            sb.append(String.format(Locale.ROOT, " **%.2f** | %.2f |%n", cpuRatio(command),
                medianWallS(command, Start.SCRIPT) / medianWallS(command, anchor())));
        });
        if (!firstRuns.isEmpty())
        {
            sb.append("\n## The first run: it writes the archive\n\n");
            sb.append("Once per command and build (again when the jars change): the command runs while the JVM\n");
            sb.append("records its classes, then a second JVM checks that the archive maps.\n\n");
            sb.append("| command | CPU s | wall s |\n|---|---:|---:|\n");
            firstRuns.forEach((command, times) -> sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f |%n",
                command, times.cpuS(), times.wallS())));
        }
        final String verdict = goalVerdict();
        if (null != verdict)
        {
            sb.append('\n').append(verdict).append('\n');
        }
        return sb.toString();
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
