package io.shmbus.bench;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Child role {@code shmbus-broker}: the shmbus broker in its own process, as {@code scripts/shmbus broker} runs it,
 * with its default idle strategy (BrokerIdleStrategy). Topics get the benchmark's ring capacity through a config file. With
 * {@code dataDir=DIR} (and optionally {@code segmentLength}) it archives every topic there with the
 * {@code durability} given (default none), as {@code shmbus broker --data-dir} does; with {@code netPort=N} it
 * serves network subscribers too (0: any free port, reported as {@code netPort=} in its READY line); with
 * {@code idle=agrona-backoff} its conductor idles with Agrona's {@code BackoffIdleStrategy} parking up to 1 ms (the
 * broker's default before it parked longer when quiet: the idle benchmark's anchor). For the mirror benchmark, with
 * {@code topic=T}: {@code mirrorOut=CHANNEL} mirrors T out on that Aeron channel ({@code --mirror-out}), and
 * {@code mirrorOf=HOST:PORT} with {@code mirrorChannel=CHANNEL} makes T a mirror of that source broker (a
 * {@code [mirror T]} section with the same capacity). Prints {@code READY} and runs until the parent says stop.
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
        final String dataDir = args.get("dataDir", "");
        final String durability = args.get("durability", "none");
        String topicDefaults = "[topic.defaults]\ncapacity = " + args.size("capacity") + "\n";
        if (!dataDir.isEmpty())
        {
            topicDefaults += "persistent = true\ndurability = " + durability + "\n";
        }
        if (null != args.get("mirrorOf", null))
        {
            topicDefaults += "[mirror " + args.get("topic") + "]\nchannel = " + args.get("mirrorChannel") +
                "\nsource = " + args.get("mirrorOf") + "\ncapacity = " + args.size("capacity") + "\n";
        }
        Files.write(config, topicDefaults.getBytes(StandardCharsets.US_ASCII));
        final BrokerContext context = new BrokerContext().dir(dir).configFile(config);
        if (!dataDir.isEmpty())
        {
            context.dataDir(Paths.get(dataDir));
            if (null != args.get("segmentLength", null))
            {
                context.segmentLength(Long.parseLong(args.get("segmentLength", null)));
            }
        }
        if (null != args.get("mirrorOut", null))
        {
            context.mirrorOut(args.get("topic"), args.get("mirrorOut"));
        }
        if (null != args.get("netPort", null))
        {
            context.netPort(args.intValue("netPort"));
        }
        final boolean agronaBackoff = "agrona-backoff".equals(args.get("idle", "default"));
        if (agronaBackoff)
        {
            context.idleStrategy(new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)));
        }
        try (Broker broker = Broker.launch(context))
        {
            BenchChild.ready("dir=" + broker.dir() + " netPort=" + broker.netPort() + " idle=" + (agronaBackoff ?
                "BackoffIdleStrategy(maxParkNs=1000000)" : "broker-backoff(maxParkNs=1000000, quietParkNs=5000000)") +
                " capacity=" + args.size("capacity") +
                (dataDir.isEmpty() ? "" : " dataDir=" + dataDir + " durability=" + durability));
            BenchChild.awaitStop();
        }
        finally
        {
            Files.deleteIfExists(config);
        }
    }
}
