package io.shmbus.bench;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;

/**
 * Aeron as a benchmark transport: a client of the media driver running in its own process, publishing on
 * {@code aeron:ipc} (or the {@code channel} given, e.g. UDP for the mirror benchmark's anchor) with an exclusive or a
 * concurrent (shared) publication. Term length, window and MTU come from the
 * driver's settings. Aeron splits a message longer than its MTU's payload (1376 bytes by default) into fragments; a
 * subscriber for messages above {@value #UNFRAGMENTED_LENGTH} bytes reassembles them with a
 * {@link FragmentAssembler}, smaller ones are handed over as they are.
 */
final class AeronTransport implements Transport
{
    static final String CHANNEL = "aeron:ipc";
    /** Below Aeron's smallest IPC MTU payload: messages up to this length are never fragmented. */
    static final int UNFRAGMENTED_LENGTH = 1024;

    private final Aeron aeron;
    private final String channel;
    private final boolean exclusive;
    private final boolean reassemble;

    /**
     * @param messageLength the longest message the run sends; above {@link #UNFRAGMENTED_LENGTH} the subscriber
     *                      reassembles fragments.
     */
    AeronTransport(final String aeronDir, final String channel, final boolean exclusive, final int messageLength)
    {
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        this.channel = channel;
        this.exclusive = exclusive;
        this.reassemble = messageLength > UNFRAGMENTED_LENGTH;
    }

    public BenchPublisher publisher(final String stream, final int streamId)
    {
        return new AeronPublisher(exclusive ?
            aeron.addExclusivePublication(channel, streamId) : aeron.addPublication(channel, streamId));
    }

    public BenchSubscriber subscriber(final String stream, final int streamId, final MessageHandler handler)
    {
        return new AeronSubscriber(aeron.addSubscription(channel, streamId), handler, reassemble);
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

        AeronSubscriber(final Subscription subscription, final MessageHandler handler, final boolean reassemble)
        {
            this.subscription = subscription;
            final FragmentHandler deliver = (buffer, offset, length, header) -> handler.onMessage(buffer, offset,
                length);
            this.fragmentHandler = reassemble ? new FragmentAssembler(deliver) : deliver;
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
