package io.shmbus.bench;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * Child role {@code aeron-driver}: an Aeron media driver in its own process, the way Aeron is deployed beside its
 * clients (and the way the shmbus broker will be). One shared agent thread with a back-off idle strategy, so the
 * driver does not keep a core busy on a small machine ({@code maxSpins} and {@code maxYields} set its first steps, e.g.
 * as the broker's embedded mirror driver has them). Prints {@code READY} with the settings in force and runs
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
        final long maxSpins = Long.parseLong(args.get("maxSpins",
            Long.toString(BackoffIdleStrategy.DEFAULT_MAX_SPINS)));
        final long maxYields = Long.parseLong(args.get("maxYields",
            Long.toString(BackoffIdleStrategy.DEFAULT_MAX_YIELDS)));
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(args.get("aeronDir"))
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(
                maxSpins,
                maxYields,
                BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS,
                BackoffIdleStrategy.DEFAULT_MAX_PARK_PERIOD_NS))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .ipcTermBufferLength(termLength)
            .ipcPublicationTermWindowLength(termLength);

        try (MediaDriver driver = MediaDriver.launch(ctx))
        {
            BenchChild.ready("threadingMode=" + ctx.threadingMode() +
                " idle=BackoffIdleStrategy(maxSpins=" + maxSpins +
                ",maxYields=" + maxYields +
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
