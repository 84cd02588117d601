package io.shmbus.broker.net;

import io.shmbus.broker.archive.ArchiveView;
import io.shmbus.broker.archive.ArchiveViews;
import io.shmbus.broker.archive.NamedPositionStore;
import io.shmbus.client.ConsumerNameInUseException;
import io.shmbus.client.remote.RemoteProtocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How {@link SubscriptionResolver} resolves a named request against the topic's {@link NamedPositionStore}, for
 * the cases a running broker reaches only by timing: a stored position the archive has not reached yet, a name
 * freed again when the request is refused after it was taken, and a name that is not resumed.
 */
class SubscriptionResolverNamedTest
{
    private static final long FIRST = 4096;
    private static final long ARCHIVED = 8192;

    private final Store store = new Store();
    private final SubscriptionResolver resolver;

    SubscriptionResolverNamedTest()
    {
        final ArchiveViews views = new ArchiveViews();
        // no files: every case here is decided before the archive would be read
        final ArchiveView view = new ArchiveView("orders", Paths.get("/nonexistent"), 65536, 1056, FIRST, ARCHIVED);
        view.namedPositions(store);
        views.add(view);
        resolver = new SubscriptionResolver(views, null);
    }

    @Test
    void aStoredPositionPastTheArchiveStartsThereAndWaits() throws Exception
    {
        store.stored = ARCHIVED + 640;
        final SubscriptionResolver.Subscription subscription = resolve(RemoteProtocol.FLAG_RESUME_NAMED);
        assertEquals(ARCHIVED + 640, subscription.start(), "acknowledged in the ring before the archiver got there");
        assertEquals("billing", subscription.consumerName());
        assertEquals(List.of("attach billing 7"), store.calls);
    }

    @Test
    void aStoredPositionBeforeTheArchiveIsRefusedAndTheNameFreed()
    {
        store.stored = FIRST - 64;
        final RequestRejectedException refused = assertThrows(RequestRejectedException.class,
            () -> resolve(RemoteProtocol.FLAG_RESUME_NAMED));
        assertEquals(RemoteProtocol.POSITION_UNAVAILABLE, refused.errorCode);
        assertTrue(refused.getMessage().contains("stopped at position 4032, which is no longer retained"),
            refused.getMessage());
        assertEquals(List.of("attach billing 7", "detach billing 7"), store.calls, "the name is free again");
    }

    @Test
    void withoutTheResumeFlagTheStartIsAsGiven() throws Exception
    {
        store.stored = ARCHIVED; // a reconnection asks for its own position, not the stored one
        assertEquals(ARCHIVED, resolve((byte)0).start(), "start kind latest: the archived position");
    }

    @Test
    void aHeldNameIsRefusedWithTheStoresMessage()
    {
        store.heldBy = "consumer 'billing' of topic 'orders' is held by process 42";
        final RequestRejectedException refused = assertThrows(RequestRejectedException.class,
            () -> resolve(RemoteProtocol.FLAG_RESUME_NAMED));
        assertEquals(RemoteProtocol.CONSUMER_NAME_IN_USE, refused.errorCode);
        assertEquals(store.heldBy, refused.getMessage());
        assertEquals(List.of(), store.calls);
    }

    private SubscriptionResolver.Subscription resolve(final byte flags) throws RequestRejectedException
    {
        final byte[] bytes = RawSubscriber.namedRequest(flags, RawSubscriber.KIND_LATEST, 0, -1, "orders", null,
            "billing");
        final ByteBuffer request = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(bytes.length, SubscriptionResolver.checkHeader(request));
        return resolver.resolve(request, 7, "/127.0.0.1:5555");
    }

    /** Records what the resolver asks of the topic's named consumers. */
    private static final class Store implements NamedPositionStore
    {
        final List<String> calls = new ArrayList<>();
        long stored = NO_POSITION;
        String heldBy;

        public long attachRemote(final String name, final long holderId, final String holder)
        {
            if (null != heldBy)
            {
                throw new ConsumerNameInUseException(heldBy);
            }
            calls.add("attach " + name + " " + holderId);
            return stored;
        }

        public void commitRemote(final String name, final long holderId, final long position)
        {
            calls.add("commit " + name + " " + holderId + " " + position);
        }

        public void detachRemote(final String name, final long holderId)
        {
            calls.add("detach " + name + " " + holderId);
        }
    }
}
