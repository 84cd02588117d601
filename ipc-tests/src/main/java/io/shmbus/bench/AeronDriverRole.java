package io.shmbus.bench;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * Child role {@code aeron-driver}: an Aeron media driver in its own process, the way Aeron is deployed beside its
 * clients (and the way the shmbus broker will be). One shared agent thread with a back-off idle strategy, so the
 * driver does not keep a core busy on a small machine. Prints {@code READY} with the settings in force and runs
 * until the parent says stop; the driver directory is deleted on start and on shutdown.
 */
final class AeronDriverRole
{
    private AeronDriverRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final int termLength = (int)args.size("termLength");
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(args.get("aeronDir"))
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(
                BackoffIdleStrategy.DEFAULT_MAX_SPINS,
                BackoffIdleStrategy.DEFAULT_MAX_YIELDS,
                BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS,
                BackoffIdleStrategy.DEFAULT_MAX_PARK_PERIOD_NS))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .ipcTermBufferLength(termLength)
            .ipcPublicationTermWindowLength(termLength);

        try (MediaDriver driver = MediaDriver.launch(ctx))
        {
            BenchChild.ready("threadingMode=" + ctx.threadingMode() +
                " idle=BackoffIdleStrategy(maxSpins=" + BackoffIdleStrategy.DEFAULT_MAX_SPINS +
                ",maxYields=" + BackoffIdleStrategy.DEFAULT_MAX_YIELDS +
                ",minParkNs=" + BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS +
                ",maxParkNs=" + BackoffIdleStrategy.DEFAULT_MAX_PARK_PERIOD_NS + ")" +
                " ipcTermLength=" + ctx.ipcTermBufferLength() +
                " ipcWindow=" + ctx.ipcPublicationTermWindowLength() +
                " ipcMtu=" + ctx.ipcMtuLength() +
                " sparseTerms=" + ctx.termBufferSparseFile() +
                " dir=" + driver.aeronDirectoryName());
            BenchChild.awaitStop();
        }
    }
}
