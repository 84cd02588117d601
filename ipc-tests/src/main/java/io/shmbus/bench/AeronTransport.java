package io.shmbus.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;

/**
 * Aeron IPC as a benchmark transport: a client of the media driver running in its own process, publishing on
 * {@code aeron:ipc} with an exclusive or a concurrent (shared) publication. Term length and window come from the
 * driver's settings.
 */
final class AeronTransport implements Transport
{
    static final String CHANNEL = "aeron:ipc";

    private final Aeron aeron;
    private final boolean exclusive;

    AeronTransport(final String aeronDir, final boolean exclusive)
    {
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        this.exclusive = exclusive;
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        return new AeronPublisher(exclusive ?
            aeron.addExclusivePublication(CHANNEL, streamId) : aeron.addPublication(CHANNEL, streamId));
    }

    public BenchSubscriber subscriber(final String stream, final int streamId, final MessageHandler handler)
    {
        return new AeronSubscriber(aeron.addSubscription(CHANNEL, streamId), handler);
    }

    public void close()
    {
        aeron.close();
    }

    private static final class AeronPublisher implements BenchPublisher
    {
        private final Publication publication;

        AeronPublisher(final Publication publication)
        {
            this.publication = publication;
        }

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            return publication.offer(buffer, offset, length);
        }

        public boolean isRetryable(final long result)
        {
            // NOT_CONNECTED only happens if the subscriber went away; the parent's deadline catches that case.
            return Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result ||
                Publication.NOT_CONNECTED == result;
        }

        public String describe(final long result)
        {
            return result > 0 ? "position " + result : Publication.errorString(result);
        }

        public boolean isConnected()
        {
            return publication.isConnected();
        }

        public void close()
        {
            publication.close();
        }
    }

    private static final class AeronSubscriber implements BenchSubscriber
    {
        private final Subscription subscription;
        private final FragmentHandler fragmentHandler;

        AeronSubscriber(final Subscription subscription, final MessageHandler handler)
        {
            this.subscription = subscription;
            this.fragmentHandler = (buffer, offset, length, header) -> handler.onMessage(buffer, offset, length);
        }

        public int poll(final int fragmentLimit)
        {
            return subscription.poll(fragmentHandler, fragmentLimit);
        }

        public boolean isConnected()
        {
            return subscription.isConnected();
        }

        public void close()
        {
            subscription.close();
        }
    }
}
