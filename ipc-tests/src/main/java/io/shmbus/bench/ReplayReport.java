package io.shmbus.bench;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The Markdown report of {@code scripts/bench replay}: setup, medians with ratios against raw sendfile
 * (throughput) and the copy loop (CPU per GiB), the goals, and every run.
 */
final class ReplayReport
{
    static final double THROUGHPUT_GOAL = 0.9;
    static final double CPU_GOAL = 0.35;

    private final ReplayBenchOptions options;
    private final ReplayBenchmark.Results results;
    private final MachineInfo machine;
    private final String command;
    private final LocalDateTime started;
    private final String loadBefore;
    private final String loadAfter;
    private final double elapsedS;

    ReplayReport(
        final ReplayBenchOptions options,
        final ReplayBenchmark.Results results,
        final MachineInfo machine,
        final String command,
        final LocalDateTime started,
        final String loadBefore,
        final String loadAfter,
        final double elapsedS)
    {
        this.options = options;
        this.results = results;
        this.machine = machine;
        this.command = command;
        this.started = started;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.elapsedS = elapsedS;
    }

    /** The median of a measure over a method's runs, NaN without runs. */
    static double median(final ReplayBenchmark.Results results, final ReplayMethod method,
        final ToDoubleFunction<ReplayRun> measure)
    {
        final List<Double> values = new ArrayList<>();
        for (final ReplayRun run : results.runs)
        {
            if (run.method() == method)
            {
                values.add(measure.applyAsDouble(run));
            }
        }
        if (values.isEmpty())
        {
            return Double.NaN;
        }
        Collections.sort(values);
        final int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    String render()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# shmbus replay to a socket vs raw sendfile and a copy loop\n\n");
        sb.append("- command: `").append(command).append("`\n");
        sb.append("- code: ").append(System.getProperty(IpcBenchmark.CODE_PROP_NAME, "unknown")).append('\n');
        sb.append("- started: ").append(started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
            .append(String.format(Locale.ROOT, ", took %.0f s%n", elapsedS));
        sb.append("- machine: ").append(machine.nproc()).append(" CPUs, ").append(machine.cpuModel()).append(", ")
            .append(machine.memTotal()).append(", Linux ").append(machine.kernel()).append(", ")
            .append(machine.java()).append('\n');
        sb.append("- load average before / after: ").append(loadBefore).append(" / ").append(loadAfter).append('\n');
        sb.append(String.format(Locale.ROOT, "- data: topic of %d MiB (%d B), 64 KiB frames, %d segment files of " +
            "%d MiB, archived by a broker process into %s on the real disk (published and archived in %.1f s; " +
            "warm in the page cache), deleted afterwards%n", results.topicBytes >> 20, results.topicBytes,
            results.segments, results.segmentLength >> 20, results.dataDir, results.publishSeconds));
        sb.append("- receiver: one JVM process, reads each loopback connection to its end into a 4 MiB direct " +
            "buffer and discards it; throughput = bytes / (accept to end of stream)\n");
        sb.append("- sender CPU: user + system time of the sending process over the send only (no JVM start-up), " +
            "all threads, from /proc/PID/task/*/schedstat; for shmbus-net the broker process's, from the " +
            "subscriber's start to its result\n");
        sb.append(String.format(Locale.ROOT, "- %d round(s), methods in alternating order; copy loop buffer %d " +
            "KiB%n", options.runs, options.bufferKiB));
        sb.append("- child JVMs: `").append(String.join(" ", results.childCommand.subList(0,
            Math.min(3, results.childCommand.size())))).append(" ...`\n\n");

        final double sendfileThroughput = median(results, ReplayMethod.SENDFILE, ReplayRun::gibPerSecond);
        final double copyCpu = median(results, ReplayMethod.COPY_LOOP, ReplayRun::cpuSecondsPerGib);
        sb.append("| method | throughput GiB/s (median) | sender CPU s/GiB (median) | throughput ÷ sendfile | " +
            "CPU/GiB ÷ copy loop |\n|---|---:|---:|---:|---:|\n");
        for (final ReplayMethod method : List.of(ReplayMethod.SENDFILE, ReplayMethod.COPY_LOOP,
            ReplayMethod.MMAP_WRITE, ReplayMethod.SHMBUS_NET, ReplayMethod.SHMBUS_CLI))
        {
            final double throughput = median(results, method, ReplayRun::gibPerSecond);
            final double cpu = median(results, method, ReplayRun::cpuSecondsPerGib);
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.3f | %.2f | %.2f |%n", method.id, throughput,
                cpu, throughput / sendfileThroughput, cpu / copyCpu));
        }
        sb.append('\n');

        for (final ReplayMethod method : List.of(ReplayMethod.SHMBUS_NET, ReplayMethod.SHMBUS_CLI))
        {
            final double throughput = median(results, method, ReplayRun::gibPerSecond) / sendfileThroughput;
            final double cpu = median(results, method, ReplayRun::cpuSecondsPerGib) / copyCpu;
            sb.append(String.format(Locale.ROOT, "Goals for %s: throughput ≥ %.2f × sendfile: **%.2f (%s)**; " +
                "CPU per GiB ≤ %.2f × the copy loop: **%.2f (%s)**.%n%n", method.id, THROUGHPUT_GOAL, throughput,
                throughput >= THROUGHPUT_GOAL ? "met" : "not met", CPU_GOAL, cpu, cpu <= CPU_GOAL ? "met" :
                "not met"));
        }
        final double cliCpu = median(results, ReplayMethod.SHMBUS_CLI, ReplayRun::cpuSecondsPerGib);
        final double fixedCpuNs = median(results, ReplayMethod.SHMBUS_CLI_FIXED,
            run -> run.senderCpuNs() + run.brokerCpuNs());
        final double gib = results.topicBytes / (1024.0 * 1024 * 1024);
        final double marginal = cliCpu - fixedCpuNs / 1e9 / gib;
        sb.append(String.format(Locale.ROOT, "Fixed cost of one `shmbus replay` invocation (the `shmbus-cli-64k` " +
            "runs: a new JVM's class loading and compilation, connecting to the broker, resolving the range): " +
            "**%.0f ms** of CPU (median). Without it, shmbus-cli costs %.3f s/GiB = **%.2f × the copy loop** and " +
            "%.2f × raw sendfile per byte: the cost of the transfer itself, which grows with the range.%n%n",
            fixedCpuNs / 1e6, marginal, marginal / copyCpu,
            marginal / median(results, ReplayMethod.SENDFILE, ReplayRun::cpuSecondsPerGib)));

        sb.append("Methods:\n\n");
        for (final ReplayMethod method : ReplayMethod.values())
        {
            sb.append("- `").append(method.id).append("`: ").append(method.description).append('\n');
        }
        sb.append("\nEvery run:\n\n| round | method | GiB/s | time ms | sender CPU ms | broker CPU ms | " +
            "CPU s/GiB |\n|---:|---|---:|---:|---:|---:|---:|\n");
        for (final ReplayRun run : results.runs)
        {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %.1f | %.1f | %.1f | %.3f |%n", run.round(),
                run.method().id, run.gibPerSecond(), run.nanos() / 1e6, run.senderCpuNs() / 1e6,
                run.brokerCpuNs() / 1e6, run.cpuSecondsPerGib()));
        }
        if (!results.failures.isEmpty())
        {
            sb.append("\nFailures:\n\n");
            for (final String failure : results.failures)
            {
                sb.append("- ").append(failure).append('\n');
            }
        }
        return sb.toString();
    }
}
