package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.shmbus.broker.net.NetFixture;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The live stream of a mirrored topic as the mirror contract describes it, sent by a plain Aeron publication on a
 * media driver of its own: whole frames read from the source broker's segment files, contiguous, as many as fit in
 * a message. A test chooses frames not to send, to make gaps. Test thread only.
 */
final class LiveStreamDriver implements AutoCloseable
{
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Publication publication;
    private final NetFixture source;
    private final String topic;
    private final UnsafeBuffer message;
    private long position;

    /**
     * @param from the position of the first frame to send: live streams start where the source is when they do.
     */
    LiveStreamDriver(
        final Path dir, final String channel, final int streamId, final NetFixture source, final String topic,
        final long from)
    {
        this.driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        this.publication = aeron.addExclusivePublication(channel + "|term-length=65536", streamId);
        this.source = source;
        this.topic = topic;
        this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(publication.maxPayloadLength()));
        this.position = from;
    }

    /** A UDP port free now on the loopback address. */
    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final SocketException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    void awaitConnected()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!publication.isConnected())
        {
            assertTrue(System.nanoTime() < deadline, "the live stream's publication found no subscriber in 10 s");
            NetFixture.sleep(1);
        }
    }

    long position()
    {
        return position;
    }

    /**
     * Sends every frame the source has archived since the last call, except those whose position {@code skip}
     * accepts (a message never spans a skipped frame: each message stays contiguous). With no subscriber connected
     * the frames are gone, as from a live sender.
     *
     * @return the frames sent.
     */
    int sendArchived(final LongPredicate skip)
    {
        final long archived = source.counter("topic " + topic + ": archived position");
        if (archived <= position)
        {
            return 0;
        }
        final ByteBuffer frames;
        try
        {
            frames = ByteBuffer.wrap(source.segmentBytes(topic, position, archived)).order(ByteOrder.LITTLE_ENDIAN);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        int sent = 0;
        int length = 0;
        int at = 0;
        while (at < frames.capacity())
        {
            final int aligned = FrameDescriptor.alignedLength(frames.getInt(at));
            final long framePosition = frames.getLong(at + FrameDescriptor.POSITION_OFFSET);
            if (skip.test(framePosition) || length + aligned > message.capacity())
            {
                length = offer(length);
            }
            if (!skip.test(framePosition))
            {
                message.putBytes(length, frames, at, aligned);
                length += aligned;
                sent++;
            }
            at += aligned;
        }
        offer(length);
        position = archived;
        return sent;
    }

    private int offer(final int length)
    {
        if (0 == length)
        {
            return 0;
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long result;
        while ((result = publication.offer(message, 0, length)) < 0)
        {
            if (Publication.NOT_CONNECTED == result)
            {
                return 0; // nobody receives: a live stream goes on without them, as a sender does
            }
            if (System.nanoTime() > deadline)
            {
                fail("the live stream could not send for 10 s: " + Publication.errorString(result));
            }
            Thread.yield();
        }
        return 0;
    }

    public void close()
    {
        CloseHelper.closeAll(publication, aeron, driver);
    }
}
