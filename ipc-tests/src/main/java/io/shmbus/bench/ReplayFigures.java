package io.shmbus.bench;

import org.jfree.chart.JFreeChart;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one {@code scripts/bench replay} invocation as data: a row per run and the medians (GiB/s and
 * sending-side CPU seconds per GiB by method), the ratios the goals are judged by, and the plot of both by method.
 * The parent's main thread.
 */
final class ReplayFigures
{
    static final String BENCHMARK = "replay";
    /** The methods plotted, in the plot's order: the references first, then shmbus's two paths. */
    static final List<ReplayMethod> PLOTTED = List.of(ReplayMethod.SENDFILE, ReplayMethod.MMAP_WRITE,
        ReplayMethod.COPY_LOOP, ReplayMethod.SHMBUS_NET, ReplayMethod.SHMBUS_CLI);

    private final ReplayBenchmark.Results results;
    private final Invocation invocation;
    private final ResultsFile file = new ResultsFile();

    ReplayFigures(final ReplayBenchmark.Results results, final Invocation invocation)
    {
        this.results = results;
        this.invocation = invocation;
        file.meta("benchmark", BENCHMARK);
        IpcFigures.invocationMeta(file, invocation);
        file.meta("topicBytes", Long.toString(results.topicBytes));
        file.meta("segments", Integer.toString(results.segments));
        file.meta("segmentLengthBytes", Long.toString(results.segmentLength));
        rows();
        goals();
    }

    ResultsFile resultsFile()
    {
        return file;
    }

    JFreeChart plot()
    {
        final Map<String, Double> gibPerSecond = new LinkedHashMap<>();
        final Map<String, Double> cpuPerGib = new LinkedHashMap<>();
        for (final ReplayMethod method : PLOTTED)
        {
            gibPerSecond.put(method.id, median(method, ReplayRun::gibPerSecond));
            cpuPerGib.put(method.id, median(method, ReplayRun::cpuSecondsPerGib));
        }
        return BenchPlots.replay("Replay of " + (results.topicBytes >> 20) + " MiB to a loopback socket: " +
            "GiB/s (above) and sending CPU s per GiB (below)", IpcFigures.machineText(invocation) +
            "; median of the rounds", gibPerSecond, cpuPerGib);
    }

    private double median(final ReplayMethod method, final ToDoubleFunction<ReplayRun> measure)
    {
        return ReplayReport.median(results, method, measure);
    }

    private void rows()
    {
        for (final ReplayRun run : results.runs)
        {
            row(run.method().id, "gib_per_s", "GiB/s", "run " + run.round(), run.gibPerSecond());
            row(run.method().id, "cpu_s_per_gib", "s/GiB", "run " + run.round(), run.cpuSecondsPerGib());
        }
        final double sendfile = median(ReplayMethod.SENDFILE, ReplayRun::gibPerSecond);
        final double copyCpu = median(ReplayMethod.COPY_LOOP, ReplayRun::cpuSecondsPerGib);
        for (final ReplayMethod method : ReplayMethod.values())
        {
            final double throughput = median(method, ReplayRun::gibPerSecond);
            final double cpu = median(method, ReplayRun::cpuSecondsPerGib);
            row(method.id, "gib_per_s", "GiB/s", "median", throughput);
            row(method.id, "cpu_s_per_gib", "s/GiB", "median", cpu);
            row(method.id, "throughput_vs_sendfile", "x", "median", throughput / sendfile);
            row(method.id, "cpu_vs_copy_loop", "x", "median", cpu / copyCpu);
        }
    }

    private void goals()
    {
        final double sendfile = median(ReplayMethod.SENDFILE, ReplayRun::gibPerSecond);
        final double copyCpu = median(ReplayMethod.COPY_LOOP, ReplayRun::cpuSecondsPerGib);
        for (final ReplayMethod method : List.of(ReplayMethod.SHMBUS_NET, ReplayMethod.SHMBUS_CLI))
        {
            file.goal(new ResultsFile.Goal(BENCHMARK, "replay throughput ≥ 0.9 × raw sendfile", method.id,
                median(method, ReplayRun::gibPerSecond) / sendfile, ReplayReport.THROUGHPUT_GOAL, true));
            file.goal(new ResultsFile.Goal(BENCHMARK, "replay CPU per GiB ≤ 0.35 × the copy loop", method.id,
                median(method, ReplayRun::cpuSecondsPerGib) / copyCpu, ReplayReport.CPU_GOAL, false));
        }
    }

    private void row(final String method, final String metric, final String unit, final String stat,
        final double value)
    {
        file.add(new ResultsFile.Row(BENCHMARK, "replay", "", method, results.topicBytes, metric, unit, stat, value));
    }
}
