package io.shmbus.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Command-line options of {@code scripts/bench all}, and the options it hands each part.
 */
final class SuiteOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench all [options]",
        "",
        "Runs the IPC, persistence and replay benchmarks one after the other on this machine, each as",
        "scripts/bench <part> runs it, and writes everything into one directory, bench-results/all-<timestamp>/:",
        "each part's report (<part>.md) with its results (<part>.json, <part>.csv) and plots (<part>-*.png), and",
        "summary.md, results.json and results.csv for the whole run: the headline figures, every goal with the",
        "ratio measured against it, the plots. Prints a progress line per run and the summary at the end.",
        "",
        "  --quick          every part's --quick: a few minutes on two CPUs (a full run takes about 35-40 minutes)",
        "  --parts LIST     ipc,persist,persist-yield,replay            (default all four, in that order);",
        "                   persist-yield is persist with --idle yield: producer and consumer yield when idle,",
        "                   so the archiver gets a CPU on a machine with only two",
        "  --runs N         rounds of every part (default each part's own: 3, quick 1)",
        "  --out-dir DIR    where the run's directory goes                (default bench-results)",
        "  --no-plots       write no .png plots",
        "  --verbose        echo every child's output",
        "  --help           this text",
        "",
        "Each part alone, with all its options: scripts/bench ipc|persist|replay --help.");

    enum Part
    {
        IPC("ipc"),
        PERSIST("persist"),
        /** The persistence benchmark again with yielding loops: the archiver then gets a CPU on a small machine. */
        PERSIST_YIELD("persist-yield"),
        REPLAY("replay");

        private final String id;

        Part(final String id)
        {
            this.id = id;
        }

        String id()
        {
            return id;
        }

        static Part parse(final String text)
        {
            final String s = text.trim().toLowerCase(Locale.ROOT);
            for (final Part part : values())
            {
                if (part.id.equals(s))
                {
                    return part;
                }
            }
            throw new IllegalArgumentException("--parts takes ipc, persist, persist-yield and/or replay: '" + text +
                "'");
        }
    }

    boolean help;
    boolean quick;
    boolean plots = true;
    boolean verbose;
    Integer runs;
    Set<Part> parts = EnumSet.allOf(Part.class);
    Path outDir;

    /**
     * @throws IllegalArgumentException with a message meant for the user.
     */
    static SuiteOptions parse(final String[] args)
    {
        final SuiteOptions o = new SuiteOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    o.help = true;
                    break;
                case "--quick":
                    o.quick = true;
                    break;
                case "--no-plots":
                    o.plots = false;
                    break;
                case "--verbose":
                    o.verbose = true;
                    break;
                case "--runs":
                    o.runs = BenchOptions.positiveInt(arg, BenchOptions.value(args, ++i, arg));
                    break;
                case "--out-dir":
                    o.outDir = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                case "--parts":
                    o.parts = EnumSet.noneOf(Part.class);
                    for (final String s : BenchOptions.value(args, ++i, arg).split(","))
                    {
                        o.parts.add(Part.parse(s));
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return o;
    }

    /** The command-line arguments of a part, as {@code scripts/bench <part>} would get them. */
    List<String> partArgs(final Part part, final Path report)
    {
        final List<String> args = new ArrayList<>();
        if (quick)
        {
            args.add("--quick");
        }
        if (null != runs)
        {
            args.add("--runs");
            args.add(runs.toString());
        }
        if (Part.PERSIST_YIELD == part)
        {
            args.add("--idle");
            args.add("yield");
        }
        if (!plots)
        {
            args.add("--no-plots");
        }
        if (verbose)
        {
            args.add("--verbose");
        }
        args.add("--out");
        args.add(report.toString());
        return args;
    }
}
