package io.shmbus.broker.cli;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmDirectory;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus publish}: each line of standard input becomes one message.
 */
final class PublishCommand implements Command
{
    /** How often it tries to connect while no broker answers. */
    private static final long CONNECT_RETRY_MS = 100;

    public String name()
    {
        return "publish";
    }

    public String summary()
    {
        return "send each line of stdin as one message";
    }

    public String usage()
    {
        return "usage: shmbus publish --topic T [--dir DIR] [--format lines|payload] [--crlf] [--wait DURATION]\n\n" +
            "Reads standard input and publishes each message in it:\n" +
            "  lines    (default) each line is one message: the bytes up to each newline (\\n), exactly as\n" +
            "           read (no character decoding; a lone \\r is part of the line). With --crlf a \\r right\n" +
            "           before the newline is dropped too. Empty lines are skipped (a message needs at least\n" +
            "           one byte).\n" +
            "  payload  each message is a 4-byte little-endian length, then that many bytes: what\n" +
            "           'shmbus replay --format payload' writes, so any bytes round-trip. A record of length 0\n" +
            "           is skipped; an input that ends inside a record is an error naming its byte offset.\n" +
            "Needs a running broker. Waits while consumers hold the ring. Prints how many messages it sent,\n" +
            "also when it stops on an error. Without --wait it fails at once when no broker runs, and when the\n" +
            "broker stops it says which message was the first not sent and how to send the rest. With --wait\n" +
            "it waits that long for a broker, at the start and whenever the broker stops, and then sends on\n" +
            "from the first message not sent: none twice, none lost that it counted as sent.\n\n" +
            TopicOptions.HELP +
            "  --format F         lines (default) or payload\n" +
            "  --wait DURATION    wait this long (e.g. 10s, 5m) for a broker to start or come back\n" +
            "  --crlf             with lines: drop a \\r before each newline\n";
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(name(), argList, TopicOptions.with("--format", WaitPolicy.OPTION),
            Set.of("--crlf"));
        final boolean crlf = args.has("--crlf");
        final String format = args.get("--format", "lines");
        if (!"lines".equals(format) && !"payload".equals(format))
        {
            throw new UsageException(name(), "--format must be lines or payload: '" + format + "'");
        }
        if (crlf && "payload".equals(format))
        {
            throw new UsageException(name(), "--crlf goes with --format lines only");
        }
        final WaitPolicy wait = WaitPolicy.parse(args, name(), false);
        final String topic = args.require("--topic");
        io.shmbus.client.TopicNames.validate(topic);
        final Path dir = args.has("--dir") ? Paths.get(args.get("--dir", null)) : ShmDirectory.defaultDirectory();
        final BrokerConnector connector = new BrokerConnector(() -> TopicOptions.connect(args, err, name()));
        MessageReader messages = null;
        boolean pending = false; // a message read, not yet sent: the broker stopped while it was offered
        long sent = 0;
        long waitStartNs = System.nanoTime();
        boolean waiting = false;
        while (true)
        {
            final ShmBus bus = connector.tryConnect();
            final Producer producer;
            if (null == bus)
            {
                if (!wait.allows(waitStartNs))
                {
                    out.println(sentText(sent, topic));
                    err.println("shmbus publish: error: " + connector.lastReason() + (waiting ? wait.gaveUp() : "") +
                        (pending ? "; " + notSent(messages) : ""));
                    return Main.EXIT_FAILURE;
                }
                if (!waiting)
                {
                    err.println("shmbus publish: waiting for a broker on " + dir + " (" + wait.limit() + ")");
                    waiting = true;
                }
                Thread.sleep(CONNECT_RETRY_MS);
                continue;
            }
            try (bus)
            {
                try
                {
                    producer = bus.addProducer(topic);
                }
                catch (final BrokerUnavailableException ex)
                {
                    continue; // gone again before it answered
                }
                if (waiting && (pending || sent > 0))
                {
                    err.println("shmbus publish: the broker is back; sending on from " +
                        (pending ? messages.describe() : "the next message"));
                }
                waiting = false;
                if (null == messages)
                {
                    messages = "payload".equals(format) ? new PayloadReader(in, producer.maxMessageLength()) :
                        new LineReader(in, producer.maxMessageLength(), crlf);
                }
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
                final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
                while (true)
                {
                    if (!pending)
                    {
                        try
                        {
                            if (!messages.next())
                            {
                                out.println(sentText(sent, topic));
                                return Main.EXIT_OK;
                            }
                        }
                        catch (final MessageReader.TruncatedInputException ex)
                        {
                            out.println(sentText(sent, topic));
                            err.println("shmbus publish: error: " + ex.getMessage());
                            return Main.EXIT_FAILURE;
                        }
                        if (messages.length() == 0)
                        {
                            err.println("shmbus publish: skipped empty " + messages.describe() +
                                ": messages need >= 1 byte");
                            continue;
                        }
                        if (messages.tooLong())
                        {
                            out.println(sentText(sent, topic));
                            err.println("shmbus publish: error: " + messages.describe() + " is " +
                                messages.length() + " bytes, more than the topic's max message length " +
                                producer.maxMessageLength());
                            return Main.EXIT_FAILURE;
                        }
                        pending = true;
                    }
                    final int length = (int)messages.length();
                    buffer.wrap(messages.bytes(), 0, length);
                    final long result = producer.offer(buffer, 0, length);
                    if (result >= 0)
                    {
                        pending = false;
                        sent++;
                        idle.reset();
                    }
                    else if (Producer.BACK_PRESSURED == result || Producer.ADMIN_ACTION == result)
                    {
                        idle.idle();
                    }
                    else if (Producer.CLOSED == result && bus.isClosed() && wait.waits())
                    {
                        err.println("shmbus publish: the broker stopped with " + sent + (1 == sent ? " message" :
                            " messages") + " sent; waiting for it to come back (" + wait.limit() + "), then sending on from " +
                            messages.describe());
                        waiting = true;
                        waitStartNs = System.nanoTime();
                        break;
                    }
                    else
                    {
                        out.println(sentText(sent, topic));
                        err.println("shmbus publish: error: " + Producer.resultName(result) + " at " +
                            messages.describe() + (bus.isClosed() ? "; the broker stopped: " + notSent(messages) :
                            ""));
                        return Main.EXIT_FAILURE;
                    }
                }
            }
        }
    }

