package io.shmbus.broker.cli;

import io.shmbus.broker.archive.SegmentRangeSender;
import io.shmbus.client.Consumer;
import io.shmbus.client.DamagedStorageException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.TopicLog;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus replay}: sends a range of a topic to a file or a socket. {@code --format frames} of an archived
 * topic goes out with {@code transferTo} straight from the segment files ({@link SegmentRangeSender}: sendfile to
 * a socket); every other case reads message by message through a consumer ({@link MessageReplay}). Damaged
 * storage stops either path at the damaged frame: the frames (or messages) before it are delivered, the command
 * reports the file, position and reason, and exits 1.
 * <p>
 * Runs on the command's thread.
 */
final class ReplayCommand implements Command
{
    /** How long the frames path waits for the archive to move on before it gives up. */
    private static final long ARCHIVE_STALL_TIMEOUT_NS = 30_000_000_000L;

    public String name()
    {
        return "replay";
    }

    public String summary()
    {
        return "send a range of a topic to a file or a socket";
    }

    public String usage()
    {
        return "usage: shmbus replay --topic T [--from earliest|POSITION|TIME] [--to POSITION] " +
            "[--format frames|payload|lines] (--out FILE | --connect HOST:PORT | --listen PORT [--bind ADDR]) " +
            "[--dir DIR]\n\n" +
            "Sends the topic's messages from --from (default earliest) up to --to (default: the end at the\n" +
            "time of the request) to a file or a socket, as plain bytes (no handshake: 'nc -l PORT > FILE'\n" +
            "receives it), then closes it:\n" +
            "  frames   the frames as stored, 32-byte header and payload padded to 32 bytes; for an archived\n" +
            "           topic byte for byte the segment files, padding frames included, sent from the files\n" +
            "           with sendfile (waiting for the archiver to store the newest frames)\n" +
            "  payload  each payload after its length, 4 bytes little-endian\n" +
            "  lines    each payload followed by a newline\n" +
            "A frames replay of an archived topic fixes and checks its range before it connects or listens;\n" +
            "the other cases read through a consumer registered once the receiver is connected.\n" +
            "Needs a running broker. Progress goes to stderr when it is a terminal.\n\n" + TopicOptions.HELP +
            "  --from START       earliest (default), a position, or an ISO-8601 time (not in the future)\n" +
            "  --to POSITION      stop before the first frame at or after this position (default: the tail\n" +
            "                     when the replay starts)\n" +
            "  --format F         frames (default), payload or lines\n" + ReplayDestination.OPTIONS_HELP;
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err)
        throws IOException
    {
        final Args args = Args.parse(name(), argList,
            TopicOptions.with("--from", "--to", "--format", "--out", "--connect", "--listen", "--bind"), Set.of());
        final String topic = args.require("--topic");
        final String format = args.get("--format", "frames");
        if (!Set.of("frames", "payload", "lines").contains(format))
        {
            throw new UsageException(name(), "--format must be frames, payload or lines: '" + format + "'");
        }
        final StartPosition from = StartOptions.replayStart(args, name());
        final long toOption = args.getLong("--to", -1);
        if (args.has("--to") && toOption < 0)
        {
            throw new UsageException(name(), "--to must be a stream position >= 0: " + toOption);
        }
        if (toOption >= 0 && !from.isEarliest() && !from.isTime())
        {
            checkRange(from.position(), toOption);
        }
        final ReplayDestination destination = ReplayDestination.parse(args, name());
        final boolean terminal = null != System.console();
        try (ShmBus bus = TopicOptions.connect(args, err, name()); destination)
        {
            if ("frames".equals(format))
            {
                // An archived topic's range is resolved and checked before the destination is opened, so a bad
                // topic or position never leaves a receiver with an empty stream, and the receiver's connection
                // carries the transfer only.
                final Consumer probe = bus.addConsumer(topic, from);
                final Path archive = probe.archiveDirectory();
                if (null != archive)
                {
                    final long start = probe.position();
                    if (toOption >= 0)
                    {
                        probe.close();
                        checkRange(start, toOption);
                    }
                    final long to = toOption >= 0 ? toOption : tail(bus, topic);
                    // from here only the archive's files and its counter are needed: the consumer's slot would
                    // hold producers back and the client's thread would wake for nothing
                    probe.close();
                    bus.close();
                    return sendArchived(bus.dir(), topic, archive, start, to, toOption >= 0, destination, terminal,
                        out, err);
                }
                probe.close();
            }
            // A consumer registers only once the destination is open: while --listen waits for a receiver, a
            // registered consumer would hold producers back.
            final WritableByteChannel channel = destination.open(err);
            final Consumer consumer = bus.addConsumer(topic, from);
            if (toOption >= 0)
            {
                checkRange(consumer.position(), toOption);
            }
            final long to = toOption >= 0 ? toOption : tail(bus, topic);
            return sendMessages(bus, consumer, topic, format, to, destination, channel, terminal, out, err);
        }
    }

