package io.shmbus.broker.cli;

import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The user-space path of {@code shmbus replay}: reads the range message by message through a {@link Consumer}
 * (the archive, then the ring) and writes each one in a format that needs a copy:
 * <ul>
 *     <li>{@code payload}: a 4-byte little-endian payload length, then the payload;</li>
 *     <li>{@code lines}: the payload, then {@code '\n'};</li>
 *     <li>{@code frames}: each data frame as stored (header, payload, padding to 32 bytes); used only for topics
 *     without an archive, whose ring padding is not recorded anywhere, so padding frames are left out.</li>
 * </ul>
 * Not thread-safe: runs on the command's thread.
 */
final class MessageReplay
{
    /** Told every half second or so, from the replaying thread. */
    @FunctionalInterface
    interface Progress
    {
        void replayed(long messages, long position, long to);
    }

    private final String format;
    private final OutputStream output;
    private final byte[] lengthPrefix = new byte[4];
    private byte[] scratch = new byte[4096];
    private long messages;
    private long bytes;

    MessageReplay(final String format, final OutputStream output)
    {
        this.format = format;
        this.output = output;
    }

    /**
     * Writes every message from the consumer's position up to (not including) the first frame at or after
     * {@code to}.
     *
     * @return false when the replay stopped early: the broker was lost, the consumer revoked, or the archive is
     * damaged or missing where the consumer read it (its error handler was told what and where).
     * @throws IOException when the output fails.
     */
    boolean run(final ShmBus bus, final Consumer consumer, final long to, final Progress progress)
        throws IOException
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        final ControlledFragmentHandler handler = (buffer, offset, length, header) ->
        {
            if (header.position() >= to)
            {
                return ControlledFragmentHandler.Action.ABORT;
            }
            write(buffer, offset, length, header.frameOffset(), header.frameLength());
            return ControlledFragmentHandler.Action.CONTINUE;
        };
        long lastReportNs = System.nanoTime();
        try
        {
            while (consumer.position() < to && !bus.isClosed() && !consumer.isRevoked())
            {
                idle.idle(consumer.controlledPoll(handler, 256));
                if (null != progress && System.nanoTime() - lastReportNs > 500_000_000L)
                {
                    lastReportNs = System.nanoTime();
                    progress.replayed(messages, consumer.position(), to);
                }
            }
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        output.flush();
        return !consumer.isRevoked() && consumer.position() >= to;
    }

    private void write(
        final DirectBuffer buffer, final int offset, final int length, final int frameOffset, final int frameLength)
    {
        final boolean frames = "frames".equals(format);
        final int count = frames ? FrameDescriptor.alignedLength(frameLength) : length;
        if (scratch.length < count)
        {
            scratch = new byte[Math.max(count, scratch.length * 2)];
        }
        buffer.getBytes(frames ? frameOffset : offset, scratch, 0, count);
        try
        {
            if ("payload".equals(format))
            {
                lengthPrefix[0] = (byte)length;
                lengthPrefix[1] = (byte)(length >>> 8);
                lengthPrefix[2] = (byte)(length >>> 16);
                lengthPrefix[3] = (byte)(length >>> 24);
                output.write(lengthPrefix);
            }
            output.write(scratch, 0, count);
            if ("lines".equals(format))
            {
                output.write('\n');
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // out of the handler, rethrown by run()
        }
        messages++;
        bytes += count;
    }

    long messages()
    {
        return messages;
    }

    /** Payload (or frame) bytes written, without length prefixes and newlines. */
    long bytes()
    {
        return bytes;
    }
}
