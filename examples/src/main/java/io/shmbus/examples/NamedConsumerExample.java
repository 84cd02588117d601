package io.shmbus.examples;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A durable named consumer process: processes {@code COUNT} new numbered messages of {@link ProducerExample} under
 * the consumer name {@code NAME}, then exits; run again with the same name, it resumes right after the last message
 * it committed, whether the previous run exited or was killed.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp CLASSPATH \
 *     io.shmbus.examples.NamedConsumerExample TOPIC NAME COUNT LEDGER [COMMIT_EVERY]
 * </pre>
 * Processing a message appends {@code POSITION SEQUENCE} to the file {@code LEDGER}: the effect and the stream
 * position it belongs to in one write. Delivery is at-least-once: the messages delivered after the last
 * {@link Consumer#commit()} (at most {@code COMMIT_EVERY}, default 100) come again after a crash, so the handler
 * skips, and reports, every message at or below the last position in the ledger. A larger {@code COMMIT_EVERY}
 * commits less often and redelivers more after a crash. Needs a running broker. One thread.
 */
public final class NamedConsumerExample
{
    private NamedConsumerExample()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final ExampleArgs arguments =
            ExampleArgs.of("NamedConsumerExample TOPIC NAME COUNT LEDGER [COMMIT_EVERY]", args);
        final String topic = arguments.topic(0);
        final String name = arguments.consumerName(1);
        final long count = arguments.number(2, 1, Long.MAX_VALUE);
        final Path ledgerFile = Paths.get(arguments.text(3));
        final int commitEvery = (int)arguments.number(4, 1, Integer.MAX_VALUE, 100);

        final IdleStrategy idle = new BackoffIdleStrategy();
        try (Ledger ledger = new Ledger(ledgerFile);
            ShmBus bus = ShmBus.connect(new ShmBus.Context());
            // EARLIEST applies only the first time the broker sees this name on the topic
            Consumer consumer = bus.addNamedConsumer(topic, name, StartPosition.EARLIEST))
        {
            System.out.println(name + " resumes at position " + consumer.position() + ", processed up to position " +
                ledger.lastPosition());
            final FragmentHandler handler = (buffer, offset, length, header) ->
            {
                final long seq = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
                if (header.position() <= ledger.lastPosition())
                {
                    // delivered again after a crash between processing and commit: already done
                    ledger.skipped++;
                    System.out.println("skipped message " + seq + " at position " + header.position() +
                        ": already processed");
                }
                else
                {
                    ledger.record(header.position(), seq);
                }
            };
            long uncommitted = 0;
            while (ledger.processed < count)
            {
                // never more than the rest of COUNT: a message delivered and committed must have been processed
                final int limit = (int)Math.min(commitEvery - uncommitted, count - ledger.processed);
                final int read = consumer.poll(handler, limit);
                uncommitted += read;
                if (uncommitted == commitEvery)
                {
                    consumer.commit(); // after handling: a restart resumes after these messages
                    uncommitted = 0;
                }
                idle.idle(read);
            }
            consumer.commit();
            System.out.println("processed " + ledger.processed + " messages, skipped " + ledger.skipped +
                ", committed up to position " + consumer.position());
        }
    }

    /** The processed messages: one line per message, appended; read back on start for the last position. */
    private static final class Ledger implements AutoCloseable
    {
        private final FileChannel channel;
        private final ByteBuffer line = ByteBuffer.allocate(64);
        private long lastPosition = -1;
        private long processed;
        private long skipped;

        Ledger(final Path file) throws IOException
        {
            if (Files.exists(file))
            {
                final List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
                if (!lines.isEmpty())
                {
                    final String last = lines.get(lines.size() - 1);
                    lastPosition = Long.parseLong(last.substring(0, last.indexOf(' ')));
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        }

        long lastPosition()
        {
            return lastPosition;
        }

        void record(final long position, final long seq)
        {
            line.clear();
            line.put((position + " " + seq + "\n").getBytes(StandardCharsets.US_ASCII)).flip();
            try
            {
                // one write: a process killed at any instant leaves the line whole or absent
                while (line.hasRemaining())
                {
                    channel.write(line);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            lastPosition = position;
            processed++;
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
