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
 * {@code READY} and for its stop after the result, so a tracer can be attached around the command alone.
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
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        BenchChild.ready("tid=" + BenchChild.threadId()); // the parent starts watching the broker's CPU here
        final boolean go = Boolean.parseBoolean(args.get("go", "false"));
        if (go && !BenchChild.awaitGo(GO_TIMEOUT_MS))
        {
            return;
        }
        final ProcessCpu.Reading cpuBefore = ProcessCpu.self();
        final long startNs = System.nanoTime();
        final int code = Main.run(command.toArray(new String[0]), new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true), new PrintStream(err, true));
        final long nanos = System.nanoTime() - startNs;
        final long cpuNs = ProcessCpu.self().since(cpuBefore);
        if (0 != code)
        {
            throw new IllegalStateException("shmbus replay exited with " + code + ": " +
                err.toString(StandardCharsets.UTF_8).trim());
        }
        BenchChild.result("code=" + code + " cpuNs=" + cpuNs + " nanos=" + nanos);
        if (go)
        {
            BenchChild.awaitStop(); // a tracer detaches before the exit
        }
    }
}
