package io.shmbus.broker.cli;

import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * {@code shmbus publish}: each line of standard input becomes one message.
 */
final class PublishCommand implements Command
{
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
        return "usage: shmbus publish --topic T [--dir DIR]\n\n" +
            "Reads standard input and publishes each line (without its line end) as one message.\n" +
            "Needs a running broker. Waits while consumers hold the ring. Prints how many messages it sent.\n\n" + TopicOptions.HELP;
    }

    public int run(
        final List<String> argList, final InputStream in, final PrintStream out, final PrintStream err) throws Exception
    {
        final Args args = Args.parse(name(), argList, TopicOptions.WITH_VALUE, Set.of());
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        long sent = 0;
        final String topic = args.require("--topic");
        try (ShmBus bus = TopicOptions.connect(args, err, name());
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            final Producer producer = bus.addProducer(topic);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
            String line;
            while (null != (line = reader.readLine()))
            {
                final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                if (bytes.length == 0)
                {
                    err.println("shmbus publish: skipped empty line " + (sent + 1) + ": messages need >= 1 byte");
                    continue;
                }
                if (bytes.length > producer.maxMessageLength())
                {
                    out.println("sent " + sent + " messages to topic " + topic);
                    err.println("shmbus publish: error: line " + (sent + 1) + " is " + bytes.length +
                        " bytes, more than the topic's max message length " + producer.maxMessageLength());
                    return Main.EXIT_FAILURE;
                }
                buffer.wrap(bytes);
                long result;
                while ((result = producer.offer(buffer, 0, bytes.length)) < 0)
                {
                    if (Producer.BACK_PRESSURED != result && Producer.ADMIN_ACTION != result)
                    {
                        err.println("shmbus publish: error: " + Producer.resultName(result));
                        return Main.EXIT_FAILURE;
                    }
                    idle.idle();
                }
                idle.reset();
                sent++;
            }
            out.println("sent " + sent + " messages to topic " + topic);
        }
        return Main.EXIT_OK;
    }
}
