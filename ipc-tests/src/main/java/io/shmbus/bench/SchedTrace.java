package io.shmbus.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who takes the CPU away from a ping-pong run's spinning threads: reads the text of {@code perf script} over a
 * {@code sched:sched_switch} recording of the whole machine, finds the busiest thread of each benchmark process
 * whose role is {@code ping} or {@code pong} (its spinning loop), and counts every time the scheduler switched it
 * out while it could still run (an involuntary switch, {@code prev_state=R}), with the task that got the CPU and
 * how long the spinner stayed off it. One such switch costs the round trip in flight its whole off-CPU time, so on
 * a two-CPU machine the count per second against the round trips per second says how much of the tail it explains.
 * <p>
 * Roles come from a file of {@code PID ROLE} lines (the benchmark's child processes, sampled while the run lasts).
 * Single-threaded; holds the whole trace's per-thread state in memory, not its lines.
 */
final class SchedTrace
{
    private static final Pattern SWITCH = Pattern.compile(
        "^\\s*(.+?)\\s+(\\d+)/(\\d+)\\s+\\[(\\d+)]\\s+(\\d+\\.\\d+):\\s+(?:sched:sched_switch:\\s+)?" +
        "prev_comm=(.*) prev_pid=(\\d+) prev_prio=-?\\d+ prev_state=(\\S+) ==> next_comm=(.*) next_pid=(\\d+) " +
        "next_prio=-?\\d+\\s*$");

    /**
     * One involuntary switch of a spinner: the task that got the CPU (its thread id and command name), and how long
     * the spinner waited to get it back.
     */
    record Preemption(long spinnerTid, long byTid, String byComm, double atSeconds, double offCpuMicros)
    {
    }

    /** A spinning thread and what it went through. */
    static final class Spinner
    {
        final String role;
        final long pid;
        final long tid;
        final double onCpuSeconds;
        final double firstSeconds;
        final double lastSeconds;
        final List<Preemption> preemptions = new ArrayList<>();
        int voluntary;

        Spinner(final String role, final long pid, final long tid, final double onCpuSeconds, final double first,
            final double last)
        {
            this.role = role;
            this.pid = pid;
            this.tid = tid;
            this.onCpuSeconds = onCpuSeconds;
            this.firstSeconds = first;
            this.lastSeconds = last;
        }

        double spanSeconds()
        {
            return lastSeconds - firstSeconds;
        }

        /** The seconds the counted switches come from: the window where there is one, else the thread's life. */
        double countedSeconds(final SchedTrace trace)
        {
            return trace.hasWindow() ? Math.min(trace.windowEnd, lastSeconds) - Math.max(trace.windowStart,
                firstSeconds) : spanSeconds();
        }
    }

    private final Map<Long, String> roleByPid;
    private final Map<Long, Long> pidByTid = new HashMap<>();
    private final Map<Long, String> commByTid = new HashMap<>();
    private final Map<Long, Double> onCpuByTid = new HashMap<>();
    private final Map<Long, Double> switchedInAt = new HashMap<>();
    private final Map<Long, Double> firstSeen = new HashMap<>();
    private final Map<Long, Double> lastSeen = new HashMap<>();
    /** Involuntary switches of every thread of a benchmark process, until the spinners are known. */
    private final Map<Long, List<Preemption>> pending = new HashMap<>();
    private final Map<Long, Integer> voluntaryByTid = new HashMap<>();
    private final Map<Long, Double> outSince = new HashMap<>();
    private final Map<Long, Long> outByTid = new HashMap<>();
    private final Map<Long, String> outByComm = new HashMap<>();
    private long lines;
    private long unparsed;
    private double windowStart = Double.NEGATIVE_INFINITY;
    private double windowEnd = Double.POSITIVE_INFINITY;
    private long pingMinorFaults = -1;
    private long pingMajorFaults = -1;

    SchedTrace(final Map<Long, String> roleByPid)
    {
        this.roleByPid = roleByPid;
    }

    /**
     * Counts only the switches inside this window, in the trace's seconds (a trace recorded with
     * {@code -k CLOCK_MONOTONIC} shares its clock with {@link System#nanoTime()}).
     */
    SchedTrace window(final double startSeconds, final double endSeconds)
    {
        if (!(endSeconds > startSeconds))
        {
            throw new IllegalArgumentException("empty window: " + startSeconds + " to " + endSeconds);
        }
        this.windowStart = startSeconds;
        this.windowEnd = endSeconds;
        return this;
    }

    /** The page faults the ping process took in the window, as it counted them itself; -1 where unknown. */
    SchedTrace pingFaults(final long minor, final long major)
    {
        this.pingMinorFaults = minor;
        this.pingMajorFaults = major;
        return this;
    }

    boolean hasWindow()
    {
        return windowStart != Double.NEGATIVE_INFINITY;
    }

    /** Reads {@code PID ROLE} lines; later lines win, blank and malformed lines are skipped. */
    static Map<Long, String> readRoles(final Path file) throws IOException
    {
        final Map<Long, String> roles = new HashMap<>();
        for (final String line : Files.readAllLines(file))
        {
            final String[] parts = line.trim().split("\\s+");
            if (parts.length >= 2 && parts[0].matches("\\d+"))
            {
                roles.put(Long.parseLong(parts[0]), parts[1]);
            }
        }
        return roles;
    }

    void read(final BufferedReader reader) throws IOException
    {
        String line;
        while (null != (line = reader.readLine()))
        {
            accept(line);
        }
    }

    void accept(final String line)
    {
        lines++;
        final Matcher m = SWITCH.matcher(line);
        if (!m.matches())
        {
            unparsed++;
            return;
        }
        final long pid = Long.parseLong(m.group(2));
        final double time = Double.parseDouble(m.group(5));
        final String prevComm = m.group(6);
        final long prevTid = Long.parseLong(m.group(7));
        final String prevState = m.group(8);
        final String nextComm = m.group(9);
        final long nextTid = Long.parseLong(m.group(10));

        if (0 != prevTid)
        {
            pidByTid.put(prevTid, pid);
            commByTid.put(prevTid, prevComm);
            final Double in = switchedInAt.remove(prevTid);
            if (null != in)
            {
                onCpuByTid.merge(prevTid, time - in, Double::sum);
            }
            firstSeen.putIfAbsent(prevTid, time);
            lastSeen.put(prevTid, time);
            if (roleByPid.containsKey(pid))
            {
                if (prevState.startsWith("R"))
                {
                    outSince.put(prevTid, time);
                    outByTid.put(prevTid, nextTid);
                    outByComm.put(prevTid, nextComm);
                }
                else
                {
                    voluntaryByTid.merge(prevTid, 1, Integer::sum);
                }
            }
        }
        if (0 != nextTid)
        {
            commByTid.put(nextTid, nextComm);
            switchedInAt.put(nextTid, time);
            firstSeen.putIfAbsent(nextTid, time);
            lastSeen.put(nextTid, time);
            final Double since = outSince.remove(nextTid);
            if (null != since)
            {
                pending.computeIfAbsent(nextTid, t -> new ArrayList<>())
                    .add(new Preemption(nextTid, outByTid.remove(nextTid), outByComm.remove(nextTid), since,
                        (time - since) * 1e6));
            }
        }
    }

    /**
     * The task that took the CPU, named for the reader: its role and thread, or its command name. Known only once
     * the whole trace is read: a task's process shows when it is first switched out, which can be later.
     */
    String describe(final Preemption preemption)
    {
        final long tid = preemption.byTid();
        final String comm = preemption.byComm();
        final Long pid = pidByTid.get(tid);
        final String role = null == pid ? null : roleByPid.get(pid);
        if (null != role)
        {
            return role + " process: " + comm;
        }
        if (comm.startsWith("swapper"))
        {
            return "idle (swapper)";
        }
        return "other: " + comm;
    }

    /** The busiest thread of every ping and pong process, with its involuntary switches. */
    List<Spinner> spinners()
    {
        final Map<Long, Long> busiest = new TreeMap<>();
        for (final Map.Entry<Long, Double> e : onCpuByTid.entrySet())
        {
            final Long pid = pidByTid.get(e.getKey());
            final String role = null == pid ? null : roleByPid.get(pid);
            if (!"ping".equals(role) && !"pong".equals(role))
            {
                continue;
            }
            final Long current = busiest.get(pid);
            if (null == current || onCpuByTid.get(current) < e.getValue())
            {
                busiest.put(pid, e.getKey());
            }
        }
        final List<Spinner> spinners = new ArrayList<>();
        for (final Map.Entry<Long, Long> e : busiest.entrySet())
        {
            final long tid = e.getValue();
            final Spinner spinner = new Spinner(roleByPid.get(e.getKey()), e.getKey(), tid, onCpuByTid.get(tid),
                firstSeen.get(tid), lastSeen.get(tid));
            for (final Preemption p : pending.getOrDefault(tid, List.of()))
            {
                if (p.atSeconds() >= windowStart && p.atSeconds() <= windowEnd)
                {
                    spinner.preemptions.add(p);
                }
            }
            spinner.voluntary = voluntaryByTid.getOrDefault(tid, 0);
            spinners.add(spinner);
        }
        spinners.sort((a, b) -> a.role.compareTo(b.role));
        return spinners;
    }

    long lines()
    {
        return lines;
    }

    long unparsed()
    {
        return unparsed;
    }

    /** A Markdown section: one row per spinner, then who preempted the spinners, by total off-CPU time. */
    String report(final String title)
    {
        final StringBuilder out = new StringBuilder();
        out.append("### ").append(title).append("\n\n");
        final List<Spinner> spinners = spinners();
        if (spinners.isEmpty())
        {
            out.append("No ping or pong process found in the trace (").append(lines).append(" lines, ")
                .append(unparsed).append(" not scheduler switches).\n\n");
            return out.toString();
        }
        if (hasWindow())
        {
            out.append(String.format(Locale.ROOT, "Switches counted in the recorded window only (%.3f s of round " +
                "trips after the warm-up); on CPU is the thread's whole life.%n%n", windowEnd - windowStart));
            if (pingMinorFaults >= 0)
            {
                out.append("Page faults of the ping process in the window: ").append(pingMinorFaults)
                    .append(" minor, ").append(pingMajorFaults).append(" major.\n\n");
            }
        }
        else
        {
            out.append("Switches counted over each thread's whole life, JVM start and warm-up included.\n\n");
        }
        out.append("| thread | on CPU (s) | counted (s) | involuntary switches | per second | off CPU total (ms) | " +
            "off CPU p50 / p99 / max (µs) | voluntary switches |\n|---|---:|---:|---:|---:|---:|---|---:|\n");
        final Map<String, double[]> byCause = new LinkedHashMap<>();
        for (final Spinner s : spinners)
        {
            final double[] off = s.preemptions.stream().mapToDouble(Preemption::offCpuMicros).sorted().toArray();
            final double total = Arrays.stream(off).sum();
            out.append(String.format(Locale.ROOT, "| %s (pid %d, tid %d) | %.2f | %.2f | %d | %.0f | %.1f | %s | %d |%n",
                s.role, s.pid, s.tid, s.onCpuSeconds, s.countedSeconds(this), off.length,
                s.countedSeconds(this) > 0 ? off.length / s.countedSeconds(this) : 0.0, total / 1e3,
                off.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f", percentile(off, 50),
                    percentile(off, 99), off[off.length - 1]), s.voluntary));
            for (final Preemption p : s.preemptions)
            {
                final double[] sums = byCause.computeIfAbsent(describe(p), k -> new double[2]);
                sums[0]++;
                sums[1] += p.offCpuMicros();
            }
        }
        out.append("\nWho got the CPU when a spinner was switched out (both spinners together, by off-CPU time):\n\n");
        out.append("| task | switches | off CPU total (ms) | mean (µs) |\n|---|---:|---:|---:|\n");
        byCause.entrySet().stream()
            .sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]))
            .limit(12)
            .forEach(e -> out.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.1f |%n", e.getKey(),
                e.getValue()[0], e.getValue()[1] / 1e3, e.getValue()[1] / e.getValue()[0])));
        out.append('\n');
        return out.toString();
    }

    static double percentile(final double[] sorted, final double percent)
    {
        if (sorted.length == 0)
        {
            return Double.NaN;
        }
        final int index = (int)Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /**
     * {@code SchedTrace ROLES TITLE [WINDOW]}: reads {@code perf script} text on standard input, prints the Markdown
     * section. WINDOW is a file holding {@code START_NS END_NS [MINOR_FAULTS MAJOR_FAULTS]}; a missing or empty file
     * counts everything.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2 && args.length != 3)
        {
            System.err.println("usage: SchedTrace ROLES-FILE TITLE [WINDOW-FILE] < perf-script-output");
            System.exit(2);
        }
        final SchedTrace trace = new SchedTrace(readRoles(Path.of(args[0])));
        if (3 == args.length && Files.isRegularFile(Path.of(args[2])))
        {
            final String[] window = Files.readString(Path.of(args[2])).trim().split("\\s+");
            if (window.length >= 2)
            {
                trace.window(Long.parseLong(window[0]) / 1e9, Long.parseLong(window[1]) / 1e9);
            }
            if (window.length >= 4)
            {
                trace.pingFaults(Long.parseLong(window[2]), Long.parseLong(window[3]));
            }
        }
        trace.read(new BufferedReader(new java.io.InputStreamReader(System.in)));
        System.out.print(trace.report(args[1]));
    }
}
