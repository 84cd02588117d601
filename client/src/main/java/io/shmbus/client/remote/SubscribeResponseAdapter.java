package io.shmbus.client.remote;

import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads the broker's answer to a subscribe request ({@link SubscribeResponseDescriptor}) from a non-blocking
 * channel, over as many calls as it takes to arrive, checks it, and dispatches it once whole to a
 * {@link SubscribeResponseListener}. Not thread-safe: owned by the polling thread.
 */
final class SubscribeResponseAdapter
{
    private final ByteBuffer byteBuffer = ByteBuffer.allocateDirect(RemoteProtocol.MAX_RESPONSE_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);

    /** Prepares to read the answer to a request just sent. */
    void reset()
    {
        byteBuffer.clear().limit(SubscribeResponseDescriptor.HEADER_LENGTH);
    }

    /**
     * Reads what the channel has of the answer; once it is whole, or the channel ended, tells the listener.
     *
     * @return true when the listener was told, false while the answer is still incomplete.
     */
    boolean receive(final ReadableByteChannel channel, final SubscribeResponseListener listener) throws IOException
    {
        while (true)
        {
            final int bytes = channel.read(byteBuffer);
            if (bytes < 0)
            {
                listener.onClosedBeforeResponse();
                return true;
            }
            if (byteBuffer.hasRemaining())
            {
                if (0 == bytes)
                {
                    return false;
                }
                continue;
            }
            if (SubscribeResponseDescriptor.HEADER_LENGTH == byteBuffer.limit())
            {
                final String problem = SubscribeResponseDescriptor.checkHeader(buffer);
                if (null != problem)
                {
                    listener.onMalformedResponse(problem);
                    return true;
                }
                final int version = SubscribeResponseDescriptor.version(buffer);
                if (version < RemoteProtocol.VERSION_1 || version > RemoteProtocol.VERSION) // one layout in both
                {
                    listener.onUnsupportedVersion(version);
                    return true;
                }
                byteBuffer.limit(SubscribeResponseDescriptor.responseLength(buffer));
                if (byteBuffer.hasRemaining())
                {
                    continue;
                }
            }
            dispatch(listener);
            return true;
        }
    }

    private void dispatch(final SubscribeResponseListener listener)
    {
        final short type = SubscribeResponseDescriptor.responseType(buffer);
        if (RemoteProtocol.RESPONSE_ERROR == type)
        {
            listener.onSubscribeError(SubscribeResponseDescriptor.errorCode(buffer),
                SubscribeResponseDescriptor.message(buffer, byteBuffer.limit()));
            return;
        }
        if (RemoteProtocol.RESPONSE_OK != type)
        {
            listener.onMalformedResponse("unknown response type " + type);
            return;
        }
        final long startPosition = SubscribeResponseDescriptor.startPosition(buffer);
        final int maxFrameLength = SubscribeResponseDescriptor.maxFrameLength(buffer);
        if (maxFrameLength < FrameDescriptor.HEADER_LENGTH || maxFrameLength > FrameReceiver.MAX_FRAME_LENGTH_LIMIT ||
            startPosition < 0 || (startPosition & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            listener.onMalformedResponse("impossible OK response: start position " + startPosition +
                ", max frame length " + maxFrameLength);
            return;
        }
        listener.onSubscribed(startPosition, maxFrameLength);
    }
}
