package io.shmbus.broker.archive;

import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The handshake between the network server, which registers each subscriber with the topic's view before its first
 * frame, and the conductor, which deletes the topic only when no subscriber is registered: whichever comes first
 * wins, and the other is told.
 */
class ArchiveViewSubscribersTest
{
    private final ArchiveView view = new ArchiveView("orders", Paths.get("/nonexistent/orders"), 65536, 8192, 0, 0);

    @Test
    void aRegisteredSubscriberKeepsTheTopicFromBeingDeleted()
    {
        final ArchiveSubscriber subscriber = new ArchiveSubscriber("/127.0.0.1:5000", 64, -1);
        assertTrue(view.addSubscriber(subscriber));
        subscriber.position(4096);
        assertEquals(List.of(subscriber), view.deleteIfUnread());
        assertFalse(view.isDeleted());
        assertEquals(4096, view.subscribers().get(0).position());

        view.removeSubscriber(subscriber);
        assertEquals(List.of(), view.deleteIfUnread());
        assertTrue(view.isDeleted());
    }

    @Test
    void noSubscriberIsAddedOnceTheTopicIsDeleted()
    {
        assertEquals(List.of(), view.deleteIfUnread());
        assertFalse(view.addSubscriber(new ArchiveSubscriber("/127.0.0.1:5001", 0, 128)));
        assertEquals(List.of(), view.subscribers());
    }
}
