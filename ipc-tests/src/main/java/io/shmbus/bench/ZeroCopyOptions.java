package io.shmbus.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of {@code scripts/bench zero-copy}.
 */
final class ZeroCopyOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/bench zero-copy [options]",
        "",
        "Counts what moving the same bytes costs the process that moves them, path by path: CPU copies of the",
        "payload (from the code path), system calls (strace -f -c, attached after warm-up, in a separate traced",
        "window), voluntary and involuntary context switches, page faults and CPU seconds (from /proc, untraced):",
        "  offer, tryClaim   a producer process writing into the ring (64 KiB messages)",
        "  poll              a consumer process reading them in place",
        "  archive           the broker copying the ring into segment files",
        "  read/write, mmap+write, sendfile, shmbus-net, shmbus replay --connect",
        "                    the segment files to a receiver process over loopback TCP",
        "Writes bench-results/zero-copy-<timestamp>.md with .json and .csv beside it.",
        "",
        "  --quick            256 MiB per path (about 2 minutes)",
        "  --size-mib N       bytes moved per path and window, in MiB           (default 1024)",
        "  --capacity-mib N   the ring's capacity; the ring paths move half of it per step (default 64)",
        "  --no-strace        count no system calls (no traced windows)",
        "  --shm-parent DIR   where the shared-memory directory goes            (default /dev/shm)",
        "  --data-dir DIR     where the segment files go, on a real disk        (default ipc-tests/target)",
        "  --port N           the receiver listens on N, the broker's network server on N+1 (default: any free)",
        "  --jvm-opt OPT      extra option for every child JVM (repeatable)",
        "  --out FILE         the report (default bench-results/zero-copy-<yyyyMMdd-HHmmss>.md)",
        "  --verbose          echo every child's output",
        "  --help             this text");

    boolean help;
    boolean quick;
    boolean strace = true;
    boolean verbose;
    long sizeMiB = 1024;
    int capacityMiB = 64;
    int port;
    Path shmParent;
    Path dataDir;
    Path out;
    final List<String> jvmOptions = new ArrayList<>();

    static ZeroCopyOptions parse(final String[] args)
    {
        final ZeroCopyOptions options = new ZeroCopyOptions();
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
                case "--quick":
                    options.quick = true;
                    break;
                case "--no-strace":
                    options.strace = false;
                    break;
                case "--verbose":
                    options.verbose = true;
                    break;
                case "--size-mib":
                    sizeMiB = BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 1 << 16);
                    break;
                case "--capacity-mib":
                    final long capacity = BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 1024);
                    if (Long.bitCount(capacity) != 1)
                    {
                        throw new IllegalArgumentException(arg + " needs a power of two: " + capacity);
                    }
                    options.capacityMiB = (int)capacity;
                    break;
                case "--port":
                    options.port = (int)BenchOptions.wholeNumber(arg, BenchOptions.value(args, ++i, arg), 65534);
                    break;
                case "--shm-parent":
                    options.shmParent = Paths.get(BenchOptions.value(args, ++i, arg));
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
        options.sizeMiB = null != sizeMiB ? sizeMiB : options.quick ? 256 : 1024;
        if (options.sizeMiB * 2 < options.capacityMiB)
        {
            throw new IllegalArgumentException("--size-mib " + options.sizeMiB + " is less than one step of the " +
                "ring paths (half of --capacity-mib " + options.capacityMiB + ")");
        }
        return options;
    }


}