    private static String notSent(final MessageReader messages)
    {
        return messages.describe() + " and the rest of the input were not sent; once a broker runs, send them " +
            "with: " + messages.rest() + " | shmbus publish ... (or publish with --wait DURATION to wait for it)";
    }

    static String sentText(final long sent, final String topic)
    {
        return "sent " + sent + (1 == sent ? " message" : " messages") + " to topic " + topic;
    }

    /**
     * The lines of a byte stream, as bytes: up to each {@code \n}, nothing decoded; a line longer than the limit is
     * counted to its end but kept only up to the limit. Not thread-safe.
     */
    static final class LineReader implements MessageReader
    {
        private final InputStream in;
        private final int limit;
        private final boolean crlf;
        private final byte[] chunk = new byte[64 * 1024];
        private int chunkPosition;
        private int chunkLength;
        private byte[] line = new byte[256];
        private int length;
        private long number;
        private boolean ended;

        LineReader(final InputStream in, final int limit, final boolean crlf)
        {
            this.in = in;
            this.limit = limit;
            this.crlf = crlf;
        }

        /** Reads the next line; false at the end of the stream (a last line without a newline still counts). */
        public boolean next() throws IOException
        {
            length = 0;
            boolean any = false;
            while (true)
            {
                if (chunkPosition == chunkLength)
                {
                    chunkLength = ended ? -1 : in.read(chunk);
                    chunkPosition = 0;
                    if (chunkLength <= 0)
                    {
                        ended = true;
                        chunkLength = 0;
                        if (!any)
                        {
                            return false;
                        }
                        break;
                    }
                }
                any = true;
                final byte b = chunk[chunkPosition++];
                if ('\n' == b)
                {
                    break;
                }
                append(b);
            }
            if (crlf && length > 0 && length <= line.length && '\r' == line[length - 1])
            {
                length--;
            }
            number++;
            return true;
        }

        private void append(final byte b)
        {
            if (length < limit + 1)
            {
                if (length == line.length)
                {
                    line = Arrays.copyOf(line, Math.min(limit + 1, line.length * 2));
                }
                line[length] = b;
            }
            length++;
        }

        /** The line's bytes, valid up to {@link #length()} unless {@link #tooLong()}. */
        public byte[] bytes()
        {
            return line;
        }

        public long length()
        {
            return length;
        }

        public boolean tooLong()
        {
            return length > limit;
        }

        public String describe()
        {
            return "line " + number;
        }

        public String rest()
        {
            return "tail -n +" + number + " INPUT";
        }
    }
}
