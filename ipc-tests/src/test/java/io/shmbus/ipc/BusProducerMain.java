package io.shmbus.ipc;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * A producer process that registers with the broker ({@link ShmBus}): {@code threads} threads share one
 * {@link Producer} and send {@link Payloads} messages, even threads with {@code offer}, odd threads with
 * {@code tryClaim}/{@code commit}.
 * <p>
 * Protocol: connects, prints {@code READY}, then runs the commands it reads:
 * <ul>
 * <li>{@code GO [n]}: each thread sends {@code n} (default: the {@code messages} argument) more messages,
 * continuing its sequence, until done, {@code STOP}, or the producer is {@code CLOSED}; then prints
 * {@code SENT round=R counts=... closed=...}: R counts the {@code GO}s from 1, counts are each thread's total since
 * the connection.</li>
 * <li>{@code ADD}: tries another {@code addProducer}, prints {@code ADDED} or {@code ADD_FAILED exception=...}.</li>
 * <li>{@code RECONNECT}: closes the connection, connects again, adds a producer, prints {@code RECONNECTED};
 * sequences start again at 0.</li>
 * <li>{@code EXIT}: closes and exits 0.</li>
 * </ul>
 * The connection's error handler prints {@code BROKER_LOST exception=... message=...} (other async errors:
 * {@code ASYNC_ERROR}). Exits 1 when a send gets an unexpected result code.
 * <p>
 * Arguments ({@code key=value}): dir, topic, process, processes, threads, messages, seed, maxLength.
 */
public final class BusProducerMain
{
    private static final long COMMAND_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(300);

    private static volatile boolean stop;

    private final KeyValues config;
    private final ChildIo io;
    private final int process;
    private final Payloads payloads;
    private final Sender[] senders;
    private ShmBus bus;
    private Producer producer;
    private boolean failed;
    private int round;

    private BusProducerMain(final KeyValues config, final ChildIo io)
    {
        this.config = config;
        this.io = io;
        this.process = config.getInt("process");
        this.payloads = new Payloads(config.getLong("seed"), config.getInt("processes"), config.getInt("threads"),
            config.getInt("maxLength"));
        this.senders = new Sender[config.getInt("threads")];
    }

    public static void main(final String[] args) throws Exception
    {
        final KeyValues config = KeyValues.parse(args);
        final ChildIo io = ChildIo.start("producer-" + config.get("process"));
        final BusProducerMain main = new BusProducerMain(config, io);
        main.connect();
        io.report("READY process=" + main.process + " producerId=" + main.producer.producerId() +
            " pid=" + ProcessHandle.current().pid());
        main.serve();
    }

    private void connect()
    {
        bus = ShmBus.connect(new ShmBus.Context()
            .dir(Paths.get(config.get("dir")))
            .errorHandler(this::onError));
        producer = bus.addProducer(config.get("topic"));
    }

    private void onError(final Throwable error)
    {
        io.report((error instanceof BrokerUnavailableException ? "BROKER_LOST" : "ASYNC_ERROR") +
            " exception=" + error.getClass().getSimpleName() + " message=" + error.getMessage());
    }

    private void serve() throws InterruptedException
    {
        long[] base = new long[senders.length];
        while (true)
        {
            final String command = io.await("", COMMAND_TIMEOUT_MS);
            if (null == command)
            {
                io.report("ERROR no command within " + COMMAND_TIMEOUT_MS + " ms");
                System.exit(2);
            }
            if (command.startsWith("GO"))
            {
                final String n = command.substring(2).trim();
                send(base, n.isEmpty() ? config.getInt("messages") : Integer.parseInt(n));
            }
            else if ("ADD".equals(command))
            {
                try
                {
                    final Producer another = bus.addProducer(config.get("topic"));
                    io.report("ADDED producerId=" + another.producerId());
                }
                catch (final RuntimeException ex)
                {
                    io.report("ADD_FAILED exception=" + ex.getClass().getSimpleName() + " message=" +
                        ex.getMessage());
                }
            }
            else if ("RECONNECT".equals(command))
            {
                bus.close();
                connect();
                base = new long[senders.length];
                io.report("RECONNECTED process=" + process + " producerId=" + producer.producerId());
            }
            else if ("EXIT".equals(command))
            {
                bus.close();
                System.exit(failed ? 1 : 0);
            }
            else if (!"STOP".equals(command))
            {
                io.report("ERROR unknown command '" + command + "'");
            }
        }
    }

    /** One round: every thread sends {@code messages} more, from where its sequence stopped. */
    private void send(final long[] base, final int messages) throws InterruptedException
    {
        stop = false;
        round++;
        final long startNs = System.nanoTime();
        for (int t = 0; t < senders.length; t++)
        {
            final int firstSeq = (int)base[t];
            senders[t] = new Sender(producer, payloads, process, t, firstSeq,
                (int)Math.min(Integer.MAX_VALUE, (long)firstSeq + messages));
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
                else if (null != command)
                {
                    io.report("ERROR command '" + command + "' ignored while sending");
                }
            }
        }
        final StringBuilder counts = new StringBuilder();
        boolean closed = false;
        long backPressured = 0;
        for (int t = 0; t < senders.length; t++)
        {
            final Sender sender = senders[t];
            base[t] = sender.nextSeq;
            counts.append(t == 0 ? "" : ",").append(sender.nextSeq);
            closed |= sender.closed;
            backPressured += sender.backPressured;
            if (null != sender.failure)
            {
                failed = true;
                io.report("ERROR " + sender.getName() + ": " + sender.failure);
            }
        }
        io.report("SENT round=" + round + " process=" + process + " counts=" + counts + " closed=" + closed +
            " stopped=" + stop + " backPressured=" + backPressured +
            " elapsedMs=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) +
            " position=" + producer.position());
    }

    /** One publishing thread; its fields are read by the main thread after {@code join}. */
    static final class Sender extends Thread
    {
        private final PayloadPublisher publisher;
        private final int endSeq;
        private final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        int nextSeq;
        long backPressured;
        boolean closed;
        String failure;

        Sender(final Producer producer, final Payloads payloads, final int process, final int thread,
            final int firstSeq, final int endSeq)
        {
            super(PayloadPublisher.threadName(process, thread));
            this.publisher = new PayloadPublisher(producer, payloads, process, thread);
            this.nextSeq = firstSeq;
            this.endSeq = endSeq;
        }

        public void run()
        {
            try
            {
                while (nextSeq < endSeq && !stop && send(nextSeq))
                {
                    nextSeq++;
                }
            }
            catch (final Throwable ex)
            {
                failure = ex.toString();
                ex.printStackTrace();
            }
        }

        /** @return false when stopped, closed or failed before the message went out. */
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
                if (Producer.BACK_PRESSURED == result || Producer.ADMIN_ACTION == result)
                {
                    backPressured++;
                    if (stop)
                    {
                        return false;
                    }
                    idle.idle();
                }
                else if (Producer.CLOSED == result)
                {
                    closed = true;
                    return false;
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
