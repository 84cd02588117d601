package io.shmbus.ipc;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * A producer process that numbers its messages: payload, little-endian, {@code int producer, int seq}, then
 * {@code seq}-derived filler bytes up to a length of 8..{@value #MAX_LENGTH} (the filler is checked by
 * {@link #isIntact}), one {@link Producer#offer} per message from one thread.
 * <p>
 * Protocol: connects, prints {@code READY}, waits for {@code GO [n]}, then offers messages {@code firstSeq},
 * {@code firstSeq + 1}, ... at full speed until {@code n} are sent (unbounded without {@code n}), {@code STOP}, the
 * producer is {@code CLOSED} or the broker is reported lost; then prints
 * {@code SENT producer=P next=N closed=... position=...}: {@code N} is the sequence number after the last message
 * whose offer succeeded (and so was committed to the ring). {@code EXIT} closes and exits 0; an unexpected offer
 * result exits 1.
 * <p>
 * Arguments ({@code key=value}): dir, topic, producer, firstSeq.
 */
public final class NumberedProducerMain
{
    static final int MAX_LENGTH = 200;
    private static final long COMMAND_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(120);
    private static volatile boolean brokerLost;

    private NumberedProducerMain()
    {
    }

    /** Payload length of message {@code seq}. */
    static int length(final int producer, final int seq)
    {
        return 8 + (int)(((seq * 0x9E3779B1L) ^ producer) & 0x7FFF_FFFFL) % (MAX_LENGTH - 7);
    }

    static byte filler(final int producer, final int seq, final int index)
    {
        return (byte)(seq * 31 + index * 7 + producer);
    }

    /** True when the message has the length and filler of its (producer, seq). */
    static boolean isIntact(final ByteBuffer payload, final int producer, final int seq)
    {
        if (payload.remaining() != length(producer, seq))
        {
            return false;
        }
        for (int i = 8; i < payload.remaining(); i++)
        {
            if (payload.get(payload.position() + i) != filler(producer, seq, i))
            {
                return false;
            }
        }
        return true;
    }

    public static void main(final String[] args) throws Exception
    {
        final KeyValues config = KeyValues.parse(args);
        final int producerIndex = config.getInt("producer");
        final ChildIo io = ChildIo.start("numbered-producer-" + producerIndex);
        final ShmBus bus = ShmBus.connect(new ShmBus.Context()
            .dir(Paths.get(config.get("dir")))
            .errorHandler(error ->
            {
                io.report((error instanceof BrokerUnavailableException ? "BROKER_LOST" : "ASYNC_ERROR") +
                    " exception=" + error.getClass().getSimpleName() + " message=" + error.getMessage());
                if (error instanceof BrokerUnavailableException)
                {
                    brokerLost = true;
                }
            }));
        final Producer producer = bus.addProducer(config.get("topic"));
        io.report("READY producer=" + producerIndex + " producerId=" + producer.producerId() +
            " pid=" + ProcessHandle.current().pid());

        final String go = io.await("GO", COMMAND_TIMEOUT_MS);
        if (null == go)
        {
            io.report("ERROR no GO within " + COMMAND_TIMEOUT_MS + " ms");
            System.exit(2);
        }
        final String n = go.substring(2).trim();
        int seq = config.getInt("firstSeq");
        final long endSeq = n.isEmpty() ? Long.MAX_VALUE : (long)seq + Long.parseLong(n);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
        final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        boolean closed = false;
        boolean stopped = false;
        String failure = null;
        long backPressured = 0;
        int sinceCommandCheck = 0;
        while (seq < endSeq && !closed && !stopped && null == failure)
        {
            final int length = length(producerIndex, seq);
            buffer.putInt(0, producerIndex, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(4, seq, ByteOrder.LITTLE_ENDIAN);
            for (int i = 8; i < length; i++)
            {
                buffer.putByte(i, filler(producerIndex, seq, i));
            }
            while (true)
            {
                final long result = producer.offer(buffer, 0, length);
                if (result > 0)
                {
                    seq++;
                    idle.reset();
                    break;
                }
                if (Producer.CLOSED == result)
                {
                    closed = true;
                    break;
                }
                if (Producer.BACK_PRESSURED != result && Producer.ADMIN_ACTION != result)
                {
                    failure = "seq " + seq + " length " + length + ": " + Producer.resultName(result);
                    break;
                }
                backPressured++;
                if (brokerLost || "STOP".equals(io.poll()))
                {
                    stopped = true;
                    break;
                }
                idle.idle();
            }
            if (++sinceCommandCheck == 1024)
            {
                sinceCommandCheck = 0;
                stopped |= brokerLost || "STOP".equals(io.poll());
            }
        }
        if (null != failure)
        {
            io.report("ERROR " + failure);
        }
        io.report("SENT producer=" + producerIndex + " next=" + seq + " closed=" + closed + " stopped=" + stopped +
            " brokerLost=" + brokerLost + " backPressured=" + backPressured + " position=" + producer.position());
        io.await("EXIT", COMMAND_TIMEOUT_MS);
        bus.close();
        System.exit(null == failure ? 0 : 1);
    }
}
