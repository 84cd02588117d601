package io.shmbus.soak;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The options of {@code scripts/soak}. Immutable once parsed.
 */
final class SoakOptions
{
    static final String USAGE = String.join("\n",
        "usage: scripts/soak [--minutes N] [--seed S] [--out DIR] [options]",
        "",
        "Runs a broker daemon (archiving every topic, serving them on a loopback port), producer processes",
        "(numbered streams, offer and tryClaim/commit), local and remote consumers that check every stream as",
        "they read, and kills a random process with SIGKILL every few seconds (the broker too), restarting it.",
        "At the end it stops the producers, waits for the archive, reads every segment frame by frame and",
        "checks every stream against it. Prints one line per figure, writes soak.md and soak.json in the",
        "output directory, and exits 1 on any loss, duplicate, stream error, stall past --max-stall, or growth",
        "of the broker's file handles or memory; 2 on a usage error.",
        "",
        "  --minutes N          how long to run with kills (default 1; decimals allowed)",
        "  --seed S             seed of every random choice (default: random, printed)",
        "  --out DIR            results and logs (default ipc-tests/target/soak/<time>)",
        "  --producers N        producer processes (default 4)",
        "  --topics N           1 or 2 topics (default 2)",
        "  --capacity BYTES     ring capacity, small so producers clean it often (default 65536)",
        "  --segment-length B   archive segment length, a power of two (default 4194304)",
        "  --rate N             at most this many messages a second per producer, in bursts of --burst;",
        "                       above the local consumers' pace, so producers sit at the limit and clean",
        "                       the ring themselves whenever a consumer moves; 0: no limit (default 10000)",
        "  --burst N            messages per burst at full speed (default 500)",
        "  --consumer-pause-us N  the local consumers sleep this long after each poll (default 1000)",
        "  --consumer-batch N   messages a local consumer takes per poll (default 8): with the pause, the",
        "                       pace of each topic, about 8000 messages (1 MB) a second: the archive grows",
        "                       by about 2 MB a second with two topics",
        "  --kill-every S       mean seconds between kills (default 4)",
        "  --unblock-timeout MS the broker's --unblock-timeout (default 1000)",
        "  --client-timeout MS  the broker's --client-timeout (default 2000)",
        "  --max-stall S        a longer stall is a failure: a frozen topic (default 20)",
        "  --keep-data          keep the archive (in DIR/data) for a look after the run",
        "  --help               this text",
        "");

    double minutes = 1;
    long seed = System.nanoTime();
    Path out;
    int producers = 4;
    int topics = 2;
    int capacity = 64 * 1024;
    long segmentLength = 4L * 1024 * 1024;
    int rate = 10_000;
    int burst = 500;
    long consumerPauseUs = 1000;
    int consumerBatch = 8;
    double killEverySeconds = 4;
    long unblockTimeoutMs = 1000;
    long clientTimeoutMs = 2000;
    long maxStallMs = 20_000;
    boolean keepData;
    boolean help;

    /**
     * @throws IllegalArgumentException with a message for the user.
     */
    static SoakOptions parse(final String[] args, final Path root)
    {
        final SoakOptions options = new SoakOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    options.help = true;
                    break;
                case "--keep-data":
                    options.keepData = true;
                    break;
                default:
                    if (i + 1 >= args.length)
                    {
                        throw new IllegalArgumentException(arg.startsWith("--") ? arg + " needs a value" :
                            "unexpected argument '" + arg + "'");
                    }
                    options.set(arg, args[++i]);
            }
        }
        if (null == options.out)
        {
            options.out = root.resolve("ipc-tests").resolve("target").resolve("soak")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        options.check();
        return options;
    }

    private void set(final String name, final String value)
    {
        try
        {
            switch (name)
            {
                case "--minutes" -> minutes = Double.parseDouble(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--out" -> out = Paths.get(value).toAbsolutePath();
                case "--producers" -> producers = Integer.parseInt(value);
                case "--topics" -> topics = Integer.parseInt(value);
                case "--capacity" -> capacity = Integer.parseInt(value);
                case "--segment-length" -> segmentLength = Long.parseLong(value);
                case "--rate" -> rate = Integer.parseInt(value);
                case "--burst" -> burst = Integer.parseInt(value);
                case "--consumer-pause-us" -> consumerPauseUs = Long.parseLong(value);
                case "--consumer-batch" -> consumerBatch = Integer.parseInt(value);
                case "--kill-every" -> killEverySeconds = Double.parseDouble(value);
                case "--unblock-timeout" -> unblockTimeoutMs = Long.parseLong(value);
                case "--client-timeout" -> clientTimeoutMs = Long.parseLong(value);
                case "--max-stall" -> maxStallMs = (long)(Double.parseDouble(value) * 1000);
                default -> throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " takes a number, not '" + value + "'");
        }
    }

    private void check()
    {
        require(minutes > 0 && minutes <= 24 * 60, "--minutes must be above 0 and at most a day");
        require(producers >= 1 && producers <= 16, "--producers must be 1 to 16");
        require(topics == 1 || topics == 2, "--topics must be 1 or 2");
        require(producers >= topics, "--producers must be at least --topics");
        require(Integer.bitCount(capacity) == 1 && capacity >= 64 * 1024,
            "--capacity must be a power of two of at least 65536");
        require(Long.bitCount(segmentLength) == 1 && segmentLength >= capacity,
            "--segment-length must be a power of two of at least --capacity");
        require(rate >= 0 && rate <= 1_000_000, "--rate must be 0 to 1000000");
        require(burst >= 1 && (0 == rate || burst <= rate), "--burst must be 1 to --rate");
        require(consumerPauseUs >= 0 && consumerPauseUs <= 1_000_000, "--consumer-pause-us must be 0 to 1000000");
        require(consumerBatch >= 1 && consumerBatch <= 4096, "--consumer-batch must be 1 to 4096");
        require(rate > 0 || consumerPauseUs > 0, "--rate 0 needs --consumer-pause-us: someone must set the pace");
        require(killEverySeconds >= 0.2, "--kill-every must be at least 0.2");
        require(unblockTimeoutMs >= 100, "--unblock-timeout must be at least 100 (ms)");
        require(clientTimeoutMs >= 500, "--client-timeout must be at least 500 (ms)");
        require(maxStallMs >= 2 * unblockTimeoutMs, "--max-stall must be at least twice the unblock timeout");
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    long durationMs()
    {
        return (long)(minutes * 60_000);
    }

    public String toString()
    {
        return "--minutes " + minutes + " --seed " + seed + " --producers " + producers + " --topics " + topics +
            " --capacity " + capacity + " --segment-length " + segmentLength + " --rate " + rate +
            (rate > 0 ? " --burst " + burst : "") + " --consumer-pause-us " + consumerPauseUs + " --consumer-batch " +
            consumerBatch +
            " --kill-every " + killEverySeconds + " --unblock-timeout " + unblockTimeoutMs + " --client-timeout " +
            clientTimeoutMs + " --max-stall " + maxStallMs / 1000.0 + (keepData ? " --keep-data" : "");
    }
}
