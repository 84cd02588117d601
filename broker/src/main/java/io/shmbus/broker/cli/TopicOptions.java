package io.shmbus.broker.cli;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.Sizes;
import io.shmbus.client.Topic;

import java.nio.file.Paths;
import java.util.Set;

/**
 * The options every topic command shares: where the shared-memory directory is and how a new topic is sized.
 */
final class TopicOptions
{
    static final Set<String> WITH_VALUE = Set.of("--dir", "--topic", "--capacity");

    static final String HELP =
        "  --dir DIR          shared-memory directory (default " + ShmDirectory.defaultDirectory() + ")\n" +
        "  --topic T          topic name: [A-Za-z0-9._-]{1,128}\n" +
        "  --capacity SIZE    ring size when the topic is created, e.g. 4m (default 4m)\n";

    private TopicOptions()
    {
    }

    static Topic.Context context(final Args args)
    {
        final Topic.Context ctx = new Topic.Context().topic(args.require("--topic"));
        if (args.has("--dir"))
        {
            ctx.dir(Paths.get(args.get("--dir", null)));
        }
        if (args.has("--capacity"))
        {
            ctx.capacity(Sizes.parse("--capacity", args.get("--capacity", null)));
        }
        return ctx;
    }

    static Set<String> with(final String... more)
    {
        final java.util.HashSet<String> all = new java.util.HashSet<>(WITH_VALUE);
        all.addAll(Set.of(more));
        return all;
    }
}
