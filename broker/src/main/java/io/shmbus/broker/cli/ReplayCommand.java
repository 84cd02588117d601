package io.shmbus.broker.cli;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus replay --out FILE}: writes a range of a topic (from the archive and the ring) to a file, as raw
 * frames, length-prefixed payloads or lines. Sockets ({@code --connect}, {@code --listen}) come with the network
 * server.
 */
final class ReplayCommand implements Command
{
    public String name()
    {
        return "replay";
    }

    public String summary()
    {
        return "write a range of a topic to a file";
    }

    public String usage()
    {
        return "usage: shmbus replay --topic T [--from earliest|POSITION|TIME] [--to POSITION] " +
            "[--format frames|payload|lines] --out FILE [--dir DIR]\n\n" +
            "Writes the topic's messages from --from (default earliest) up to --to (default: the end at the\n" +
            "time of the request), read from the archive and then the ring, to FILE:\n" +
            "  frames   each data frame as stored: 32-byte header and payload, padded to 32 bytes\n" +
            "  payload  each payload after a 4-byte little-endian length\n" +
            "  lines    each payload followed by a newline\n" +
            "Needs a running broker. Progress goes to stderr when it is a terminal.\n\n" + TopicOptions.HELP +
            "  --from START       earliest (default), a position, or an ISO-8601 time\n" +
            "  --to POSITION      stop before this position (default: the tail when the replay starts)\n" +
            "  --format F         frames (default), payload or lines\n" +
            "  --out FILE         where to write\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException
    {
        final Args args = Args.parse(name(), argList, TopicOptions.with("--from", "--to", "--format", "--out"),
            Set.of());
        final String topic = args.require("--topic");
        final Path file = Paths.get(args.require("--out"));
        final String format = args.get("--format", "frames");
        if (!Set.of("frames", "payload", "lines").contains(format))
        {
            throw new UsageException(name(), "--format must be frames, payload or lines: '" + format + "'");
        }
        final StartPosition from = StartPosition.parse(args.get("--from", "earliest"));
        final boolean terminal = null != System.console();
        try (ShmBus bus = TopicOptions.connect(args, err, name()))
        {
            final Consumer consumer = bus.addConsumer(topic, from);
            final long to;
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(bus.dir(), topic), topic, 5_000))
            {
                to = args.getLong("--to", log.tailVolatile());
            }
            final long[] written = new long[2]; // messages, bytes
            final byte[][] scratch = {new byte[4096]};
            try (OutputStream output = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))
            {
                final FragmentHandler handler = (buffer, offset, length, header) ->
                {
                    try
                    {
                        final int frameOffset = header.frameOffset();
                        final int bytes = "frames".equals(format) ?
                            FrameDescriptor.alignedLength(header.frameLength()) : length;
                        if (scratch[0].length < bytes)
                        {
                            scratch[0] = new byte[Math.max(bytes, scratch[0].length * 2)];
                        }
                        if ("frames".equals(format))
                        {
                            buffer.getBytes(frameOffset, scratch[0], 0, bytes);
                        }
                        else
                        {
                            buffer.getBytes(offset, scratch[0], 0, bytes);
                        }
                        if ("payload".equals(format))
                        {
                            output.write(new byte[]{(byte)length, (byte)(length >>> 8), (byte)(length >>> 16),
                                (byte)(length >>> 24)});
                        }
                        output.write(scratch[0], 0, bytes);
                        if ("lines".equals(format))
                        {
                            output.write('\n');
                        }
                        written[0]++;
                        written[1] += bytes;
                    }
                    catch (final IOException ex)
                    {
                        throw new ShmbusException("cannot write " + file + ": " + ex.getMessage(), ex);
                    }
                };
                final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
                long lastReportNs = System.nanoTime();
                while (consumer.position() < to && !bus.isClosed() && !consumer.isRevoked())
                {
                    final int n = consumer.controlledPoll((buffer, offset, length, header) ->
                    {
                        if (header.position() >= to)
                        {
                            return io.shmbus.client.ControlledFragmentHandler.Action.ABORT;
                        }
                        handler.onFragment(buffer, offset, length, header);
                        return io.shmbus.client.ControlledFragmentHandler.Action.CONTINUE;
                    }, 256);
                    idle.idle(n);
                    if (terminal && System.nanoTime() - lastReportNs > 500_000_000L)
                    {
                        lastReportNs = System.nanoTime();
                        err.print("\rreplayed " + written[0] + " messages, position " + consumer.position() + " of " +
                            to);
                        err.flush();
                    }
                }
            }
            if (terminal)
            {
                err.println();
            }
            consumer.close();
            out.println("replayed " + written[0] + " messages (" + written[1] + " bytes) of topic " + topic +
                " up to position " + Math.min(to, consumer.position()) + " to " + file);
            return consumer.isRevoked() || bus.isClosed() ? Main.EXIT_FAILURE : Main.EXIT_OK;
        }
    }
}
