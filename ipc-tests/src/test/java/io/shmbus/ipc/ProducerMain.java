package io.shmbus.ipc;

import io.shmbus.client.Producer;
import io.shmbus.client.Topic;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * A producer process: {@code threads} threads share one {@link Producer} and each sends {@code messages}
 * {@link Payloads} messages, even threads with {@code offer}, odd threads with {@code tryClaim}/{@code commit}.
 * <p>
 * Protocol: prints {@code READY}, waits for {@code GO}, sends, prints {@code SENT ... counts=...} and exits 0 (1 on
 * an unexpected result code). {@code STOP} makes the threads stop early, even while back-pressured.
 * <p>
 * Arguments ({@code key=value}): dir, topic, process, processes, threads, messages, seed, maxLength, and optional
 * capacity, checksums (frame CRC32C).
 */
public final class ProducerMain
{
    private static volatile boolean stop;

    private ProducerMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final KeyValues config = KeyValues.parse(args);
        final int process = config.getInt("process");
        final int threads = config.getInt("threads");
        final int messages = config.getInt("messages");
        final Payloads payloads = new Payloads(
            config.getLong("seed"), config.getInt("processes"), threads, config.getInt("maxLength"));
        final ChildIo io = ChildIo.start("producer-" + process);

        final int status;
        try (Topic topic = Topic.open(new Topic.Context()
            .dir(Paths.get(config.get("dir")))
            .topic(config.get("topic"))
            .capacity(config.getLong("capacity", Topic.Context.CAPACITY_DEFAULT))
            .checksums(config.getBoolean("checksums", false))))
        {
            final Producer producer = topic.addProducer();
            io.report("READY process=" + process + " producerId=" + producer.producerId() +
                " pid=" + ProcessHandle.current().pid());
            if (null == io.await("GO", TimeUnit.SECONDS.toMillis(120)))
            {
                io.report("ERROR no GO within 120 s");
                System.exit(2);
            }

            final long startNs = System.nanoTime();
            final Sender[] senders = new Sender[threads];
            for (int t = 0; t < threads; t++)
            {
                senders[t] = new Sender(producer, payloads, process, t, messages);
                senders[t].start();
            }
            for (final Sender sender : senders)
            {
                while (sender.isAlive())
                {
                    sender.join(10);
                    final String command = io.poll();
                    if ("STOP".equals(command))
                    {
                        stop = true;
                    }
                }
            }
            final long elapsedNs = System.nanoTime() - startNs;

            final StringBuilder counts = new StringBuilder();
            long backPressured = 0;
            long adminActions = 0;
            boolean failed = false;
            for (final Sender sender : senders)
            {
                counts.append(counts.length() == 0 ? "" : ",").append(sender.sent);
                backPressured += sender.backPressured;
                adminActions += sender.adminActions;
                if (null != sender.failure)
                {
                    failed = true;
                    io.report("ERROR " + sender.getName() + ": " + sender.failure);
                }
            }
            io.report("SENT process=" + process + " counts=" + counts + " backPressured=" + backPressured +
                " adminActions=" + adminActions + " elapsedMs=" + TimeUnit.NANOSECONDS.toMillis(elapsedNs) +
                " stopped=" + stop);
            status = failed ? 1 : 0;
        }
        System.exit(status);
    }

    /** One publishing thread. Its fields are read by the main thread after {@code join}. */
    static final class Sender extends Thread
    {
        private final PayloadPublisher publisher;
        private final int messages;
        private final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        long sent;
        long backPressured;
        long adminActions;
        String failure;

        Sender(final Producer producer, final Payloads payloads, final int process, final int thread,
            final int messages)
        {
            super(PayloadPublisher.threadName(process, thread));
            this.publisher = new PayloadPublisher(producer, payloads, process, thread);
            this.messages = messages;
        }

        public void run()
        {
            try
            {
                for (int seq = 0; seq < messages && !stop; seq++)
                {
                    if (!send(seq))
                    {
                        return;
                    }
                    sent++;
                }
            }
            catch (final Throwable ex)
            {
                failure = ex.toString();
                ex.printStackTrace();
            }
        }

        /** @return false when stopped or failed before the message went out. */
        private boolean send(final int seq)
        {
            final int length = publisher.prepare(seq);
            while (true)
            {
                final long result = publisher.attempt(seq, length);

                if (result > 0)
                {
                    idle.reset();
                    return true;
                }
                if (Producer.BACK_PRESSURED == result)
                {
                    backPressured++;
                    if (stop)
                    {
                        return false;
                    }
                    idle.idle();
                }
                else if (Producer.ADMIN_ACTION == result)
                {
                    adminActions++;
                }
                else
                {
                    failure = "seq " + seq + " length " + length + ": " + Producer.resultName(result);
                    return false;
                }
            }
        }
    }
}
