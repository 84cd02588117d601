package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.ByteArrayOutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A receiver of a mirror's live stream that knows nothing of shmbus beyond the frame layout of docs/protocol.md: its
 * own media driver (as on another host), a plain Aeron {@link Subscription} and a {@link FragmentAssembler}. Each
 * message is decoded as whole frames and checked as it arrives: every frame whole, its length, type and position,
 * each frame starting where the previous one ended. The stream's bytes are kept for comparison with the segment
 * files. Used from the test thread only.
 */
final class BareAeronSubscriber implements AutoCloseable
{
    private static final int LENGTH_OFFSET = 0;
    private static final int TYPE_OFFSET = 4;
    private static final int POSITION_OFFSET = 8;
    private static final int HEADER_LENGTH = 32;
    private static final int ALIGNMENT = 32;
    private static final short TYPE_PAD = 1;
    private static final short TYPE_DATA = 2;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription subscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<String> problems = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    /** Whether to keep the payloads and the stream's bytes (a long run checks only the frames). */
    boolean keep = true;
    long firstPosition = -1;
    long nextPosition = -1;
    int messages;
    long dataFrames;
    int largestMessage;

    BareAeronSubscriber(final Path aeronDir, final String channel, final int streamId)
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, 1000, TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        Aeron client = null;
        try
        {
            client = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir.toString()));
            subscription = client.addSubscription(channel, streamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, driver);
            throw ex;
        }
        aeron = client;
    }

    /** A UDP port free on loopback now. */
    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final SocketException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    boolean isConnected()
    {
        return subscription.isConnected();
    }

    int poll()
    {
        return subscription.poll(assembler, 64);
    }

    /** Polls until the stream reaches {@code position}, failing after the deadline. */
    void pollUntil(final long position, final long timeoutMs)
    {
        awaitPolling(() -> nextPosition >= position, timeoutMs, "the stream to reach position " + position);
    }

    /** Polls until the condition holds, failing after the deadline with what the stream looked like. */
    void awaitPolling(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(1, 1, 1000, TimeUnit.MILLISECONDS.toNanos(1));
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + timeoutMs + " ms waiting for " + what + ": connected " + isConnected() +
                    ", stream [" + firstPosition + ", " + nextPosition + "), " + messages + " messages, problems " +
                    problems);
            }
            idle.idle(poll());
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        messages++;
        largestMessage = Math.max(largestMessage, length);
        int at = offset;
        final int end = offset + length;
        while (at < end)
        {
            if (end - at < HEADER_LENGTH)
            {
                problems.add("a message ends inside a frame header at " + nextPosition);
                return;
            }
            final int frameLength = buffer.getInt(at + LENGTH_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            final short type = buffer.getShort(at + TYPE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            final long position = buffer.getLong(at + POSITION_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            final int aligned = (frameLength + ALIGNMENT - 1) & -ALIGNMENT;
            if (frameLength < HEADER_LENGTH || at + aligned > end)
            {
                problems.add("frame of length " + frameLength + " at " + position + " is not whole in its message");
                return;
            }
            if (TYPE_PAD != type && TYPE_DATA != type)
            {
                problems.add("frame type " + type + " at " + position);
            }
            if (firstPosition < 0)
            {
                firstPosition = position;
                nextPosition = position;
            }
            if (position != nextPosition)
            {
                problems.add("frame at position " + position + " where " + nextPosition + " was next");
            }
            if (TYPE_DATA == type)
            {
                dataFrames++;
            }
            if (keep && TYPE_DATA == type)
            {
                final byte[] payload = new byte[frameLength - HEADER_LENGTH];
                buffer.getBytes(at + HEADER_LENGTH, payload);
                payloads.add(payload);
            }
            if (keep)
            {
                final byte[] frame = new byte[aligned];
                buffer.getBytes(at, frame);
                bytes.writeBytes(frame);
            }
            nextPosition = position + aligned;
            at += aligned;
        }
    }

    /** What went wrong in the stream so far (empty when every frame was whole, in place and of a stored type). */
    List<String> problems()
    {
        return problems;
    }

    /** The stream's bytes from {@link #firstPosition} to {@link #nextPosition}. */
    byte[] bytes()
    {
        return bytes.toByteArray();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(aeron, driver);
    }
}
