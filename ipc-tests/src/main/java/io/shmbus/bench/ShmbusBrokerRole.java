package io.shmbus.bench;

import io.shmbus.broker.Broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Child role {@code shmbus-broker}: the shmbus broker in its own process, as {@code scripts/shmbus broker} runs it,
 * with its default idle strategy. Topics get the benchmark's ring capacity through a config file. Prints
 * {@code READY} and runs until the parent says stop. With {@code dataDir=DIR} (and optionally
 * {@code segmentLength}) it archives every topic there, as {@code --data-dir} does; with {@code netPort=N} it
 * serves network subscribers too (0: any free port, reported as {@code netPort=} in its READY line).
 */
final class ShmbusBrokerRole
{
    private ShmbusBrokerRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException, IOException
    {
        final Path dir = args.path("dir");
        final Path config = Paths.get(dir + ".broker.conf");
        Files.write(config, ("[topic.defaults]\ncapacity = " + args.size("capacity") + "\n")
            .getBytes(StandardCharsets.US_ASCII));
        final Broker.Context context = new Broker.Context().dir(dir).configFile(config);
        if (null != args.get("dataDir", null))
        {
            context.dataDir(args.path("dataDir")).segmentLength(Long.parseLong(args.get("segmentLength",
                Long.toString(context.segmentLength()))));
        }
        if (null != args.get("netPort", null))
        {
            context.netPort(args.intValue("netPort"));
        }
        try (Broker broker = Broker.launch(context))
        {
            BenchChild.ready("dir=" + broker.dir() + " netPort=" + broker.netPort() + " idle=BackoffIdleStrategy(maxParkNs=1000000) capacity=" +
                args.size("capacity"));
            BenchChild.awaitStop();
        }
        finally
        {
            Files.deleteIfExists(config);
        }
    }
}