    /** A range that holds nothing is a mistake, not an empty replay. */
    private void checkRange(final long start, final long to)
    {
        if (to <= start)
        {
            throw new UsageException(name(), "--to " + to + " must be after the start of the replay, position " +
                start);
        }
    }

    /** The topic's tail now: always a frame start. */
    private static long tail(final ShmBus bus, final String topic)
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(bus.dir(), topic), topic, 5_000))
        {
            return log.tailVolatile();
        }
    }

    private int sendArchived(
        final Path dir,
        final String topic,
        final Path archive,
        final long start,
        final long to,
        final boolean toMayCutAFrame,
        final ReplayDestination destination,
        final boolean terminal,
        final PrintStream out,
        final PrintStream err) throws IOException
    {
        final long[] sent = {start};
        try (ArchivedPositionCounter archived = ArchivedPositionCounter.find(dir, topic);
            SegmentRangeSender sender = new SegmentRangeSender(archive,
                null != archived ? archived : () -> Long.MAX_VALUE, ARCHIVE_STALL_TIMEOUT_NS))
        {
            final long end = toMayCutAFrame ? sender.frameBoundaryAtOrAfter(start, to) : to;
            final WritableByteChannel channel = destination.open(err);
            final long[] lastReportNs = {System.nanoTime()};
            final long startNs = System.nanoTime();
            try
            {
                sender.send(start, end, channel, (position, limit) ->
                {
                    sent[0] = position;
                    if (terminal && System.nanoTime() - lastReportNs[0] > 500_000_000L)
                    {
                        lastReportNs[0] = System.nanoTime();
                        err.print("\rreplayed " + (position - start) + " of " + (limit - start) + " bytes");
                        err.flush();
                    }
                });
                destination.finish();
            }
            catch (final DamagedStorageException ex)
            {
                // the receiver keeps every sound frame before the damage, and the command says where it stopped
                destination.finish();
                err.println("shmbus replay: error: " + ex.getMessage() + "; replayed the " + (ex.position() - start) +
                    " bytes of frames before it (positions " + start + " to " + ex.position() + ") to " +
                    destination.description() + " (see: shmbus verify " + archive + ")");
                return Main.EXIT_FAILURE;
            }
            catch (final IOException ex)
            {
                throw destination.sendFailed(ex, sent[0] - start);
            }
            if (terminal)
            {
                err.println();
            }
            final double seconds = Math.max(1, System.nanoTime() - startNs) / 1e9;
            out.println("replayed " + (end - start) + " bytes of frames (positions " + start + " to " + end +
                ") of topic " + topic + " to " + destination.description() + " with sendfile (" +
                PlainFormat.oneDecimal((end - start) / seconds / (1 << 20)) + " MiB/s)");
            return Main.EXIT_OK;
        }
    }

    private int sendMessages(
        final ShmBus bus,
        final Consumer consumer,
        final String topic,
        final String format,
        final long to,
        final ReplayDestination destination,
        final WritableByteChannel channel,
        final boolean terminal,
        final PrintStream out,
        final PrintStream err) throws IOException
    {
        final OutputStream output = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        final MessageReplay replay = new MessageReplay(format, output);
        final boolean complete;
        try
        {
            complete = replay.run(bus, consumer, to, terminal ? (messages, position, end) ->
            {
                err.print("\rreplayed " + messages + " messages, position " + position + " of " + end);
                err.flush();
            } : null);
            destination.finish();
        }
        catch (final IOException ex)
        {
            throw destination.sendFailed(ex, replay.bytes());
        }
        if (terminal)
        {
            err.println();
        }
        final long position = consumer.position();
        consumer.close();
        out.println("replayed " + replay.messages() + " messages (" + replay.bytes() + " bytes) of topic " + topic +
            " up to position " + Math.min(to, position) + " to " + destination.description());
        return complete ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
