package io.shmbus.ipc;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.Topic;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer process that publishes one stream of {@link NumberedMessages} from one thread, with
 * {@link Producer#offer} ({@code mode=offer}) or {@link Producer#tryClaim} and an in-place encode
 * ({@code mode=claim}).
 * <p>
 * Protocol: connects, prints {@code READY producer=P producerId=... pid=...}, waits for {@code GO [n]} (or starts at
 * once with {@code go=now}), then publishes messages {@code firstSeq}, {@code firstSeq + 1}, ... until {@code n} are
 * sent (unbounded without {@code n}), {@code STOP}, the producer is {@code CLOSED} or the broker is reported lost;
 * then prints {@code SENT producer=P next=N closed=... position=...}: {@code N} is the sequence number after the last
 * message whose offer or commit was done (and so was committed to the ring). {@code EXIT} closes and exits 0; an
 * unexpected result exits 1.
 * <p>
 * Options for long runs and kill tests: {@code reportMs} prints {@code COMMITTED producer=P next=N ...} that often
 * (from the publishing thread, so every message below {@code N} was committed when it was printed: a lower bound for
 * a process killed later); {@code rate} paces the stream to at most that many messages a second, in bursts of up to
 * {@code burst} messages at full speed (so the ring still fills up now and then; time spent back-pressured is not
 * made up for later); {@code reconnect=true} connects again when the broker is lost (to its successor) and goes on
 * with the same stream, printing {@code BROKER_LOST} and {@code RECONNECTED}; {@code direct=true} maps the topic with
 * {@link Topic#open} instead of registering with the broker (the quickest start, for processes that are killed as
 * soon as they run; the broker still unblocks their abandoned claims).
 * <p>
 * Arguments ({@code key=value}): dir, topic, producer (the stream number), firstSeq, and optional mode, go, reportMs,
 * rate, burst, reconnect, reconnectTimeoutMs, direct.
 */
public final class NumberedProducerMain
{
    /** The largest payload, for tests that size buffers. */
    public static final int MAX_LENGTH = NumberedMessages.MAX_LENGTH;
    private static final long COMMAND_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(120);
    private static final int MESSAGES_BETWEEN_CHECKS = 256;

    private final KeyValues config;
    private final ChildIo io;
    private final int stream;
    private final boolean claimMode;
    private final boolean direct;
    private final boolean reconnect;
    private final long reportIntervalNs;
    private final long rate;
    private final long messageNs;
    private final long burstNs;
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(NumberedMessages.MAX_LENGTH));
    private final BufferClaim claim = new BufferClaim();
    private final IdleStrategy idle = new BackoffIdleStrategy(
        10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
    private volatile boolean brokerLost;
    private ShmBus bus;
    private Topic topic;
    private Producer producer;
    private int seq;
    private long backPressured;
    private long reconnects;

    private NumberedProducerMain(final KeyValues config, final ChildIo io)
    {
        this.config = config;
        this.io = io;
        this.stream = config.getInt("producer");
        this.claimMode = "claim".equals(config.get("mode", "offer"));
        this.direct = config.getBoolean("direct", false);
        this.reconnect = config.getBoolean("reconnect", false);
        this.reportIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.getLong("reportMs", 0));
        this.rate = config.getLong("rate", 0);
        this.messageNs = rate > 0 ? TimeUnit.SECONDS.toNanos(1) / rate : 0;
        this.burstNs = messageNs * config.getLong("burst", 1);
        this.seq = config.getInt("firstSeq", 0);
    }

    public static void main(final String[] args) throws Exception
    {
        final KeyValues config = KeyValues.parse(args);
        final ChildIo io = ChildIo.start("numbered-producer-" + config.get("producer"));
        final NumberedProducerMain main = new NumberedProducerMain(config, io);
        if (main.reconnect)
        {
            if (!main.connectRetrying())
            {
                System.exit(1);
            }
        }
        else
        {
            main.connect();
        }
        io.report("READY producer=" + main.stream + " producerId=" + main.producer.producerId() +
            " pid=" + ProcessHandle.current().pid() + " mode=" + (main.claimMode ? "claim" : "offer"));
        long endSeq = Long.MAX_VALUE;
        if (!"now".equals(config.get("go", "wait")))
        {
            final String go = io.await("GO", COMMAND_TIMEOUT_MS);
            if (null == go)
            {
                io.report("ERROR no GO within " + COMMAND_TIMEOUT_MS + " ms");
                System.exit(2);
            }
            final String n = go.substring(2).trim();
            endSeq = n.isEmpty() ? Long.MAX_VALUE : (long)main.seq + Long.parseLong(n);
        }
        final int status = main.publish(endSeq);
        io.await("EXIT", COMMAND_TIMEOUT_MS);
        main.close();
        System.exit(status);
    }

    private void connect()
    {
        final Path dir = Paths.get(config.get("dir"));
        if (direct)
        {
            topic = Topic.open(new Topic.Context().dir(dir).topic(config.get("topic")));
            producer = topic.addProducer();
            return;
        }
        brokerLost = false;
        bus = ShmBus.connect(new ShmBus.Context()
            .dir(dir)
            .errorHandler(error ->
            {
                io.report((error instanceof BrokerUnavailableException ? "BROKER_LOST" : "ASYNC_ERROR") +
                    " producer=" + stream + " exception=" + error.getClass().getSimpleName() +
                    " message=" + error.getMessage());
                if (error instanceof BrokerUnavailableException)
                {
                    brokerLost = true;
                }
            }));
        producer = bus.addProducer(config.get("topic"));
    }

    private void close()
    {
        CloseHelper.quietClose(bus);
        CloseHelper.quietClose(topic);
    }

    /** @return the exit status: 0, or 1 after an unexpected result. */
    private int publish(final long endSeq)
    {
        final long startNs = System.nanoTime();
        long nextReportNs = startNs + reportIntervalNs;
        long nextDueNs = startNs;
        boolean closed = false;
        boolean stopped = false;
        String failure = null;
        int sinceCheck = 0;
        while (seq < endSeq && !stopped && null == failure)
        {
            final long nowNs = System.nanoTime();
            if (rate > 0 && nowNs - nextDueNs < 0)
            {
                // ahead of the pace: wait, then send what fell due at full speed
                LockSupport.parkNanos(Math.min(burstNs, nextDueNs - nowNs));
                sinceCheck = MESSAGES_BETWEEN_CHECKS;
            }
            else
            {
                final long result = publishOne();
                if (result > 0)
                {
                    seq++;
                    idle.reset();
                    // time spent held back earns at most one burst: a producer released after a long wait does not
                    // catch up with its average rate at full speed
                    nextDueNs = Math.max(nextDueNs, nowNs - burstNs) + messageNs;
                }
                else if (Producer.CLOSED == result || brokerLost)
                {
                    if (!reconnect || !reconnect())
                    {
                        closed = Producer.CLOSED == result;
                        break;
                    }
                }
                else if (Producer.BACK_PRESSURED == result || Producer.ADMIN_ACTION == result)
                {
                    backPressured++;
                    sinceCheck = MESSAGES_BETWEEN_CHECKS;
                    idle.idle();
                }
                else
                {
                    failure = "seq " + seq + ": " + Producer.resultName(result);
                }
            }
            if (reportIntervalNs > 0 && System.nanoTime() - nextReportNs >= 0)
            {
                io.report("COMMITTED producer=" + stream + " next=" + seq + " backPressured=" + backPressured +
                    " reconnects=" + reconnects);
                nextReportNs = System.nanoTime() + reportIntervalNs;
            }
            if (++sinceCheck >= MESSAGES_BETWEEN_CHECKS)
            {
                sinceCheck = 0;
                stopped = "STOP".equals(io.poll()) || (brokerLost && !reconnect);
            }
        }
        if (null != failure)
        {
            io.report("ERROR " + failure);
        }
        io.report("SENT producer=" + stream + " next=" + seq + " closed=" + closed + " stopped=" + stopped +
            " brokerLost=" + brokerLost + " backPressured=" + backPressured + " reconnects=" + reconnects +
            " position=" + producer.position());
        return null == failure ? 0 : 1;
    }

    private long publishOne()
    {
        if (claimMode)
        {
            final long result = producer.tryClaim(NumberedMessages.length(stream, seq), claim);
            if (result > 0)
            {
                NumberedMessages.encode(claim.buffer(), claim.offset(), stream, seq);
                claim.commit();
            }
            return result;
        }
        final int length = NumberedMessages.encode(scratch, 0, stream, seq);
        return producer.offer(scratch, 0, length);
    }

    /**
     * Connects to the broker's successor and goes on with the stream.
     *
     * @return true when a new producer is ready.
     */
    private boolean reconnect()
    {
        io.report("BROKER_LOST producer=" + stream + " next=" + seq);
        CloseHelper.quietClose(bus);
        if (connectRetrying())
        {
            reconnects++;
            io.report("RECONNECTED producer=" + stream + " next=" + seq + " producerId=" + producer.producerId());
            return true;
        }
        return false;
    }

    /**
     * Connects, retrying while no broker owns the directory (it may be restarting), until the reconnect timeout.
     *
     * @return true when connected with a producer.
     */
    private boolean connectRetrying()
    {
        final long timeoutMs = config.getLong("reconnectTimeoutMs", 60_000);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String lastProblem = "none";
        while (System.nanoTime() - deadlineNs < 0)
        {
            if ("STOP".equals(io.poll()))
            {
                return false;
            }
            try
            {
                connect();
                return true;
            }
            catch (final ShmbusException ex)
            {
                // no broker yet, the dead one still the owner on record, or the new one still starting
                lastProblem = ex.getMessage();
                CloseHelper.quietClose(bus);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        io.report("ERROR no broker to connect to within " + timeoutMs + " ms; last: " + lastProblem);
        return false;
    }
}
