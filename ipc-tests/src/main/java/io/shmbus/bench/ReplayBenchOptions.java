package io.shmbus.bench;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Command-line options of {@code scripts/bench replay}.
 */
final class ReplayBenchOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench replay [options]",
        "",
        "Archives a topic of --size-mib MiB through a broker process (segment files on disk, under target/), then",
        "sends it to a receiver process over loopback TCP in several ways, round by round in alternating order:",
        "  sendfile     FileChannel.transferTo of the segment files (the physical limit)",
        "  copy-loop    read into a direct buffer, write to the socket (user-space copy)",
        "  mmap-write   map each segment file, write the mapped buffer to the socket",
        "  shmbus-net   the broker's network server serving a subscriber process (sendfile inside the broker)",
        "  shmbus-cli   shmbus replay --format frames --connect (sendfile from the segments), and the same",
        "               command for 64 KiB (its fixed cost)",
        "and reports throughput, sender CPU per GiB and ratios. Writes bench-results/replay-<timestamp>.md.",
        "",
        "  --quick           a smoke run: 1 round of 256 MiB",
        "  --runs N          rounds; medians are reported                 (default 3)",
        "  --size-mib N      size of the archived topic in MiB            (default 1024)",
        "  --buffer-kib N    the copy loop's buffer                       (default 256)",
        "  --data-dir DIR    where the segment files go, on a real disk   (default ipc-tests/target)",
        "  --jvm-opt OPT     extra option for every child JVM (repeatable)",
        "  --out FILE        the report            (default bench-results/replay-<yyyyMMdd-HHmmss>.md),",
        "                    with .json, .csv and -methods.png beside it",
        "  --no-plots        draw no plot",
        "  --verbose         echo every child's output",
        "  --help            this text");

    boolean help;
    boolean quick;
    boolean verbose;
    boolean plots = true;
    int runs = 3;
    long sizeMiB = 1024;
    int bufferKiB = 256;
    Path dataDir;
    Path out;
    final java.util.List<String> jvmOptions = new java.util.ArrayList<>();

    static ReplayBenchOptions parse(final String[] args)
    {
        final ReplayBenchOptions options = new ReplayBenchOptions();
        boolean quick = false;
        Integer runs = null;
        Long sizeMiB = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    options.help = true;
                    break;
                case "--verbose":
                    options.verbose = true;
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--no-plots":
                    options.plots = false;
                    break;
                case "--runs":
                    runs = (int)BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 1000);
                    break;
                case "--size-mib":
                    sizeMiB = BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 1 << 20);
                    break;
                case "--buffer-kib":
                    options.bufferKiB = (int)BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 64 * 1024);
                    break;
                case "--data-dir":
                    options.dataDir = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                case "--jvm-opt":
                    options.jvmOptions.add(BenchOptions.value(args, ++i, arg));
                    break;
                case "--out":
                    options.out = Paths.get(BenchOptions.value(args, ++i, arg));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        options.quick = quick;
        options.runs = null != runs ? runs : quick ? 1 : 3;
        options.sizeMiB = null != sizeMiB ? sizeMiB : quick ? 256 : 1024;
        return options;
    }


}
