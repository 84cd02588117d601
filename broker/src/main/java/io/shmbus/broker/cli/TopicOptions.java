package io.shmbus.broker.cli;

import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmDirectory;

import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;

/**
 * The options every client command shares: which broker (by its directory) and which topic.
 */
final class TopicOptions
{
    static final Set<String> WITH_VALUE = Set.of("--dir", "--topic");

    static final String HELP =
        "  --dir DIR          the broker's shared-memory directory (default " + ShmDirectory.defaultDirectory() +
        ")\n" +
        "  --topic T          topic name: [A-Za-z0-9._-]{1,128}\n";

    private TopicOptions()
    {
    }

    static ShmBus connect(final Args args, final java.io.PrintStream err, final String command)
    {
        final ShmBus.Context ctx = new ShmBus.Context()
            .errorHandler(t -> err.println("shmbus " + command + ": error: " + t.getMessage()));
        if (args.has("--dir"))
        {
            ctx.dir(Paths.get(args.get("--dir", null)));
        }
        return ShmBus.connect(ctx);
    }

    static Set<String> with(final String... more)
    {
        final HashSet<String> all = new HashSet<>(WITH_VALUE);
        all.addAll(Set.of(more));
        return all;
    }
}
