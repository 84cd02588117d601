package io.shmbus.examples;

import io.shmbus.client.Consumer;
import io.shmbus.client.ControlledFragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Replays a topic to a socket from Java, as {@code shmbus replay --topic T --format payload --connect HOST:PORT}
 * does: connects to {@code HOST:PORT}, sends every message from the earliest one the topic still holds (the
 * archive, then the ring) up to its tail when the replay starts, each payload after its 4-byte little-endian
 * length, then closes the connection. No handshake: {@code nc -l 9000 > capture} is a receiver, and
 * {@code shmbus publish --format payload < capture} publishes the messages again.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *     io.shmbus.examples.ReplayToSocketExample TOPIC HOST:PORT
 * </pre>
 * The client has no replay call of its own: a {@link Consumer} from {@code EARLIEST} reads the range and the
 * handler writes it to a {@link SocketChannel}. Payloads are copied once, into a 64 KiB send buffer. While it
 * replays, the consumer holds producers back as any consumer does (a persistent topic with
 * {@code slow.consumer = archive} does not wait for it). Needs a running broker. One thread.
 */
public final class ReplayToSocketExample
{
    private ReplayToSocketExample()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final ExampleArgs arguments = ExampleArgs.of("ReplayToSocketExample TOPIC HOST:PORT", args);
        final String topic = arguments.topic(0);
        final InetSocketAddress receiver = arguments.address(1);

        final IdleStrategy idle = new BackoffIdleStrategy();
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context()))
        {
            final long end;
            try (Consumer tail = bus.addConsumer(topic, StartPosition.LATEST))
            {
                end = tail.position(); // where the topic ends now: the replay stops there
            }
            try (Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST);
                SocketChannel socket = SocketChannel.open(receiver))
            {
                final long start = consumer.position();
                final PayloadSender sender = new PayloadSender(socket, end);
                while (consumer.position() < end)
                {
                    idle.idle(consumer.controlledPoll(sender, 100));
                }
                sender.flush();
                System.out.println("replayed " + sender.messages + " messages, positions " + start + ".." + end +
                    ", to " + args[1]);
            }
        }
    }

    /** Writes each payload of the range, after its length, to the socket through one reused buffer. */
    private static final class PayloadSender implements ControlledFragmentHandler
    {
        private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        private final SocketChannel socket;
        private final long end;
        private long messages;

        PayloadSender(final SocketChannel socket, final long end)
        {
            this.socket = socket;
            this.end = end;
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (header.position() >= end)
            {
                return Action.ABORT; // published after the replay started: not part of the range
            }
            if (out.remaining() < Integer.BYTES)
            {
                flush();
            }
            out.putInt(length);
            for (int done = 0; done < length; )
            {
                if (!out.hasRemaining())
                {
                    flush();
                }
                final int chunk = Math.min(out.remaining(), length - done);
                buffer.getBytes(offset + done, out, chunk);
                done += chunk;
            }
            messages++;
            return Action.CONTINUE;
        }

        void flush()
        {
            out.flip();
            try
            {
                while (out.hasRemaining())
                {
                    socket.write(out); // a blocking channel: waits while the receiver is slow
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot send to " + socket, ex);
            }
            out.clear();
        }
    }
}
