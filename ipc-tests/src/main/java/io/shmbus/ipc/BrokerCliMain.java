package io.shmbus.ipc;

import io.shmbus.broker.cli.Main;

/**
 * The {@code shmbus} command line ({@link Main}, what {@code scripts/shmbus} runs) as a child process of a test or
 * the soak, unchanged but for one guard: like every such child it halts when its stdin closes, so a broker daemon
 * does not outlive a parent JVM that was killed before it could clean up ({@link ChildIo}). The command, its output
 * and its exit code are exactly those of {@link Main#main(String[])}. Not for commands that read stdin
 * ({@code publish}): the guard takes it.
 */
public final class BrokerCliMain
{
    private BrokerCliMain()
    {
    }

    public static void main(final String[] args)
    {
        ChildIo.start("shmbus-cli"); // nothing is read from stdin: only its end matters
        Main.main(args);
    }
}
