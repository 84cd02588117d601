package io.shmbus.bench;

import io.shmbus.broker.cli.Main;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Child role {@code replay-cli}: {@code shmbus replay --topic T --format frames --connect 127.0.0.1:PORT}, the same
 * code {@code scripts/shmbus replay} runs, called in this JVM so its CPU time is measured from the call to its
 * return (connecting to the broker included), without the JVM's start-up. Prints {@code READY} just before the
 * call, then {@code RESULT code=C cpuNs=N nanos=T}. With {@code go=true} it waits for the parent's go after
 * {@code READY} and for its stop after the result, so a tracer can be attached around the command alone; with
 * {@code warmupTo=POSITION} as well it first replays up to that position once (the receiver reports it like any
 * other connection), so the measured command runs on loaded classes.
 */
final class ReplayCliRole
{
    private static final long GO_TIMEOUT_MS = 300_000;

    private ReplayCliRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("replay", "--dir",
            args.get("dir"), "--topic", args.get("topic"), "--format", "frames", "--connect",
            "127.0.0.1:" + args.get("port")));
        if (null != args.get("to", null))
        {
            command.add("--to");
            command.add(args.get("to"));
        }
        final boolean go = Boolean.parseBoolean(args.get("go", "false"));
        if (go && null != args.get("warmupTo", null))
        {
            final java.util.List<String> warmup = new java.util.ArrayList<>(command.subList(0, 9));
            warmup.add("--to");
            warmup.add(args.get("warmupTo"));
            replay(warmup);
        }
        BenchChild.ready("tid=" + BenchChild.threadId()); // the parent starts watching the broker's CPU here
        if (go && !BenchChild.awaitGo(GO_TIMEOUT_MS))
        {
            return;
        }
        // with a go the parent reads the counters: the window then holds the command alone
        final ProcessCpu.Reading cpuBefore = go ? null : ProcessCpu.self();
        final long startNs = System.nanoTime();
        final int code = replay(command);
        final long nanos = System.nanoTime() - startNs;
        final long cpuNs = go ? -1 : ProcessCpu.self().since(cpuBefore);
        BenchChild.result("code=" + code + " cpuNs=" + cpuNs + " nanos=" + nanos);
        if (go)
        {
            BenchChild.awaitStop(); // a tracer detaches before the exit
        }
    }

    /** Runs the command in this JVM; returns its exit code, 0. */
    private static int replay(final java.util.List<String> command)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(command.toArray(new String[0]), new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true), new PrintStream(err, true));
        if (0 != code)
        {
            throw new IllegalStateException("shmbus replay exited with " + code + ": " +
                err.toString(StandardCharsets.UTF_8).trim());
        }
        return code;
    }
}
