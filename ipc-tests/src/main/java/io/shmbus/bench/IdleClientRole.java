package io.shmbus.bench;

import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;

import java.util.ArrayList;
import java.util.List;

/**
 * Child role {@code idle-client}: a client connected to the broker of {@code dir} with a producer and a consumer
 * open on each of {@code topics} topics ({@code idle-0}, {@code idle-1}, ...), sending nothing and polling nothing,
 * so that only the client library's own thread (its conductor: responses, keepalives, the broker's liveness) runs.
 * Prints {@code READY} once everything is open and waits, blocked, until the parent says stop.
 */
final class IdleClientRole
{
    private IdleClientRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final int topics = args.intValue("topics");
        final List<Producer> producers = new ArrayList<>();
        final List<Consumer> consumers = new ArrayList<>();
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(args.path("dir"))))
        {
            for (int i = 0; i < topics; i++)
            {
                producers.add(bus.addProducer("idle-" + i));
                consumers.add(bus.addConsumer("idle-" + i, StartPosition.LATEST));
            }
            BenchChild.ready("producers=" + producers.size() + " consumers=" + consumers.size());
            BenchChild.awaitStop();
        }
    }
}
